// Blind transfer over real SIP: a SIPp customer answered by ann (baresip) is
// transferred through the REST API to the support queue, where bob's
// softphone rings and answers; ann goes to wrap-up at once. A second customer
// is transferred to bob by name: refused while he is busy, offered to him
// alone once he is ready. One call record per customer, answered by ann, with
// a transfer segment.
import t from 'tap';
import { finished, within } from '../acd-sip/site.js';
import { customer, readyAgent, startControlSite } from './site.js';

t.test('blind transfer to a queue and to an agent', async (t) => {
  const s = await startControlSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 30 }, { name: 'support', ringTimeoutSeconds: 10 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'support' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const ann = await readyAgent(t, s, 'ann');
  const bob = await readyAgent(t, s, 'bob');
  await s.setState('bob', 'break');

  // First customer: ann answers, tries bob (on break: refused), then sends the customer to support.
  const first = await customer(t, s, { number: '+15550100', caller: '+31201110001' });
  const firstAnswer = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const firstId = firstAnswer.payload.callId;
  t.match(await s.control('ann', 'POST', '/transfer', { target: { type: 'agent', agent: 'bob' } }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_NOT_AVAILABLE' } } }, 'bob on break: 409');
  await s.setState('bob', 'ready');
  const annMark = ann.mark();
  t.match(await s.control('ann', 'POST', '/transfer', { target: { type: 'queue', queue: 'support' } }), { status: 202, body: { transferred: true } }, 'transferred to support');
  t.equal(s.acd.agent('ann')?.state, 'wrap-up', 'ann goes to wrap-up at once');
  await within(ann.waitForEvent('CALL_CLOSED', { from: annMark, timeoutMs: 10_000 }), 12_000, "ann's phone hung up");
  const bobAnswer = await s.bus.wait('call_answered', (p) => p.agent === 'bob', 30_000);
  t.equal(bobAnswer.payload.callId, firstId, 'bob answered the same customer call');
  t.equal(bobAnswer.payload.queue, 'support', 'from the support queue');
  await within(bob.waitForEvent('CALL_RTPESTAB', { timeoutMs: 10_000 }), 12_000, "RTP at bob's phone");
  t.equal(s.acd.connectedLegs('bob')?.callId, firstId, 'the customer and bob are bridged');
  t.match(await s.control('bob', 'GET', ''), { status: 200, body: { callId: firstId, queue: 'support', held: false } }, 'bob has the call with its controls');
  t.match(await s.control('bob', 'POST', '/hold', undefined, 'ann'), { status: 403 }, "ann may not control bob's call");
  t.match(await s.control('bob', 'GET', '', undefined, 'admin'), { status: 200, body: { callId: firstId, monitors: [] } }, 'an admin (or supervisor) may');

  // Second customer: ann again; bob is busy (409), then free: offered to him alone.
  await s.setState('ann', 'ready');
  const second = await customer(t, s, { number: '+15550100', caller: '+31201110002' });
  const secondAnswer = await s.bus.wait('call_answered', (p) => p.agent === 'ann' && p.callId !== firstId, 30_000);
  const secondId = secondAnswer.payload.callId;
  t.match(await s.control('ann', 'POST', '/transfer', { target: { type: 'agent', agent: 'bob' } }), { status: 409, body: { error: { code: 'TENOR_ERR_AGENT_NOT_AVAILABLE' } } }, 'bob on a call: 409');
  const bobMark = bob.mark();
  await bob.hangup();
  await finished(first, 'the first customer (BYE when bob hangs up)', 20_000);
  await s.bus.wait('agent_state_changed', (p) => p.login === 'bob' && p.to === 'ready', 10_000, s.bus.events.length - 5);
  t.match(await s.control('ann', 'POST', '/transfer', { target: { type: 'agent', agent: 'bob' } }), { status: 202 }, 'transferred to bob');
  const offered = await s.bus.wait('call_offered', (p) => p.callId === secondId && p.agents.includes('bob'), 10_000);
  t.same(offered.payload.agents, ['bob'], 'offered to bob alone');
  await s.bus.wait('call_answered', (p) => p.agent === 'bob' && p.callId === secondId, 20_000);
  await within(bob.waitForEvent('CALL_ESTABLISHED', { from: bobMark, timeoutMs: 10_000 }), 12_000, "bob's phone took the call");
  t.equal(s.acd.connectedLegs('bob')?.callId, secondId, 'the second customer and bob are bridged');
  await bob.hangup();
  await finished(second, 'the second customer', 20_000);

  const r1 = await s.record(firstId);
  t.match(r1, { outcome: 'answered', agent: 'ann', queue: 'sales', live: false }, 'first record: answered by ann in sales');
  t.same(r1.segments.map((g) => [g.kind, g.queue, g.agent, g.outcome]), [
    ['queue', 'sales', null, 'answered'], ['agent', 'sales', 'ann', 'transferred'], ['transfer', 'sales', 'ann', 'queued'],
    ['queue', 'support', null, 'answered'], ['agent', 'support', 'bob', 'answered'],
  ], 'first record: queue, ann, transfer, support queue, bob');
  t.same(r1.segments.find((g) => g.kind === 'transfer')?.detail, { mode: 'blind', target: { type: 'queue', queue: 'support' } });
  const r2 = await s.record(secondId);
  t.same(r2.segments.map((g) => [g.kind, g.agent, g.outcome]), [
    ['queue', null, 'answered'], ['agent', 'ann', 'transferred'], ['agent', 'bob', 'answered'], ['transfer', 'ann', 'connected'],
  ], 'second record: ann, then bob by name');
  t.equal(s.bus.of('call_ended').length, 2, 'each call ended once');
});
