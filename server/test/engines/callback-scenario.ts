// Callback that keeps the place in line, over real SIP, on any engine: a caller
// presses the callback key (RFC 4733 from SIPp), hears goodbye and is hung up
// on; a later caller waits. When the agent becomes ready, the callback is
// offered first: the agent's softphone answers, Tenor calls the customer back
// through the trunk (the SIPp home network answers), and only then is the
// later caller served. Run by acd-sip/callback.test.ts (embedded engine) and
// freeswitch/callback.test.ts.
import type { Test } from 'tap';
import { agentPhone, caller, finished, homeNetwork, keyCaller, ms, sleep, startSite, trunkTo } from '../acd-sip/site.js';
import { runsOn, type TestEngine } from './engine.js';

export const CALLBACK_FIRST = 'a caller who asked for a callback before a later caller is served first';

export async function callbackScenario(t: Test, engine: TestEngine): Promise<void> {
  const home = await homeNetwork(t);
  const s = await startSite(t, engine.site({
    trunks: [trunkTo(home)],
    dialing: { allow: ['+31'] }, // the callers call from the Netherlands: their callbacks are international
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, callbackKey: '*', callback: { attempts: 1, ringTimeoutSeconds: 10 } }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  }));
  runsOn(t, engine, s.engine);
  const phone = await agentPhone(t, s, 'ann');
  await s.setState('ann', 'break', 'coffee'); // logged in, not taking calls yet

  // First caller: presses * (no number typed: the caller ID is used), is told goodbye.
  const first = await keyCaller(t, s, { number: '+15550100', caller: '+31201110001', keys: '*' });
  const requested = await s.bus.wait('callback_requested', () => true, 30_000);
  t.equal(requested.payload.number, '+31201110001', 'callback to the caller ID');
  await finished(first, 'the caller who asked for a callback');

  // Second caller arrives later and waits.
  const second = await caller(t, s, { number: '+15550100', caller: '+31201110002', stayMs: 20_000 });
  await s.bus.wait('call_queued', (p) => p.kind === 'call' && s.bus.of('call_queued').length >= 2);

  const ready = s.bus.events.length;
  await s.setState('ann', 'ready');
  const offered = await s.bus.wait('call_offered', () => true, 20_000, ready);
  t.equal(offered.payload.kind, 'callback', 'the callback is offered first');
  const cbAnswered = await s.bus.wait('call_answered', (p) => p.kind === 'callback', 30_000);
  t.equal(cbAnswered.payload.agent, 'ann', 'ann took the callback');
  const attempted = await s.bus.wait('callback_attempted');
  t.match(attempted.payload, { number: '+31201110001', result: 'answered', attempt: 1 }, 'the customer answered the first attempt');

  // Ann talks with the customer for 2 s, then hangs up; then the second caller is hers.
  await sleep(2000);
  const mark = phone.mark();
  await phone.hangup();
  await phone.waitForEvent('CALL_CLOSED', { from: mark, timeoutMs: 10_000 });
  const answered = await s.bus.wait('call_answered', (p) => p.kind === 'call', 30_000);
  t.equal(answered.payload.agent, 'ann', 'then the later caller');
  const order = s.bus.of('call_answered').map((e) => e.payload.kind);
  t.same(order, ['callback', 'call'], 'callback first, later caller second');

  await finished(second, 'the later caller');
  // call_ended comes for the first call (it ended as a callback request), the callback and the later call.
  await s.bus.atLeast('call_ended', 3);
  t.same(s.bus.of('call_ended').map((e) => e.payload.outcome).sort(), ['answered', 'answered', 'callback'], 'each call ended once, the first as a callback request');
  const records = await s.calls();
  const byId = new Map(records.map((r) => [r.id, r]));
  const firstRecord = records.find((r) => r.from === '+31201110001' && r.direction === 'inbound');
  const cbRecord = firstRecord ? byId.get(`${firstRecord.id}:callback`) : undefined;
  const secondRecord = records.find((r) => r.from === '+31201110002');
  t.match(firstRecord, { outcome: 'callback', queue: 'sales', live: false }, 'the first call ended as a callback request');
  t.match(cbRecord, { direction: 'outbound', to: '+31201110001', outcome: 'answered', agent: 'ann', live: false }, 'the callback record');
  t.match(secondRecord, { outcome: 'answered', agent: 'ann', live: false }, 'the later caller answered');
  if (cbRecord && secondRecord && firstRecord) {
    t.ok(ms(cbRecord.answeredAt) < ms(secondRecord.answeredAt), 'callback answered before the later caller');
    t.ok(ms(firstRecord.arrivedAt) < ms(secondRecord.arrivedAt), 'the callback caller had come first');
    t.ok(cbRecord.segments.some((g) => g.kind === 'callback' && g.outcome === 'answered'), 'a callback attempt that reached the customer');
    // The later caller waited from arrival until ann was free: wait + talk = the 20 s it stayed.
    t.ok(Math.abs((secondRecord.waitSeconds ?? 0) + (secondRecord.talkSeconds ?? 0) - 20) <= 1, `wait ${secondRecord.waitSeconds} s + talk ${secondRecord.talkSeconds} s = 20 s (± 1 s)`);
    t.ok((secondRecord.waitSeconds ?? 0) >= 2, `the later caller waited through the callback (${secondRecord.waitSeconds} s)`);
    t.ok(Math.abs(ms(secondRecord.answeredAt) - ms(secondRecord.queuedAt) - (secondRecord.waitSeconds ?? 0) * 1000) <= 100, 'wait = queued to answered');
  }
  const homeResult = await home.stop(5000);
  t.match(homeResult.logs, /INVITE-NUMBER \+31201110001/, 'the customer was called back through the trunk');
}
