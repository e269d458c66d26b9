// Call controls on a connected ACD call (hold, hang up, blind and attended
// transfer) through the driver contract, on the in-memory driver and the
// simulated clock: who is bridged to whom, which phone rings, agent states,
// and what the call record says. test/call-control-sip/ proves the same over
// real SIP and RTP.

import t from 'tap';
import { TenorError } from '../../src/core/errors.js';
import { agentProfile, queue } from './fixtures.js';
import { startAcd, settle, type Harness } from './harness.js';
import type { MemoryCall } from './memory-driver.js';

const S = 1000;

/** A caller in `q` answered by `login` (ready, the only one ringing). */
async function connected(h: Harness, login: string, q = 'sales'): Promise<{ caller: MemoryCall; agentLeg: MemoryCall; result: Promise<unknown> }> {
  const caller = h.driver.caller('+31205550001', 'Carla');
  const result = h.engine.enqueueCall(caller, { queue: q });
  await settle();
  const ringing = h.driver.ringing(`device:${login}`);
  if (ringing.length !== 1 || !ringing[0]) throw new Error(`${login} is not ringing`);
  ringing[0].answer();
  await settle();
  return { caller, agentLeg: ringing[0].call, result };
}

const openBridges = (h: Harness): Array<[string, string]> => h.driver.bridges.filter((b) => b.open).map((b) => [b.a.id, b.b.id]);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err instanceof TenorError ? err.code : String(err);
  }
}

t.test('hold plays the queue music to the customer, counts hold time, unhold reconnects; hangup ends the call and starts wrap-up', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { musicOnHold: 'jazz', wrapUpSeconds: 30 })], agents: [agentProfile('ann', ['sales'])] });
  await h.engine.login('ann');
  const { caller, agentLeg, result } = await connected(h, 'ann');
  t.same(openBridges(h), [[caller.id, agentLeg.id]], 'customer and agent bridged');
  t.equal(h.engine.connectedLegs('ann')?.customer, caller, 'connectedLegs gives the customer leg while bridged');
  t.equal(await code(h.engine.unholdCall('ann')), 'TENOR_ERR_CALL_STATE', 'unhold when not held: a state error');

  await h.clock.advance(10 * S);
  const held = await h.engine.holdCall('ann');
  t.match(held, { callId: caller.id, recordId: caller.id, queue: 'sales', kind: 'call', held: true, consult: null, caller: { number: '+31205550001', customerName: 'Carla' } });
  t.same(openBridges(h), [], 'unbridged while on hold');
  t.equal(h.engine.connectedLegs('ann'), undefined, 'no bridged legs while on hold');
  const music = caller.plays.at(-1);
  t.match(music, { prompts: ['jazz'], loop: true, result: undefined }, "the customer hears the queue's music");
  t.equal(await code(h.engine.holdCall('ann')), 'TENOR_ERR_CALL_STATE', 'hold twice: a state error');

  await h.clock.advance(20 * S);
  const back = await h.engine.unholdCall('ann');
  t.equal(back.held, false);
  t.equal(music?.result, 'stopped', 'music stops');
  t.same(openBridges(h), [[caller.id, agentLeg.id]], 'bridged again');
  await h.clock.advance(5 * S);

  await h.engine.hangupCall('ann');
  await settle();
  t.equal(caller.state, 'ended', "the customer's leg is hung up");
  t.equal(agentLeg.state, 'ended', "the agent's leg is hung up");
  t.same(await result, { result: 'connected', agent: 'ann' });
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', 'the agent wraps up');
  t.equal(await code(h.engine.hangupCall('ann')), 'TENOR_ERR_NO_CALL', 'no call any more');
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same([record?.outcome, record?.agent, record?.holdMs, record?.talkMs, record?.live], ['answered', 'ann', 20 * S, 15 * S, false], 'hold 20 s, talk 15 s');
  t.same(h.of('call_control').map((e) => e.action), ['hold', 'unhold', 'hangup']);
});

t.test('blind transfer to a queue: the same call waits there, is answered by its agent; the first agent wraps up; one record', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { wrapUpSeconds: 30 }), queue('support')],
    agents: [agentProfile('ann', ['sales']), agentProfile('bob', ['support'])],
  });
  await h.engine.login('ann');
  const { caller, result } = await connected(h, 'ann');
  await h.clock.advance(10 * S);
  t.equal(await code(h.engine.transferCall('ann', { type: 'queue', queue: 'nowhere' })), 'TENOR_ERR_NOT_FOUND', 'unknown queue');
  await h.engine.transferCall('ann', { type: 'queue', queue: 'support' });
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', 'ann leaves at once, to wrap-up');
  t.equal(caller.state, 'answered', 'the customer stays');
  t.same(h.engine.router.waiting('support').map((e) => e.callId), [caller.id], 'the customer waits in support');
  t.match(caller.plays.at(-1), { prompts: ['music-on-hold'], loop: true }, 'with music');

  await h.clock.advance(5 * S);
  await h.engine.login('bob');
  await settle();
  const atBob = h.driver.ringing('device:bob');
  t.equal(atBob.length, 1, "bob's phone rings");
  atBob[0]?.answer();
  await settle();
  t.equal(h.engine.agent('bob')?.state, 'on-call');
  t.same(openBridges(h), [[caller.id, atBob[0]?.call.id]], 'the customer talks to bob');
  await h.clock.advance(7 * S);
  caller.farEndHangup();
  t.same(await result, { result: 'connected', agent: 'ann' }, 'answered by ann, for whoever put the call in the ACD');
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same([record?.outcome, record?.agent, record?.queue, record?.talkMs, record?.live], ['answered', 'ann', 'sales', 17 * S, false], 'still answered by ann in sales; talk adds up');
  t.same(record?.segments.map((s) => [s.kind, s.queue, s.agent ?? null, s.outcome]), [
    ['queue', 'sales', null, 'answered'], ['agent', 'sales', 'ann', 'transferred'], ['transfer', 'sales', 'ann', 'queued'],
    ['queue', 'support', null, 'answered'], ['agent', 'support', 'bob', 'answered'],
  ]);
  t.same(record?.segments.find((s) => s.kind === 'transfer')?.detail, { mode: 'blind', target: { type: 'queue', queue: 'support' } });
  t.same(h.of('call_ended').length, 1, 'call_ended once');
});

t.test('blind transfer to an agent: only a ready agent; rings them alone; when they do not answer the customer goes back to the queue', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { ringTimeoutSeconds: 10 })],
    agents: [agentProfile('ann', ['sales']), agentProfile('bob', ['sales']), agentProfile('cy', ['sales'])],
  });
  await h.engine.login('ann');
  const { caller, result } = await connected(h, 'ann');
  t.equal(await code(h.engine.transferCall('ann', { type: 'agent', agent: 'bob' })), 'TENOR_ERR_AGENT_NOT_AVAILABLE', 'bob is logged out');
  t.equal(await code(h.engine.transferCall('ann', { type: 'agent', agent: 'ann' })), 'TENOR_ERR_AGENT_NOT_AVAILABLE', 'not to oneself');
  t.equal(h.engine.agent('ann')?.state, 'on-call', 'a refused transfer leaves the call as it was');
  await h.engine.login('bob');
  await h.engine.login('cy');
  await h.engine.takeBreak('cy', 'coffee');
  await h.engine.transferCall('ann', { type: 'agent', agent: 'bob' });
  await settle();
  t.equal(h.engine.agent('bob')?.state, 'offered', 'bob is offered the call (the ACD offers him nothing else)');
  t.equal(h.driver.ringing('device:bob').length, 1, "bob's phone rings");
  t.equal(h.engine.agent('ann')?.state, 'ready', 'ann is free (no wrap-up in this queue)');
  t.equal(h.driver.ringing('device:ann').length, 0, 'ann is not offered her own transfer while bob rings');
  await h.clock.advance(10 * S);
  await settle();
  t.equal(h.engine.agent('bob')?.state, 'ready', 'bob missed it');
  // Back in sales, the first free agent gets it: ann (bob just missed it, so he comes after her).
  const atAnn = h.driver.ringing('device:ann');
  t.equal(atAnn.length, 1, 'the customer is back in the queue and offered again');
  atAnn[0]?.answer();
  await settle();
  caller.farEndHangup();
  t.same(await result, { result: 'connected', agent: 'ann' });
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same(record?.segments.map((s) => [s.kind, s.agent ?? null, s.outcome]), [
    ['queue', null, 'answered'], ['agent', 'ann', 'transferred'], ['agent', 'bob', 'no-answer'], ['transfer', 'ann', 'failed'],
    ['queue', null, 'answered'], ['agent', 'ann', 'answered'],
  ]);
});

t.test('attended transfer: consult, cancel back to the customer, consult again and complete', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { wrapUpSeconds: 30, musicOnHold: 'jazz' })],
    agents: [agentProfile('ann', ['sales']), agentProfile('bob', ['sales'])],
  });
  await h.engine.login('ann');
  const { caller, agentLeg, result } = await connected(h, 'ann');
  await h.engine.login('bob');
  await settle();
  t.equal(await code(h.engine.consultCall('ann', { type: 'queue', queue: 'sales' })), 'TENOR_ERR_VALIDATION', 'a queue cannot be consulted');
  t.equal(await code(h.engine.completeConsult('ann')), 'TENOR_ERR_CALL_STATE', 'nothing to complete');

  const dialing = await h.engine.consultCall('ann', { type: 'agent', agent: 'bob' });
  t.match(dialing, { held: true, consult: { target: { type: 'agent', agent: 'bob' }, state: 'dialing' } });
  t.match(caller.plays.at(-1), { prompts: ['jazz'], loop: true, result: undefined }, 'the customer hears music');
  t.equal(await code(h.engine.completeConsult('ann')), 'TENOR_ERR_CALL_STATE', 'not before bob answers');
  t.equal(await code(h.engine.unholdCall('ann')), 'TENOR_ERR_CALL_STATE', 'no unhold during a consult');
  const atBob = h.driver.ringing('device:bob');
  atBob[0]?.answer();
  await settle();
  t.match(h.engine.connectedCall('ann').consult, { state: 'talking' });
  t.equal(h.engine.agent('bob')?.state, 'on-call');
  t.same(openBridges(h), [[agentLeg.id, atBob[0]?.call.id]], 'ann talks to bob; the customer is not bridged');

  const cancelled = await h.engine.cancelConsult('ann');
  t.match(cancelled, { held: false, consult: null });
  t.equal(atBob[0]?.call.state, 'ended', "bob's leg is hung up");
  t.equal(h.engine.agent('bob')?.state, 'ready', 'bob is free again, without wrap-up');
  t.same(openBridges(h), [[caller.id, agentLeg.id]], 'ann is back with the customer');

  await h.engine.consultCall('ann', { type: 'agent', agent: 'bob' });
  const again = h.driver.ringing('device:bob');
  again[0]?.answer();
  await settle();
  await h.clock.advance(4 * S);
  await h.engine.completeConsult('ann');
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', 'ann wraps up');
  t.equal(agentLeg.state, 'ended', "ann's leg is hung up");
  t.same(openBridges(h), [[caller.id, again[0]?.call.id]], 'the customer talks to bob');
  t.equal(h.engine.connectedCall('bob').callId, caller.id, 'bob has the call, with its controls');
  await h.engine.holdCall('bob');
  await h.clock.advance(3 * S);
  await h.engine.unholdCall('bob');
  await h.engine.hangupCall('bob');
  t.same(await result, { result: 'connected', agent: 'ann' });
  t.equal(h.engine.agent('bob')?.state, 'wrap-up');
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same([record?.outcome, record?.agent, record?.holdMs, record?.live], ['answered', 'ann', 7 * S, false], 'hold with ann (4 s) and bob (3 s)');
  t.same(record?.segments.map((s) => [s.kind, s.agent ?? null, s.outcome]), [
    ['queue', null, 'answered'], ['agent', 'ann', 'transferred'], ['agent', 'bob', 'consult-cancelled'], ['agent', 'bob', 'answered'], ['transfer', 'ann', 'connected'],
  ]);
  t.same(h.of('call_control').map((e) => `${e.agent}:${e.action}`), [
    'ann:consult', 'ann:consult-answered', 'ann:consult-cancel', 'ann:consult', 'ann:consult-answered', 'ann:consult-complete', 'bob:hold', 'bob:unhold', 'bob:hangup',
  ]);
});

t.test('transfer to a number: dialed through the trunk and bridged on answer; a consult that is not answered leaves the customer on hold', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('ann', ['sales'])], options: { transferRingTimeoutMs: 20 * S } });
  await h.engine.login('ann');
  const { caller, agentLeg, result } = await connected(h, 'ann');

  await h.engine.consultCall('ann', { type: 'number', number: '+4930111', trunk: 'pstn' });
  await h.clock.advance(20 * S);
  await settle();
  t.match(h.engine.connectedCall('ann'), { held: true, consult: null }, 'not answered: the customer stays on hold with ann');
  t.ok(h.of('call_control').some((e) => e.action === 'consult-ended'), 'consult-ended published');

  await h.engine.transferCall('ann', { type: 'number', number: '+4930222', trunk: 'pstn' });
  await settle();
  const out = h.driver.ringing('number:+4930222');
  t.equal(out.length, 1, 'the number is dialed');
  t.match(out[0]?.target, { kind: 'number', number: '+4930222', trunk: 'pstn' }, 'through the trunk asked for');
  t.equal(out[0]?.opts.callerId?.number, '+31205550001', "showing the customer's number");
  t.equal(agentLeg.state, 'ended', 'ann left at once');
  out[0]?.answer();
  await settle();
  t.same(openBridges(h), [[caller.id, out[0]?.call.id]], 'the customer talks to the number');
  out[0]?.call.farEndHangup();
  await settle();
  t.equal(caller.state, 'ended', 'the customer is hung up when the far end hangs up');
  t.same(await result, { result: 'connected', agent: 'ann' });
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.match(record?.segments.at(-1), { kind: 'transfer', outcome: 'connected', detail: { mode: 'blind', target: { type: 'number', number: '+4930222' } } });
  t.equal(h.engine.activeContacts(), 0, 'nothing left in the ACD');
});

t.test('during a consult: the agent hanging up completes the transfer; the customer hanging up ends the consult leg too', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { wrapUpSeconds: 30 })], agents: [agentProfile('ann', ['sales']), agentProfile('bob', ['sales'])] });
  await h.engine.login('ann');
  const first = await connected(h, 'ann');
  await h.engine.login('bob');
  await settle();
  await h.engine.consultCall('ann', { type: 'agent', agent: 'bob' });
  const bobLeg = h.driver.ringing('device:bob')[0];
  bobLeg?.answer();
  await settle();
  first.agentLeg.farEndHangup();
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'wrap-up', "ann's phone hung up: she wraps up");
  t.same(openBridges(h), [[first.caller.id, bobLeg?.call.id]], 'the customer was handed to bob, as on a desk phone');
  t.equal(h.engine.connectedCall('bob').callId, first.caller.id, 'bob has the call');
  t.same(h.of('call_control').map((e) => e.action), ['consult', 'consult-answered', 'consult-complete'], 'published as a completed consult');

  // Bob consults ann: refused while she wraps up; once she is ready he consults her, and the customer hangs up meanwhile.
  t.equal((await code(h.engine.consultCall('bob', { type: 'agent', agent: 'ann' }))), 'TENOR_ERR_AGENT_NOT_AVAILABLE', 'ann in wrap-up cannot be consulted');
  h.engine.ready('ann');
  await settle();
  await h.engine.consultCall('bob', { type: 'agent', agent: 'ann' });
  const annLeg = h.driver.ringing('device:ann')[0];
  annLeg?.answer();
  await settle();
  t.equal(h.engine.agent('ann')?.state, 'on-call', 'ann talks to bob');
  first.caller.farEndHangup();
  await settle();
  t.equal(annLeg?.call.state, 'ended', "the consult leg is hung up with the customer's call");
  t.equal(h.engine.agent('ann')?.state, 'ready', 'ann, only consulted, is free at once');
  t.equal(h.engine.agent('bob')?.state, 'wrap-up', 'bob wraps up');
  t.same(await first.result, { result: 'connected', agent: 'ann' });
  t.same(h.of('call_ended').length, 1, 'call_ended once');
  t.equal(h.engine.activeContacts(), 0, 'nothing left in the ACD');
});
