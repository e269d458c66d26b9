// The ACD handling calls through the driver contract: what callers hear, which
// agent's phone rings, when, and what the call records say afterwards.
//
// These run against test/acd/memory-driver.ts, an in-memory driver that stands
// in for the embedded engine only until the SIP end-to-end tests (SIPp callers,
// baresip agents, a SIPp "home phone" behind a trunk) are added. It is not a
// substitute for them.

import t from 'tap';
import { FakeClock } from './fake-clock.js';
import { agentProfile, queue } from './fixtures.js';
import { startAcd, settle } from './harness.js';
import { PROMPT_MS } from './memory-driver.js';

const S = 1000;

t.test('longest-idle across three agents: each caller rings the agent free the longest; records have the right times', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { strategy: 'longest-idle' })], agents: ['a', 'b', 'c'].map((l) => agentProfile(l, ['sales'])) });
  const t0 = h.clock.now();
  await h.engine.login('a');
  await h.clock.advance(1 * S);
  await h.engine.login('b');
  await h.clock.advance(1 * S);
  await h.engine.login('c');
  await h.clock.advance(1 * S);

  const callers = ['+31205550001', '+31205550002', '+31205550003'].map((n) => h.driver.caller(n));
  const results = [];
  const rang: string[] = [];
  for (const caller of callers) {
    results.push(h.engine.enqueueCall(caller, { queue: 'sales' }));
    await settle();
    const ringing = h.driver.dialed.filter((d) => !d.settled);
    t.equal(ringing.length, 1, 'one phone rings per caller');
    rang.push(ringing[0]?.key ?? '');
    await h.clock.advance(3 * S);
    ringing[0]?.answer();
    await settle();
  }
  t.same(rang, ['device:a', 'device:b', 'device:c'], 'a was free longest, then b, then c');
  t.equal(h.driver.bridges.length, 3, 'each caller is bridged to the agent who answered');
  t.same(h.engine.agents().map((a) => a.state), ['on-call', 'on-call', 'on-call']);

  await h.clock.advance(60 * S);
  callers[0]?.farEndHangup();
  t.same(await results[0], { result: 'connected', agent: 'a' });
  t.equal(h.engine.agent('a')?.state, 'ready', 'no wrap-up configured: ready at once');
  t.equal(h.driver.bridges[0]?.b.state, 'ended', "the agent's leg is hung up");
  await h.engine.flush();
  const record = await h.engine.callRecord(callers[0]?.id ?? '');
  t.same(
    [record?.outcome, record?.queue, record?.agent, record?.waitMs, record?.talkMs, record?.wrapUpMs, record?.live, (record?.arrivedAt ?? 0) - t0],
    ['answered', 'sales', 'a', 3 * S, 60 * S + 6 * S, 0, false, 3 * S],
  );
  t.same(record?.segments.map((s) => [s.kind, s.agent ?? null, s.outcome]), [['queue', null, 'answered'], ['agent', 'a', 'answered']]);
  t.same(h.of('call_answered').map((e) => [e.agent, e.waitMs]), [['a', 3 * S], ['b', 3 * S], ['c', 3 * S]]);
});

t.test('ring timeout moves the offer to the next agent; N unanswered offers put the agent on break "no answer"', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { ringTimeoutSeconds: 15 })],
    agents: [agentProfile('a', ['sales']), agentProfile('b', ['sales'])],
    options: { maxMissedOffers: 2 },
  });
  await h.engine.login('a');
  await h.clock.advance(1 * S);
  await h.engine.login('b');
  const first = h.driver.caller('+1');
  void h.engine.enqueueCall(first, { queue: 'sales' });
  await settle();
  t.equal(h.driver.ringing('device:a').length, 1, 'a rings first');
  await h.clock.advance(15 * S);
  t.equal(h.driver.ringing('device:a').length, 0, "a's phone stops ringing after 15 s");
  const atB = h.driver.ringing('device:b');
  t.equal(atB.length, 1, 'then b rings');
  t.equal((atB[0]?.at ?? 0) - (h.driver.dialed[0]?.at ?? 0), 15 * S, 'right at the timeout');
  atB[0]?.answer();
  await settle();
  t.same([h.engine.agent('a')?.state, h.engine.agent('a')?.consecutiveMisses], ['ready', 1]);

  const second = h.driver.caller('+2');
  void h.engine.enqueueCall(second, { queue: 'sales' });
  await settle();
  t.equal(h.driver.ringing('device:a').length, 1);
  await h.clock.advance(15 * S);
  t.same([h.engine.agent('a')?.state, h.engine.agent('a')?.reason], ['break', 'no answer'], 'second miss in a row: on break');
  await h.engine.flush();
  const log = await h.engine.agentStateLog({ login: 'a' });
  t.same(log.at(-1) && [log.at(-1)?.from, log.at(-1)?.to, log.at(-1)?.reason, log.at(-1)?.callId], ['offered', 'break', 'no answer', second.id]);
  t.equal(h.driver.ringing('device:a').length, 0, 'an agent on break is not offered calls');

  first.farEndHangup();
  await settle();
  t.equal(h.driver.ringing('device:b').length, 1, 'b, free again, gets the waiting caller');
});

t.test('a caller who hangs up while waiting is recorded as abandoned with the time waited', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('a', ['sales'])] });
  const caller = h.driver.caller('+31205550009');
  const result = h.engine.enqueueCall(caller, { queue: 'sales', customerId: 'cust-7' });
  await h.clock.advance(42 * S);
  t.ok(caller.plays[0]?.loop && caller.heard().includes('music-on-hold'), 'the caller hears music on hold');
  caller.farEndHangup();
  t.same(await result, { result: 'abandoned', waitMs: 42 * S });
  await h.engine.flush();
  const [record] = await h.engine.callRecords({ outcome: 'abandoned' });
  t.same([record?.id, record?.waitMs, record?.customerId, record?.endCause, record?.live], [caller.id, 42 * S, 'cust-7', 'normal', false]);
  t.same(h.of('call_abandoned'), [{ callId: caller.id, entryId: caller.id, queue: 'sales', waitMs: 42 * S }]);
  t.equal(h.engine.figures('sales')?.waiting, 0);
});

t.test('overflow after T seconds to another queue keeps the original entry time', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('first', { overflow: { afterSeconds: 30, queue: 'second' } }), queue('second')],
    agents: [agentProfile('b', ['second'])],
  });
  const early = h.driver.caller('+1');
  void h.engine.enqueueCall(early, { queue: 'first' });
  await h.clock.advance(10 * S);
  const later = h.driver.caller('+2');
  void h.engine.enqueueCall(later, { queue: 'second' });
  await h.clock.advance(20 * S);
  t.same(h.engine.router.waiting('second').map((e) => e.callId), [early.id, later.id], 'the overflowed caller is ahead: it came first');
  t.same(h.of('call_overflowed'), [{ callId: early.id, entryId: early.id, from: 'first', to: 'second' }]);
  await h.engine.login('b');
  await settle();
  const ring = h.driver.ringing('device:b');
  t.equal(ring[0]?.opts.callerId?.number, '+1', 'the agent is offered the overflowed caller first');
  await h.clock.advance(2 * S);
  ring[0]?.answer();
  await settle();
  await h.engine.flush();
  const record = await h.engine.callRecord(early.id);
  t.same([record?.queue, record?.waitMs], ['second', 32 * S]);
  t.same(record?.segments.map((s) => [s.kind, s.queue, s.outcome]), [['queue', 'first', 'overflow'], ['queue', 'second', 'answered'], ['agent', 'second', undefined]]);
});

t.test('a caller who asked for a callback keeps their place: the agent is offered the callback before a later caller', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { callbackKey: '*' })], agents: [agentProfile('ann', ['sales'])] });
  const asker = h.driver.caller('+31205550100');
  const asked = h.engine.enqueueCall(asker, { queue: 'sales', trunk: 'kpn' });
  await h.clock.advance(5 * S);
  const later = h.driver.caller('+31205550200');
  void h.engine.enqueueCall(later, { queue: 'sales' });
  await h.clock.advance(5 * S);
  asker.typedDigits = '0612345678';
  asker.press('*');
  await h.clock.advance(3 * PROMPT_MS);
  t.same(await asked, { result: 'callback', number: '0612345678' });
  t.ok(asker.heard().includes('will-call-back'), 'the caller is told they will be called back');
  t.equal(asker.state, 'ended', 'and the call ends');
  t.same(h.of('callback_requested').map((e) => e.number), ['0612345678']);

  await h.engine.login('ann');
  await settle();
  const offer = h.driver.ringing('device:ann');
  t.equal(offer.length, 1);
  t.equal(offer[0]?.opts.callerId?.displayName, 'Callback sales', 'shown to the agent as a callback');
  t.same(h.of('call_offered').map((e) => e.kind), ['callback']);
  offer[0]?.answer();
  await settle();
  const dial = h.driver.ringing('number:0612345678');
  t.equal(dial.length, 1, 'then Tenor calls the customer');
  t.same(dial[0]?.target, { kind: 'number', number: '0612345678', trunk: 'kpn' });
  await h.clock.advance(4 * S);
  dial[0]?.answer();
  await settle();
  t.equal(h.driver.bridges.length, 1, 'agent and customer are connected');
  t.equal(h.engine.router.waiting('sales')[0]?.callId, later.id, 'the later caller still waits');
  await h.clock.advance(30 * S);
  dial[0]?.call.farEndHangup();
  await settle();
  t.equal(h.driver.ringing('device:ann').length, 1, 'then the later caller is offered');
  await h.engine.flush();
  t.equal((await h.engine.callRecord(asker.id))?.outcome, 'callback');
  const cb = await h.engine.callRecord(`${asker.id}:callback`);
  t.same([cb?.outcome, cb?.agent, cb?.talkMs], ['answered', 'ann', 30 * S]);
  t.same(cb?.segments.map((s) => [s.kind, s.outcome]), [['queue', undefined], ['agent', 'answered'], ['callback', 'answered']]);
});

t.test('a callback not answered is retried after the delay, every attempt recorded', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { callbackKey: '*', callback: { attempts: 2, retryDelaySeconds: 60, ringTimeoutSeconds: 20 } })],
    agents: [agentProfile('ann', ['sales'])],
  });
  const asker = h.driver.caller('+31205550100');
  void h.engine.enqueueCall(asker, { queue: 'sales' });
  await settle();
  asker.press('*');
  await h.clock.advance(10 * S);
  await h.engine.login('ann');
  await settle();
  h.driver.ringing('device:ann')[0]?.answer();
  await settle();
  t.equal(h.driver.ringing('number:+31205550100').length, 1, 'no digits entered: the caller ID is called');
  await h.clock.advance(20 * S);
  t.equal(h.engine.agent('ann')?.state, 'ready', 'no answer: the agent is free again');
  t.equal(h.driver.ringing('device:ann').length, 0);
  await h.clock.advance(60 * S);
  const again = h.driver.ringing('device:ann');
  t.equal(again.length, 1, 'offered again after the retry delay');
  again[0]?.answer();
  await settle();
  h.driver.ringing('number:+31205550100')[0]?.reject('busy');
  await settle();
  await h.engine.flush();
  const cb = await h.engine.callRecord(`${asker.id}:callback`);
  t.same(cb?.segments.filter((s) => s.kind === 'callback').map((s) => [s.detail?.['attempt'], s.outcome]), [[1, 'no-answer'], [2, 'no-answer']]);
  t.same([cb?.outcome, cb?.live], ['failed', false], 'given up after the last attempt');
  t.same(h.of('callback_attempted').map((e) => e.result), ['no-answer', 'no-answer']);
});

t.test('a persistent-line agent is called once at login; callers are bridged in without ringing', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales')],
    agents: [{ ...agentProfile('remote', ['sales']), device: { type: 'persistent', number: '+31612345678', trunk: 'kpn' } }],
  });
  h.driver.autoAnswer.set('number:+31612345678', 3 * S);
  const loggingIn = h.engine.login('remote');
  await h.clock.advance(3 * S);
  await loggingIn;
  t.equal(h.driver.dialed.length, 1, 'the line is dialed at login');
  const line = h.driver.dialed[0]?.call;
  for (const n of ['+1', '+2']) {
    const caller = h.driver.caller(n);
    const result = h.engine.enqueueCall(caller, { queue: 'sales' });
    const queuedAt = h.clock.now();
    await settle();
    t.equal(h.driver.dialed.length, 1, `no new call placed for caller ${n}`);
    t.equal(h.driver.bridges.at(-1)?.at, queuedAt, 'bridged at once, no ring');
    t.equal(caller.bridgedWith, line);
    await h.clock.advance(20 * S);
    caller.farEndHangup();
    await result;
    t.equal(line?.state, 'answered', 'the line stays up after the caller leaves');
  }
  line?.farEndHangup();
  await settle();
  t.same([h.engine.agent('remote')?.state, h.engine.agent('remote')?.reason], ['break', 'line lost'], 'line dropped: the agent can no longer be reached');
});

t.test('skills escalation: after the wait in the rule, an agent with a lower level is offered the caller', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('tech', { strategy: 'skills-based', requiredSkills: { network: 8 }, escalation: [{ afterSeconds: 20, skills: { network: 4 } }] })],
    agents: [agentProfile('junior', ['tech'], { network: 5 })],
  });
  await h.engine.login('junior');
  void h.engine.enqueueCall(h.driver.caller('+1'), { queue: 'tech' });
  await h.clock.advance(19 * S);
  t.equal(h.driver.dialed.length, 0, 'level 5 is not enough at first');
  await h.clock.advance(1 * S);
  t.equal(h.driver.ringing('device:junior').length, 1, 'after 20 s it is');
});

t.test('skills escalation happens even when its timer fires a millisecond before the clock says so', async (t) => {
  // Node's setTimeout fires about 2 % of the time 1 ms before Date.now() has moved
  // on by its delay; routing at 19,999 ms would miss the step at 20 s for good.
  const h = await startAcd(t, {
    queues: [queue('tech', { strategy: 'skills-based', requiredSkills: { network: 8 }, escalation: [{ afterSeconds: 20, skills: { network: 4 } }] })],
    agents: [agentProfile('junior', ['tech'], { network: 5 })],
    clock: new FakeClock(undefined, 1),
  });
  await h.engine.login('junior');
  void h.engine.enqueueCall(h.driver.caller('+1'), { queue: 'tech' });
  await h.clock.advance(20 * S);
  t.equal(h.driver.ringing('device:junior').length, 1, 'offered once 20 s have passed');
});

t.test('announcements say position and estimated wait, and are cut off the moment an agent is free', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { callbackKey: '*', announcements: { intervalSeconds: 30, position: true, estimatedWait: true } })],
    agents: [agentProfile('a', ['sales'])],
  });
  await h.engine.login('a');
  const first = h.driver.caller('+1');
  void h.engine.enqueueCall(first, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:a')[0]?.answer();
  await settle();
  const second = h.driver.caller('+2');
  void h.engine.enqueueCall(second, { queue: 'sales' });
  await h.clock.advance(30 * S);
  const announcement = second.plays.at(-1);
  t.same(announcement?.prompts, ['you-are-number', 'one', 'in-line', 'estimated-wait', 'three', 'minutes', 'press-star-callback'],
    'position 1, one agent staffed, 3 minutes assumed per call before any has ended');
  t.equal(announcement?.result, undefined, 'still playing');
  await h.clock.advance(2 * S);
  const freedAt = h.clock.now();
  first.farEndHangup();
  await settle();
  t.equal(announcement?.result, 'stopped', 'the announcement is cut off');
  t.equal(h.driver.ringing('device:a')[0]?.at, freedAt, 'and the agent is offered the caller at that instant');
  await h.clock.advance(60 * S);
  t.notOk(second.plays.slice(second.plays.indexOf(announcement ?? second.plays[0]!) + 1).some((p) => !p.loop), 'no announcement while the offer is out');
});

t.test('exits: exit key to voicemail, queue full, no agents logged in, maximum wait', async (t) => {
  const h = await startAcd(t, {
    queues: [
      queue('sales', {
        exitKey: '0', maxWaiting: 1, maxWaitSeconds: 120, joinEmpty: true,
        exits: { 'exit-key': { type: 'voicemail', box: 'sales' }, 'max-wait': { type: 'flow', flow: 'after-hours' } },
      }),
      queue('closed', { joinEmpty: false, exits: { empty: { type: 'queue', queue: 'sales' } } }),
    ],
    agents: [agentProfile('a', ['sales'])],
  });
  const keyPresser = h.driver.caller('+1');
  const r1 = h.engine.enqueueCall(keyPresser, { queue: 'sales' });
  await h.clock.advance(5 * S);
  const tooMany = h.driver.caller('+2');
  const r2 = h.engine.enqueueCall(tooMany, { queue: 'sales' });
  await h.clock.advance(2 * PROMPT_MS);
  t.same(await r2, { result: 'exit', reason: 'full', destination: { type: 'hangup', message: 'agents-busy' } });
  t.same([tooMany.heard(), tooMany.state], [['agents-busy', 'goodbye'], 'ended'], 'queue full: a message, then hang-up');

  keyPresser.press('0');
  t.same(await r1, { result: 'exit', reason: 'exit-key', destination: { type: 'voicemail', box: 'sales' } });
  t.equal(keyPresser.state, 'answered', 'handed on to voicemail, still connected');
  await h.clock.advance(30 * S);
  keyPresser.farEndHangup();

  const toClosed = h.driver.caller('+3');
  const r3 = h.engine.enqueueCall(toClosed, { queue: 'closed' });
  await settle();
  t.same(h.engine.router.waiting('sales').map((e) => e.callId), [toClosed.id], 'nobody logged in to "closed": sent on to sales');
  await h.clock.advance(120 * S);
  t.same(await r3, { result: 'exit', reason: 'max-wait', destination: { type: 'flow', flow: 'after-hours' } });
  await h.engine.flush();
  t.same([(await h.engine.callRecord(keyPresser.id))?.outcome, (await h.engine.callRecord(keyPresser.id))?.endedAt !== undefined], ['voicemail', true]);
  t.same(h.of('call_exited').map((e) => e.reason), ['full', 'exit-key', 'empty', 'max-wait']);
});

t.test('whisper: the agent hears the queue and the customer segment before the caller is connected', async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { whisper: { prompts: ['/prompts/queue-sales.wav'], segments: { A: '/prompts/segment-a.wav' } } })],
    agents: [agentProfile('a', ['sales'])],
  });
  await h.engine.login('a');
  const caller = h.driver.caller('+1', 'Mrs Jansen');
  void h.engine.enqueueCall(caller, { queue: 'sales', segment: 'A', priority: 5 });
  await settle();
  const ring = h.driver.ringing('device:a')[0];
  t.equal(ring?.opts.callerId?.displayName, 'Mrs Jansen', "the customer's name is shown on the agent's phone");
  ring?.answer();
  await settle();
  t.same(ring?.call.heard(), ['/prompts/queue-sales.wav', '/prompts/segment-a.wav']);
  t.equal(h.driver.bridges.length, 0, 'not connected during the whisper');
  t.notOk(caller.heard().includes('/prompts/queue-sales.wav'), 'the caller does not hear it');
  const answeredAt = h.clock.now();
  await h.clock.advance(2 * PROMPT_MS);
  t.equal(h.driver.bridges[0]?.at, answeredAt + 2 * PROMPT_MS, 'connected right after it');
});

t.test('wrap-up: the agent gets no call until the queue timer ends, unless they end it early', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales', { wrapUpSeconds: 30 })], agents: [agentProfile('a', ['sales'])] });
  await h.engine.login('a');
  const one = h.driver.caller('+1');
  const r1 = h.engine.enqueueCall(one, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:a')[0]?.answer();
  await h.clock.advance(10 * S);
  one.farEndHangup();
  await r1;
  t.equal(h.engine.agent('a')?.state, 'wrap-up');
  void h.engine.enqueueCall(h.driver.caller('+2'), { queue: 'sales' });
  await h.clock.advance(29 * S);
  t.equal(h.driver.ringing('device:a').length, 0, 'still wrapping up');
  await h.clock.advance(1 * S);
  t.equal(h.driver.ringing('device:a').length, 1, 'offered when wrap-up ends');
  await h.engine.flush();
  t.equal((await h.engine.callRecord(one.id))?.wrapUpMs, 30 * S, 'wrap-up time is on the call record');

  h.driver.ringing('device:a')[0]?.answer();
  await settle();
  h.driver.bridges.at(-1)?.a.farEndHangup();
  await settle();
  await h.clock.advance(5 * S);
  h.engine.ready('a');
  t.equal(h.engine.agent('a')?.state, 'ready', 'ended early');
});

t.test('ring-all: every free agent rings; the first to answer takes the caller, the others are not counted as missing it', async (t) => {
  const h = await startAcd(t, { queues: [queue('help', { strategy: 'ring-all' })], agents: ['a', 'b', 'c'].map((l) => agentProfile(l, ['help'])) });
  for (const l of ['a', 'b', 'c']) await h.engine.login(l);
  void h.engine.enqueueCall(h.driver.caller('+1'), { queue: 'help' });
  await settle();
  t.equal(h.driver.dialed.filter((d) => !d.settled).length, 3);
  h.driver.ringing('device:b')[0]?.answer();
  await settle();
  t.equal(h.driver.dialed.filter((d) => !d.settled).length, 0, 'the other phones stop ringing');
  t.same(h.engine.agents().map((a) => [a.login, a.state, a.consecutiveMisses]), [['a', 'ready', 0], ['b', 'on-call', 0], ['c', 'ready', 0]]);
});

t.test("break reasons are checked; the agent's own break on a call is refused, a forced one starts when the call ends; leave-when-empty", async (t) => {
  const h = await startAcd(t, {
    queues: [queue('sales', { leaveWhenEmpty: true, exits: { empty: { type: 'voicemail', box: 'sales' } } })],
    agents: [agentProfile('a', ['sales'])],
    options: { breakReasons: ['lunch'] },
  });
  await h.engine.login('a');
  t.throws(() => h.engine.takeBreak('a', 'nap'), /unknown break reason 'nap'/);
  const caller = h.driver.caller('+1');
  const r = h.engine.enqueueCall(caller, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:a')[0]?.answer();
  await settle();
  t.throws(() => h.engine.takeBreak('a', 'lunch'), { code: 'TENOR_ERR_AGENT_BUSY', details: { state: 'on-call', requested: 'break' } }, "the agent's own break is refused on a call");
  h.engine.takeBreak('a', 'lunch', 'forced');
  t.same([h.engine.agent('a')?.state, h.engine.agent('a')?.pending], ['on-call', { state: 'break', reason: 'lunch' }], 'a forced one is pending');
  caller.farEndHangup();
  await r;
  t.same([h.engine.agent('a')?.state, h.engine.agent('a')?.reason], ['break', 'lunch']);
  const waiting = h.driver.caller('+2');
  const r2 = h.engine.enqueueCall(waiting, { queue: 'sales' });
  await settle();
  await h.engine.logout('a');
  t.same(await r2, { result: 'exit', reason: 'empty', destination: { type: 'voicemail', box: 'sales' } }, 'the last agent left: callers leave too');
});

t.test('events: one call, in order, on the bus', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('a', ['sales'])] });
  await h.engine.login('a');
  const caller = h.driver.caller('+1');
  const r = h.engine.enqueueCall(caller, { queue: 'sales' });
  await settle();
  h.driver.ringing('device:a')[0]?.answer();
  await settle();
  caller.farEndHangup();
  await r;
  await h.engine.flush(); // events leave once what they tell is written
  t.same(
    h.events.filter((e) => e.type.startsWith('call_') || e.type === 'agent_state_changed').map((e) => (e.type === 'agent_state_changed' ? `agent:${(e.payload as { to: string }).to}` : e.type)),
    ['agent:ready', 'call_queued', 'agent:offered', 'call_offered', 'agent:on-call', 'call_answered', 'agent:ready', 'call_ended'],
  );
});

t.test('a caller who hangs up while an agent rings: the ringing stops, the agent is free and not counted as missing it', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('a', ['sales'])], options: { maxMissedOffers: 1 } });
  await h.engine.login('a');
  const caller = h.driver.caller('+1');
  const r = h.engine.enqueueCall(caller, { queue: 'sales' });
  await h.clock.advance(5 * S);
  t.equal(h.driver.ringing('device:a').length, 1);
  caller.farEndHangup('cancelled');
  t.same(await r, { result: 'abandoned', waitMs: 5 * S });
  await settle();
  t.equal(h.driver.ringing('device:a').length, 0, "the agent's phone stops ringing");
  t.same([h.engine.agent('a')?.state, h.engine.agent('a')?.consecutiveMisses], ['ready', 0]);
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same([record?.outcome, record?.waitMs, record?.endCause], ['abandoned', 5 * S, 'cancelled']);
  t.same(record?.segments.map((s) => [s.kind, s.outcome]), [['queue', 'abandoned'], ['agent', 'withdrawn']]);
});

t.test('the configuration file drops an agent who is logged in: logged out, then removed', async (t) => {
  const h = await startAcd(t, { queues: [queue('sales')], agents: [agentProfile('a', ['sales']), agentProfile('b', ['sales'])] });
  await h.engine.login('b');
  await h.engine.applyConfig([queue('sales')], [agentProfile('a', ['sales'])]);
  t.same(h.engine.agents().map((a) => a.login), ['a']);
  await h.engine.flush();
  t.same((await h.engine.agentStateLog({ login: 'b' })).map((l) => [l.to, l.reason]), [['ready', 'login'], ['logged-out', 'removed from the configuration']]);
});

t.test('turned away on arrival (nobody logged in) to voicemail: handed on at once, still connected', async (t) => {
  const h = await startAcd(t, { queues: [queue('night', { joinEmpty: false, exits: { empty: { type: 'voicemail', box: 'night' } } })], agents: [] });
  const caller = h.driver.caller('+1');
  t.same(await h.engine.enqueueCall(caller, { queue: 'night' }), { result: 'exit', reason: 'empty', destination: { type: 'voicemail', box: 'night' } });
  t.equal(caller.state, 'answered');
  t.same(caller.plays, [], 'no music: the caller never waited');
  await h.clock.advance(20 * S);
  caller.farEndHangup();
  await settle();
  await h.engine.flush();
  const record = await h.engine.callRecord(caller.id);
  t.same([record?.outcome, record?.waitMs, record?.live, record?.endedAt !== undefined], ['voicemail', 0, false, true]);
});
