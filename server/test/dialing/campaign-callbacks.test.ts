// Callbacks added to a campaign over HTTP: an agent may add one only to a
// number they called in that campaign, for themselves; and whoever asks (an
// admin too), a number the dialing policy refuses (premium-rate,
// international on a US site) is not scheduled: 403 TENOR_ERR_DIALING_REFUSED,
// published as dialing_refused. The records agents have worked are made the
// way the dialer makes them (campaign attempts in the real SQLite file).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { AttemptsRepository } from '../../src/services/campaigns/store/attempts.js';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';
import { EventLog } from '../acd-sip/site.js';

const basic = (user: string, password: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const ANN = basic('ann', 'ann-secret-word');
const BOB = basic('bob', 'bob-secret-word');

t.test('campaign callbacks: agents only to the numbers they called, nobody to numbers the site does not dial', async (t) => {
  const file = path.join(tempDir(t, 'tenor-dialing-'), 'site.yaml');
  writeFileSync(file, JSON.stringify({
    trunks: [{ name: 'pstn', host: '127.0.0.1', port: 9 }],
    queues: [{ name: 'outbound' }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'outbound' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'outbound' }] },
    ],
  }));
  const { app, services } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: file }) });
  const bus = new EventLog();
  t.teardown(services.get('events').subscribeAll((e) => bus.push(e)));
  await services.get('campaigns').importList(['Phone\n'], { list: 'empty', mapping: { phone: 'Phone' } });
  const put = await app.inject({ method: 'PUT', url: '/api/campaigns/cb', headers: ADMIN_AUTH, payload: { mode: 'progressive', target: { list: 'empty' }, queue: 'outbound', callerId: '+12125550000', trunk: 'pstn' } });
  t.equal(put.statusCode, 200, put.body);

  // Ann talked with two numbers of the campaign: an ordinary one, and a premium one that came in with a list.
  const attempts = new AttemptsRepository(services.get('store'));
  for (const [id, phone] of [['a1', '+12125551234'], ['a2', '+19005551234']] as const) {
    await attempts.open({ id, campaign: 'cb', phone, customerId: undefined, attempt: 1, startedAt: Date.now() });
    await attempts.update(id, { agent: 'ann', outcome: 'answered-human', status: 'ended' });
  }

  const at = new Date(Date.now() + 3_600_000).toISOString();
  const callback = async (headers: Record<string, string>, phone: string, agent?: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/campaigns/cb/callbacks', headers, payload: { phone, at, ...(agent ? { agent } : {}) } });
    return { status: res.statusCode, code: (JSON.parse(res.body) as { error?: { code?: string } }).error?.code };
  };

  t.same(await callback(ANN, '+12125551234'), { status: 200, code: undefined }, 'ann calls back a customer she talked with');
  t.same(await callback(ANN, '(212) 555-1234', 'ann'), { status: 200, code: undefined }, 'typed nationally, reserved for herself');
  t.same(await callback(ANN, '+12125559999'), { status: 403, code: 'TENOR_ERR_FORBIDDEN' }, 'not a number she called');
  t.same(await callback(ANN, '+12125551234', 'bob'), { status: 403, code: 'TENOR_ERR_FORBIDDEN' }, 'not for another agent');
  t.same(await callback(BOB, '+12125551234'), { status: 403, code: 'TENOR_ERR_FORBIDDEN' }, "not a record bob worked on");

  t.same(await callback(ANN, '+19005551234'), { status: 403, code: 'TENOR_ERR_DIALING_REFUSED' }, 'a premium number she called is still not called back');
  t.match(bus.of('dialing_refused').at(-1)?.payload, { number: '+19005551234', class: 'premium-rate', purpose: 'campaign', agent: 'ann', trunk: 'pstn' }, 'the refusal is published, naming ann');
  t.same(await callback(ADMIN_AUTH, '+19005551234'), { status: 403, code: 'TENOR_ERR_DIALING_REFUSED' }, 'an admin cannot add a premium number either');
  t.same(await callback(ADMIN_AUTH, '+442079460000'), { status: 403, code: 'TENOR_ERR_DIALING_REFUSED' }, 'nor an international one on a US site');
  t.same(await callback(ADMIN_AUTH, '+12125550123'), { status: 200, code: undefined }, 'an admin adds a new US number');

  const records = await services.get('campaigns').records('cb');
  t.same(records.map((r) => r.phone).sort(), ['+12125550123', '+12125551234'], 'only the allowed numbers became campaign records');
  const stats = JSON.parse((await app.inject({ method: 'GET', url: '/api/dialing/stats', headers: ADMIN_AUTH })).body) as { refused: number };
  t.equal(stats.refused, 3, 'three refusals counted');
});
