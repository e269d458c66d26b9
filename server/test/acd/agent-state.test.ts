import t from 'tap';
import { Agent, NO_ANSWER_REASON, agentStates, canTransition } from '../../src/services/acd/agent-state.js';
import { isTenorError } from '../../src/core/errors.js';
import { agentProfile } from './fixtures.js';

const T0 = 1_000_000;

t.test('an agent logs in, takes an offer, talks, wraps up and is ready again; every step is a log line', async (t) => {
  const a = new Agent(agentProfile('ann', ['sales']), T0);
  t.equal(a.state, 'logged-out');
  const log = [
    a.logIn(true, 'login', T0),
    a.offer('call-1', T0 + 1000),
    a.answered(T0 + 3000),
    a.callEnded(30_000, T0 + 63_000),
  ];
  t.equal(a.state, 'wrap-up');
  t.equal(a.wrapUpUntil, T0 + 93_000, 'wrap-up ends after the queue timer');
  log.push(a.endWrapUp('wrap-up ended early', T0 + 70_000));
  t.equal(a.state, 'ready');
  t.same(log.map((l) => [l.from, l.to]), [
    ['logged-out', 'ready'], ['ready', 'offered'], ['offered', 'on-call'], ['on-call', 'wrap-up'], ['wrap-up', 'ready'],
  ]);
  t.same(log.map((l) => l.callId), [undefined, 'call-1', 'call-1', 'call-1', 'call-1'], 'lines about a call carry its id');
  t.equal(a.callsAnswered, 1);
  t.equal(a.talkTimeMs, 60_000, 'talk time runs from answer to hang-up');
  t.equal(a.idleSince, T0 + 70_000, 'idle from the end of wrap-up');
});

t.test('illegal transitions are refused with a validation error and change nothing', async (t) => {
  const a = new Agent(agentProfile('bob', ['sales']), T0);
  try {
    a.offer('c', T0);
    t.fail('an offer to a logged-out agent must be refused');
  } catch (err) {
    t.ok(isTenorError(err, 'TENOR_ERR_VALIDATION'));
    t.match((err as Error).message, /cannot go from logged-out to offered/);
  }
  t.equal(a.state, 'logged-out');
  a.logIn(false, 'login', T0);
  t.equal(a.state, 'break', 'logging in paused');
  t.throws(() => a.offer('c', T0));
  t.notOk(canTransition('on-call', 'offered'));
  t.notOk(canTransition('logged-out', 'on-call'));
  for (const s of agentStates) t.notOk(canTransition(s, s), `${s} → ${s} is not a change`);
});

t.test('N consecutive unanswered offers put the agent on break with "no answer"; an answer resets the count', async (t) => {
  const a = new Agent(agentProfile('cat', ['sales']), T0);
  a.logIn(true, 'login', T0);
  a.offer('c1', T0);
  t.equal(a.missed(3, T0 + 20_000).to, 'ready');
  a.offer('c2', T0 + 21_000);
  t.equal(a.missed(3, T0 + 41_000).to, 'ready');
  a.offer('c3', T0 + 42_000);
  a.answered(T0 + 43_000);
  a.callEnded(0, T0 + 50_000);
  t.equal(a.consecutiveMisses, 0, 'an answered call resets the count');
  for (let i = 0; i < 2; i++) {
    a.offer(`m${i}`, T0 + 60_000 + i);
    a.missed(3, T0 + 60_000 + i);
  }
  a.offer('m3', T0 + 70_000);
  const change = a.missed(3, T0 + 90_000);
  t.same([change.to, change.reason, change.callId], ['break', NO_ANSWER_REASON, 'm3']);
  t.equal(a.idleSince, T0 + 50_000, 'missed offers do not reset idle time');
});

t.test('a break deferred during a call is taken when the call and wrap-up end', async (t) => {
  const a = new Agent(agentProfile('dan', ['sales']), T0);
  a.logIn(true, 'login', T0);
  a.offer('c1', T0);
  a.answered(T0 + 1000);
  a.defer({ state: 'break', reason: 'lunch' });
  t.equal(a.state, 'on-call', 'deferred');
  a.callEnded(10_000, T0 + 5000);
  const change = a.endWrapUp('wrap-up ended', T0 + 15_000);
  t.same([change.to, change.reason], ['break', 'lunch']);
  t.same([a.ready('back', T0 + 20_000).to, a.logOut('end of shift', T0 + 30_000).to], ['ready', 'logged-out']);
});

t.test('a deferred logout wins over a deferred break, and is taken when an offer is missed or withdrawn', async (t) => {
  const a = new Agent(agentProfile('fay', ['sales']), T0);
  a.logIn(true, 'login', T0);
  a.offer('c1', T0);
  a.defer({ state: 'logged-out', reason: 'supervisor' });
  a.defer({ state: 'break', reason: 'line lost' });
  t.same(a.pending, { state: 'logged-out', reason: 'supervisor' }, 'the logout is kept');
  t.same([a.withdrawn(T0 + 1000).to, a.pending], ['logged-out', undefined]);
  a.logIn(true, 'login', T0 + 2000);
  a.offer('c2', T0 + 2000);
  a.defer({ state: 'break', reason: 'supervisor' });
  t.same([a.missed(3, T0 + 3000).to, a.reason], ['break', 'supervisor'], 'a missed offer ends in the deferred break');
});

t.test('a withdrawn offer (caller hung up) is not counted as a miss', async (t) => {
  const a = new Agent(agentProfile('eve', ['sales']), T0);
  a.logIn(true, 'login', T0);
  a.offer('c1', T0);
  t.equal(a.withdrawn(T0 + 1000).to, 'ready');
  t.equal(a.consecutiveMisses, 0);
});
