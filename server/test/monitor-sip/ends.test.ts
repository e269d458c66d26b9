// How a monitor ends besides DELETE and hang-ups, over real SIP: the call
// ending while the supervisor's phone still rings (the request is refused and
// the phone stops ringing), and a blind transfer taking the call away from the
// agent (the monitor ends, Tenor hangs up the supervisor's phone).
import t from 'tap';
import { Baresip } from '../../../telephony/test/peers/index.js';
import { agentPhone, caller, finished, sleep, within } from '../acd-sip/site.js';
import { startMonitorSite } from './harness.js';
import { deviceSecret } from '../sip-devices.js';

const sue = { username: 'sue', password: 'sue-secret-1' };
const ann = { username: 'ann', password: 'ann-secret-word' };

t.test('the call ending while the supervisor\'s phone rings, and a blind transfer, end the monitor', async (t) => {
  const s = await startMonitorSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 0 }, { name: 'support' }],
    agents: [{ login: 'ann', name: 'Ann', password: ann.password, queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  }, [{ ...sue, role: 'supervisor' }]);
  await agentPhone(t, s, 'ann');
  // Sue answers by hand (or not at all).
  const suePhone = await Baresip.start({ user: 'sue', registrar: s.sip, password: deviceSecret('sue'), registerIntervalS: 300, autoAnswer: false, mic: { sineHz: 1200 } });
  t.teardown(() => suePhone.stop());
  t.equal(await suePhone.waitForRegistration(15_000), 'ok', "the supervisor's softphone registered");
  await s.setState('ann', 'ready');
  const bridged = (): Promise<void> => within((async () => { while (!s.acd.connectedLegs('ann')) await sleep(50); })(), 15_000, 'the bridge');

  // 1. The caller hangs up while sue's phone rings.
  const first = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 5000 });
  await bridged();
  const ringing = suePhone.mark();
  const pending = s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  await suePhone.waitForEvent('CALL_INCOMING', { from: ringing, timeoutMs: 5000 });
  t.pass("the supervisor's phone rings");
  await finished(first, 'the first caller');
  const refused = await within(pending, 10_000, 'the monitor request');
  t.match(refused, { status: 409, body: { error: { code: 'TENOR_ERR_CALL_STATE' } } }, `the call ended before sue answered: 409 (${JSON.stringify(refused.body)})`);
  await suePhone.waitForEvent('CALL_CLOSED', { from: ringing, timeoutMs: 5000 });
  t.pass("the supervisor's phone stopped ringing");
  t.equal(s.bus.of('monitor_started').length + s.bus.of('monitor_ended').length, 0, 'no monitor was announced');
  t.same((await s.request(sue, 'GET', '/api/monitors')).body, [], 'no monitor left');

  // 2. A blind transfer to another queue takes the call away from ann.
  await within((async () => { while ((await s.agentView('ann')).state !== 'ready') await sleep(100); })(), 15_000, 'ann ready again');
  await caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 20_000 });
  await bridged();
  const mark = suePhone.mark();
  const pending2 = s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'barge' });
  await suePhone.waitForEvent('CALL_INCOMING', { from: mark, timeoutMs: 5000 });
  await suePhone.accept();
  const started = await within(pending2, 10_000, 'the monitor request');
  t.match(started, { status: 201, body: { mode: 'barge', supervisor: 'sue' } }, 'sue answered by hand and barges in');
  const id = String(started.body['id']);
  const closedMark = suePhone.mark();
  const transferred = await s.request(ann, 'POST', '/api/agents/ann/call/transfer', { target: { type: 'queue', queue: 'support' } });
  t.equal(transferred.status, 202, 'ann transferred the caller to support');
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === id, 10_000)).payload, { id, reason: 'call-ended' }, 'monitor_ended after the transfer');
  await suePhone.waitForEvent('CALL_CLOSED', { from: closedMark, timeoutMs: 5000 });
  t.pass("the supervisor's phone was hung up");
  t.match(await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' }), { status: 404, body: { error: { code: 'TENOR_ERR_NO_CALL' } } }, 'ann has no call to monitor any more');
});
