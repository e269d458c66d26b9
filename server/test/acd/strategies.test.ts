// What each strategy does, as an agent or supervisor would notice it: who gets
// the next caller.

import t from 'tap';
import { Router } from '../../src/services/acd/router.js';
import { seededRandom } from '../../src/services/acd/random.js';
import type { Agent } from '../../src/services/acd/agent-state.js';
import type { QueueDefinition } from '../../src/services/acd/model.js';
import { FakeClock } from './fake-clock.js';
import { queue, readyAgent, waitingCall } from './fixtures.js';

const NOW = 50_000_000;

/** A router with one queue and the given agents; `serve` offers one new caller and reports who was offered. */
function setup(fields: Partial<QueueDefinition>, agents: Agent[], seed = 3) {
  const clock = new FakeClock(NOW);
  const router = new Router({ clock, random: seededRandom(seed) });
  router.setQueue(queue('q', fields));
  for (const a of agents) router.setAgent(a);
  let n = 0;
  const serve = (opts: { requiredSkills?: Record<string, number>; answer?: boolean } = {}): string[] => {
    const id = `call${++n}`;
    router.enqueue(waitingCall('q', clock.now(), { id, requiredSkills: opts.requiredSkills ?? {} }));
    const d = router.decideForEntry(id);
    if (!d) return [];
    router.remove(id);
    const logins = d.agents.map((a) => a.login);
    if (opts.answer) {
      // The first agent takes it, talks 60 s; wrap-up 0.
      const agent = d.agents[0];
      if (agent) {
        agent.offer(id, clock.now());
        agent.answered(clock.now());
        // Calls end one second apart, in the order they were served.
        agent.callEnded(0, clock.now() + 60_000 + n * 1000);
        router.agentChanged(agent.login);
      }
      for (const a of d.agents.slice(1)) router.release(a.login);
    } else {
      for (const a of d.agents) router.release(a.login);
    }
    return logins;
  };
  return { router, clock, serve };
}

t.test('longest-idle: the agent free the longest is offered first, in that order across three agents', async (t) => {
  const a = readyAgent('a', ['q'], NOW - 10_000);
  const b = readyAgent('b', ['q'], NOW - 30_000);
  const c = readyAgent('c', ['q'], NOW - 20_000);
  const { serve } = setup({ strategy: 'longest-idle' }, [a, b, c]);
  t.same([serve({ answer: true }), serve({ answer: true }), serve({ answer: true }), serve({ answer: true })], [['b'], ['c'], ['a'], ['b']]);
});

t.test('ring-all: every ready member rings at once, in list order', async (t) => {
  const agents = ['a', 'b', 'c'].map((l, i) => readyAgent(l, ['q'], NOW - i));
  const { serve } = setup({ strategy: 'ring-all' }, agents);
  t.same(serve(), ['a', 'b', 'c']);
});

t.test('round-robin remembers who had the last turn, even when the turn-holder is busy', async (t) => {
  const agents = ['a', 'b', 'c', 'd'].map((l) => readyAgent(l, ['q'], NOW));
  const { serve, router } = setup({ strategy: 'round-robin' }, agents);
  t.same(serve(), ['a']);
  t.same(serve(), ['b']);
  // c goes on break: d is next, then around to a.
  agents[2]?.takeBreak('coffee', NOW);
  router.agentChanged('c');
  t.same([serve(), serve(), serve()], [['d'], ['a'], ['b']]);
});

t.test('fewest-calls: the agent who answered the fewest calls first', async (t) => {
  const a = readyAgent('a', ['q'], NOW - 50_000);
  const b = readyAgent('b', ['q'], NOW - 10_000);
  a.callsAnswered = 4;
  b.callsAnswered = 1;
  const { serve } = setup({ strategy: 'fewest-calls' }, [a, b]);
  t.same(serve(), ['b']);
});

t.test('least-talk-time: the agent who talked least first', async (t) => {
  const a = readyAgent('a', ['q'], NOW - 50_000);
  const b = readyAgent('b', ['q'], NOW - 10_000);
  a.talkTimeMs = 600_000;
  b.talkTimeMs = 120_000;
  const { serve } = setup({ strategy: 'least-talk-time' }, [a, b]);
  t.same(serve(), ['b']);
});

t.test('linear: always the first free agent in list order', async (t) => {
  const agents = ['a', 'b', 'c'].map((l, i) => readyAgent(l, ['q'], NOW - i * 1000));
  const { serve, router } = setup({ strategy: 'linear' }, agents);
  t.same([serve(), serve()], [['a'], ['a']]);
  agents[0]?.takeBreak('coffee', NOW);
  router.agentChanged('a');
  t.same(serve(), ['b']);
});

t.test('random: spreads over all agents, the same way for the same seed', async (t) => {
  const make = () => ['a', 'b', 'c', 'd'].map((l) => readyAgent(l, ['q'], NOW));
  const one = setup({ strategy: 'random' }, make(), 99);
  const two = setup({ strategy: 'random' }, make(), 99);
  const seqA = Array.from({ length: 40 }, () => one.serve()[0]);
  const seqB = Array.from({ length: 40 }, () => two.serve()[0]);
  t.same(seqA, seqB);
  t.same(new Set(seqA).size, 4, 'every agent gets some');
});

t.test('skills-based: the best match first; agents below the minimum are never offered', async (t) => {
  const weak = readyAgent('weak', ['q'], NOW - 90_000, { billing: 3 });
  const good = readyAgent('good', ['q'], NOW - 10_000, { billing: 7, de: 5 });
  const best = readyAgent('best', ['q'], NOW - 5_000, { billing: 9, de: 6 });
  const { serve } = setup({ strategy: 'skills-based' }, [weak, good, best]);
  t.same(serve({ requiredSkills: { billing: 5, de: 5 } }), ['best']);
  t.same(serve({ requiredSkills: { billing: 9, de: 9 } }), [], 'nobody qualifies: the caller waits');
});
