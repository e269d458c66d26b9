// The router across queues: serving order, penalties, escalation, overflow
// and retries after a missed offer.

import t from 'tap';
import { Router } from '../../src/services/acd/router.js';
import { seededRandom } from '../../src/services/acd/random.js';
import { FakeClock } from './fake-clock.js';
import { queue, readyAgent, waitingCall } from './fixtures.js';

const NOW = 80_000_000;

function busy(agent: ReturnType<typeof readyAgent>, router: Router, callId = 'busy'): void {
  agent.offer(callId, NOW);
  router.agentChanged(agent.login);
}

t.test('a freed agent gets the highest-priority caller, then first come first served', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock, random: seededRandom(1) });
  router.setQueue(queue('q'));
  const a = readyAgent('a', ['q'], NOW);
  busy(a, router);
  router.setAgent(a);
  router.enqueue(waitingCall('q', NOW - 30_000, { id: 'old' }));
  router.enqueue(waitingCall('q', NOW - 20_000, { id: 'vip', priority: 5 }));
  router.enqueue(waitingCall('q', NOW - 40_000, { id: 'oldest' }));
  t.same(router.waiting('q').map((e) => e.id), ['vip', 'oldest', 'old']);
  t.equal(router.position('old'), 3);
  a.withdrawn(NOW);
  router.agentChanged('a');
  t.equal(router.decideForAgent('a')?.entry.id, 'vip');
  t.equal(router.decideForAgent('a'), undefined, 'a decision reserves the agent until its state changes');
});

t.test('an agent in several queues serves its lowest-penalty queue first', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('vip'));
  router.setQueue(queue('general'));
  const a = readyAgent('a', [{ queue: 'general', penalty: 0 }, { queue: 'vip', penalty: 2 }], NOW);
  busy(a, router);
  router.setAgent(a);
  router.enqueue(waitingCall('vip', NOW - 60_000, { id: 'v1' }));
  router.enqueue(waitingCall('general', NOW - 1000, { id: 'g1' }));
  a.withdrawn(NOW);
  router.agentChanged('a');
  t.equal(router.decideForAgent('a')?.entry.id, 'g1', 'penalty 0 queue first even though vip waited longer');
});

t.test('a caller is offered the lowest-penalty ready agents first', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('q', { strategy: 'ring-all' }));
  router.setAgent(readyAgent('backup', [{ queue: 'q', penalty: 5 }], NOW - 99_000));
  router.setAgent(readyAgent('main1', [{ queue: 'q', penalty: 0 }], NOW));
  router.setAgent(readyAgent('main2', [{ queue: 'q', penalty: 0 }], NOW));
  router.enqueue(waitingCall('q', NOW, { id: 'c' }));
  t.same(router.decideForEntry('c')?.agents.map((a) => a.login), ['main1', 'main2']);
});

t.test('after a missed offer the next agent is offered; once everyone missed, a new round starts', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('q', { strategy: 'longest-idle' }));
  const a = readyAgent('a', ['q'], NOW - 20_000);
  const b = readyAgent('b', ['q'], NOW - 10_000);
  router.setAgent(a);
  router.setAgent(b);
  router.enqueue(waitingCall('q', NOW, { id: 'c' }));
  const first = router.decideForEntry('c');
  t.same(first?.agents.map((x) => x.login), ['a']);
  a.offer('c', NOW);
  router.agentChanged('a');
  a.missed(3, NOW + 20_000);
  router.agentChanged('a');
  router.offerEnded('c', ['a']);
  t.same(router.decideForEntry('c')?.agents.map((x) => x.login), ['b'], 'a is still the longest idle, but missed this caller');
  b.offer('c', NOW);
  router.agentChanged('b');
  b.missed(3, NOW + 40_000);
  router.agentChanged('b');
  router.offerEnded('c', ['b']);
  t.same(router.decideForEntry('c')?.agents.map((x) => x.login), ['a'], 'both missed: start again');
});

t.test('skills requirements relax as the caller waits (escalation)', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('tech', {
    strategy: 'skills-based',
    requiredSkills: { network: 8 },
    escalation: [{ afterSeconds: 30, skills: { network: 5 } }, { afterSeconds: 60, skills: { network: 0 } }],
  }));
  const mid = readyAgent('mid', ['tech'], NOW, { network: 5 });
  const none = readyAgent('none', ['tech'], NOW - 50_000, {});
  router.setAgent(mid);
  router.setAgent(none);
  router.enqueue(waitingCall('tech', NOW, { id: 'c' }));
  t.equal(router.decideForEntry('c'), undefined, 'nobody has network 8');
  t.same(router.requirements('c'), { network: 8 });
  await clock.advance(30_000);
  t.same(router.decideAll().map((d) => d.agents.map((a) => a.login)), [['mid']], 'after 30 s level 5 is enough');
  router.offerEnded('c', []);
  router.release('mid');
  mid.takeBreak('coffee', clock.now());
  router.agentChanged('mid');
  await clock.advance(30_000);
  t.same(router.requirements('c'), {}, 'after 60 s anyone');
  t.same(router.decideForEntry('c')?.agents.map((a) => a.login), ['none']);
});

t.test('overflow keeps the original entry time: the overflowed caller goes ahead of later callers', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('first'));
  router.setQueue(queue('second'));
  router.enqueue(waitingCall('second', NOW - 10_000, { id: 'later' }));
  router.enqueue(waitingCall('first', NOW - 60_000, { id: 'early' }));
  router.move('early', 'second');
  t.same(router.waiting('second').map((e) => e.id), ['early', 'later']);
  t.same(router.waiting('first'), []);
  t.equal(router.entry('early')?.queueEnteredAt, NOW);
  t.equal(router.entry('early')?.enteredAt, NOW - 60_000);
});

t.test('a callback request keeps its place ahead of callers who came later', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('q'));
  const a = readyAgent('a', ['q'], NOW);
  busy(a, router);
  router.setAgent(a);
  router.enqueue(waitingCall('q', NOW - 50_000, { id: 'cb', kind: 'callback' }));
  router.enqueue(waitingCall('q', NOW - 10_000, { id: 'live' }));
  a.withdrawn(NOW);
  router.agentChanged('a');
  const d = router.decideForAgent('a');
  t.same([d?.entry.id, d?.entry.kind], ['cb', 'callback']);
});

t.test('live figures: waiting, longest wait, agents ready / busy / on break', async (t) => {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock });
  router.setQueue(queue('q'));
  const a = readyAgent('a', ['q'], NOW);
  const b = readyAgent('b', ['q'], NOW);
  const c = readyAgent('c', ['q'], NOW);
  for (const x of [a, b, c]) router.setAgent(x);
  busy(b, router);
  c.takeBreak('lunch', NOW);
  router.agentChanged('c');
  router.setAgent(readyAgent('d', ['q'], NOW).logOut('x', NOW) && readyAgent('e', ['other'], NOW));
  router.enqueue(waitingCall('q', NOW - 42_000, { id: 'w1', priority: 3 }));
  router.enqueue(waitingCall('q', NOW - 90_000, { id: 'w2' }));
  t.same(router.figures('q'), { waiting: 2, longestWaitMs: 90_000, agentsLoggedIn: 3, agentsReady: 1, agentsBusy: 1, agentsOnBreak: 1 });
});
