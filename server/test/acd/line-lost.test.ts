// A lost line (hang-up cause line-lost: a browser phone whose WebSocket went away) on the
// ACD's side, through the driver contract on the in-memory driver: the agent goes on break
// "line lost" and the customer is served again first. The real path (Chromium, the engine
// ending the leg) is in test/web-client/.

import t from 'tap';
import { agentProfile, queue } from './fixtures.js';
import { startAcd, settle } from './harness.js';

const S = 1000;

t.test('a connected agent loses the line: on break "line lost", the customer first in line again, ahead of a higher priority', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { wrapUpSeconds: 30 })], agents: ['ann', 'bob'].map((l) => agentProfile(l, ['sales'])) });
  await h.engine.login('ann');
  const first = h.driver.caller('+31205550001');
  const firstResult = h.engine.enqueueCall(first, { queue: 'sales' });
  await h.clock.advance(4 * S);
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'on-call');
  const annLeg = h.driver.bridges[0]?.b;

  const vip = h.driver.caller('+31205550002');
  void h.engine.enqueueCall(vip, { queue: 'sales', priority: 9 });
  await h.clock.advance(10 * S);
  annLeg?.farEndHangup('line-lost');
  await settle();

  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost'], 'on break at once, no wrap-up');
  t.equal(first.state, 'answered', "the customer's call stays up");
  const requeued = h.of('call_queued').filter((e) => e.callId === first.id);
  t.same(requeued.map((e) => e.position), [1, 1], 'back in line at position 1, before the priority-9 caller');

  await h.engine.login('bob');
  await settle();
  const ringingBob = h.driver.ringing('device:bob');
  t.equal(ringingBob.length, 1, 'the next agent is offered one contact');
  t.equal(ringingBob[0]?.opts.callerId?.number, '+31205550001', 'the customer whose line was lost, not the higher priority caller');
  ringingBob[0]?.answer();
  await settle();
  await h.clock.advance(5 * S);
  first.farEndHangup();
  t.same(await firstResult, { result: 'connected', agent: 'ann' }, 'the record stays answered by the first agent');

  await h.engine.flush();
  const record = await h.engine.callRecord(first.id);
  t.same(record?.segments.map((s) => [s.kind, s.agent ?? null, s.outcome]), [
    ['queue', null, 'answered'], ['agent', 'ann', 'line-lost'], ['queue', null, 'answered'], ['agent', 'bob', 'answered'],
  ], 'the record says the line was lost and who took the call after');
  t.equal(record?.waitMs, 4 * S, 'the wait kept for statistics is the first one');
  const log = await h.engine.agentStateLog({ login: 'ann' });
  t.same(log.slice(-1).map((c) => [c.from, c.to, c.reason]), [['on-call', 'break', 'line lost']]);
});

t.test('the line is lost while the phone rings: on break "line lost" (not a missed offer), the caller rings the next agent', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: ['ann', 'bob'].map((l) => agentProfile(l, ['sales'])) });
  await h.engine.login('ann');
  await h.clock.advance(1 * S);
  await h.engine.login('bob');
  const caller = h.driver.caller('+31205550003');
  void h.engine.enqueueCall(caller, { queue: 'sales' });
  await settle();
  t.equal(h.driver.ringing('device:ann').length, 1, 'ann, free longest, rings first');
  h.driver.ringing('device:ann')[0]?.reject('line-lost');
  await settle();
  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost']);
  t.equal(h.engine.agent('ann')?.consecutiveMisses, 0, 'not counted as a missed offer');
  t.same(h.of('call_offer_missed').map((e) => [e.agent, e.reason]), [['ann', 'line-lost']]);
  t.equal(h.driver.ringing('device:bob').length, 1, 'the caller is offered to the next agent at once');
});

t.test('the customer hangs up as the line is lost: the call ends, the agent is on break', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('ann', ['sales'])] });
  await h.engine.login('ann');
  const caller = h.driver.caller('+31205550004');
  const result = h.engine.enqueueCall(caller, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  const leg = h.driver.bridges[0]?.b;
  caller.farEndHangup();
  leg?.farEndHangup('line-lost');
  t.same(await result, { result: 'connected', agent: 'ann' });
  await settle();
  t.not(h.engine.agent('ann')?.state, 'on-call', 'the agent is no longer on the call');
});

t.test('acd.lineLost.fallback: the customer goes to the agent on their fallback number; after that call, the break', async (t) => {
  const device = { type: 'webrtc' as const, fallback: { number: '+31612345678', trunk: 'kpn' } };
  const h = await startAcd(t, {
    queues: [queue('sales', { wrapUpSeconds: 10 })], agents: [{ ...agentProfile('ann', ['sales']), device }], options: { lineLostFallback: true },
  });
  await h.engine.login('ann');
  const customer = h.driver.caller('+31205550005');
  const result = h.engine.enqueueCall(customer, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  h.driver.bridges[0]?.b.farEndHangup('line-lost');
  await settle();
  const home = h.driver.ringing('number:+31612345678');
  t.equal(home.length, 1, "the agent's fallback number is called");
  t.equal(home[0]?.target.kind === 'number' ? home[0].target.trunk : undefined, 'kpn', 'through the trunk the device names');
  t.equal(h.engine.agent('ann')?.state, 'on-call', 'the agent is still on the call meanwhile');
  home[0]?.answer();
  await settle();
  t.equal(customer.bridgedWith, home[0]?.call, 'the customer talks to the agent on the fallback number');
  await h.clock.advance(30 * S);
  customer.farEndHangup();
  t.same(await result, { result: 'connected', agent: 'ann' });
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', 'wrap-up after the call as usual');
  await h.clock.advance(10 * S);
  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost'], 'then on break: the browser line is still gone');
  await h.engine.flush();
  const record = await h.engine.callRecord(customer.id);
  t.same(record?.segments.map((s) => [s.kind, s.outcome, s.detail?.['device'] ?? null]), [
    ['queue', 'answered', null], ['agent', 'line-lost', null], ['agent', 'answered', 'fallback'],
  ], 'the record shows the lost line and the fallback number that took the call');
});

/** Ann logs in, answers the customer, and then her browser's line is lost. */
async function connectedThenLineLost(h: Awaited<ReturnType<typeof startAcd>>, number: string) {
  await h.engine.login('ann');
  const customer = h.driver.caller(number);
  void h.engine.enqueueCall(customer, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  h.driver.bridges[0]?.b.farEndHangup('line-lost');
  await settle();
  return customer;
}

t.test('the fallback number does not answer: the customer goes back first in line', async (t) => {
  const device = { type: 'webrtc' as const, fallback: { number: '+31612345678' } };
  const h = await startAcd(t, { queues: [queue('sales')], agents: [{ ...agentProfile('ann', ['sales']), device }], options: { lineLostFallback: true } });
  const customer = await connectedThenLineLost(h, '+31205550006');
  h.driver.ringing('number:+31612345678')[0]?.reject('busy');
  await settle();
  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost']);
  t.equal(customer.state, 'answered', "the customer's call stays up");
  t.equal(h.of('call_queued').filter((e) => e.callId === customer.id).at(-1)?.position, 1, 'back first in line');
});

t.test('without acd.lineLost.fallback the fallback number is not called', async (t) => {
  const device = { type: 'webrtc' as const, fallback: { number: '+31612345678' } };
  const h = await startAcd(t, { queues: [queue('sales')], agents: [{ ...agentProfile('ann', ['sales']), device }] });
  const customer = await connectedThenLineLost(h, '+31205550007');
  t.equal(h.driver.dialed.filter((d) => d.key === 'number:+31612345678').length, 0, 'nothing dialed');
  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost']);
});

t.test('a browser-phone agent whose phone is not registered (unreachable) is on break "line lost" at the first offer', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales')], agents: [{ ...agentProfile('ann', ['sales']), device: { type: 'webrtc' } }, agentProfile('bob', ['sales'])],
  });
  await h.engine.login('ann');
  await h.clock.advance(1 * S);
  await h.engine.login('bob');
  void h.engine.enqueueCall(h.driver.caller('+31205550008'), { queue: 'sales' });
  await settle();
  h.driver.ringing('device:ann')[0]?.reject('unreachable');
  await settle();
  t.same([h.engine.agent('ann')?.state, h.engine.agent('ann')?.reason], ['break', 'line lost'], 'not left ready to fail every caller');
  t.equal(h.driver.ringing('device:bob').length, 1, 'the caller rings the next agent');
});

t.test('a softphone agent who is unreachable just misses the offer, as before', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('ann', ['sales'])] });
  await h.engine.login('ann');
  void h.engine.enqueueCall(h.driver.caller('+31205550009'), { queue: 'sales' });
  await settle();
  h.driver.ringing('device:ann')[0]?.reject('unreachable');
  await settle();
  t.equal(h.engine.agent('ann')?.consecutiveMisses, 1);
  t.same(h.of('call_offer_missed').map((e) => e.reason), ['unreachable']);
});
