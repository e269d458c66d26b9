// Crash safety with a real SQLite file: a run dies with an attempt left
// 'dialing' (written before its INVITE). The next start closes it as
// 'unknown', keeps the number away until its retry delay, and resumes the
// running campaign with conservative pacing. Also: a ring time under 15 s is
// refused by the API, and supervisors may start but not define campaigns.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ServiceManager } from '../../src/core/service-manager.js';
import { builtinServices } from '../../src/services/index.js';
import { ADMIN_AUTH, silentLogger, startTestApp, tempDir, testConfig } from '../helpers.js';

t.test('attempts left dialing by a crash are closed as unknown and not redialed before their retry delay', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, JSON.stringify({ queues: [{ name: 'outbound' }] }));
  const config = testConfig(t, { TENOR_CONFIG: site });
  const first = await startTestApp(t, { config });
  const auth = { ...ADMIN_AUTH, 'content-type': 'text/csv' };
  await first.app.inject({ method: 'POST', url: '/api/lists/l1/import?map=phone=Phone', headers: auth, payload: 'Phone\n+4930111111\n+4930222222\n' });
  const refused = await first.app.inject({ method: 'PUT', url: '/api/campaigns/c1', headers: ADMIN_AUTH, payload: { mode: 'predictive', target: { list: 'l1' }, queue: 'outbound', callerId: '+4930100', ringTimeSeconds: 12 } });
  t.equal(refused.statusCode, 400);
  t.match(JSON.parse(refused.body), { error: { code: 'TENOR_ERR_CAMPAIGN_RING_TIME' } }, 'ring time under 15 s refused');
  const put = await first.app.inject({
    method: 'PUT', url: '/api/campaigns/c1', headers: ADMIN_AUTH,
    payload: { mode: 'predictive', target: { list: 'l1' }, queue: 'outbound', callerId: '+4930100', retry: { unknown: { retry: true, delayMinutes: 30 } } },
  });
  t.equal(put.statusCode, 200, put.body);
  t.match(JSON.parse((await first.app.inject({ method: 'POST', url: '/api/campaigns/c1/start', headers: ADMIN_AUTH })).body), { status: 'running', conservative: false });

  // The crash: an attempt on disk as 'dialing', its record in progress, and the process gone without cleaning up.
  const db = first.services.get('store');
  const startedAt = Date.now() - 60_000;
  await db.run(`INSERT INTO campaign_attempts (id, campaign, phone, attempt, status, started_at) VALUES ('a-crash', 'c1', '+4930111111', 1, 'dialing', ?)`, [startedAt]);
  await db.run(`UPDATE campaign_records SET state = 'in-progress', attempts = 1 WHERE campaign = 'c1' AND phone = '+4930111111'`);
  await first.app.close();
  await first.services.stopAll();

  const services = new ServiceManager({ logger: silentLogger });
  for (const def of builtinServices(config)) services.register(def);
  await services.startAll();
  t.teardown(() => services.stopAll());
  const campaigns = services.get('campaigns');
  const attempt = await campaigns.attempt('a-crash');
  t.match(attempt, { status: 'ended', outcome: 'unknown' }, 'closed as unknown');
  const records = await campaigns.records('c1');
  const crashed = records.find((r) => r.phone === '+4930111111');
  t.match(crashed, { state: 'pending', attempts: 1, lastOutcome: 'unknown' });
  t.equal(crashed?.nextDueAt, startedAt + 30 * 60_000, 'due again only after the unknown-outcome retry delay');
  const view = await campaigns.get('c1');
  t.match(view, { status: 'running', conservative: true }, 'the campaign resumed, pacing conservative');
  const next = await campaigns.dialer('c1')?.nextRecords(5, Date.now());
  t.notOk(next?.some((r) => r.phone === '+4930111111'), 'the number is not among the next to dial');
});

t.test('supervisors start campaigns but may not define them', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  writeFileSync(site, JSON.stringify({ queues: [{ name: 'outbound' }] }));
  const { app, services } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: site }) });
  await services.get('users').create({ username: 'sue', displayName: 'Sue', password: 'sue-pass-word-1', role: 'supervisor' });
  const sue = { authorization: 'Basic ' + Buffer.from('sue:sue-pass-word-1').toString('base64') };
  const body = { mode: 'progressive', target: { segment: 'A' }, queue: 'outbound', callerId: '+4930100' };
  t.equal((await app.inject({ method: 'PUT', url: '/api/campaigns/c2', headers: sue, payload: body })).statusCode, 403);
  t.equal((await app.inject({ method: 'PUT', url: '/api/campaigns/c2', headers: ADMIN_AUTH, payload: body })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/api/campaigns/c2/start', headers: sue })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/api/campaigns/c2/pause', headers: sue })).statusCode, 200);
  t.match(JSON.parse((await app.inject({ method: 'GET', url: '/api/campaigns/c2/figures', headers: sue })).body), { campaign: 'c2', status: 'paused', dialed: 0 });
});
