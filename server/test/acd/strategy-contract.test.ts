// The contract every routing strategy passes (the same suite for all eight).
// A new strategy is added to strategyFactories and runs here unchanged.

import t from 'tap';
import { QueueStrategies } from '../../src/services/acd/config-schema.js';
import { Router } from '../../src/services/acd/router.js';
import { seededRandom } from '../../src/services/acd/random.js';
import { strategyFactories, type Candidate } from '../../src/services/acd/strategies/index.js';
import type { StrategyName } from '../../src/services/acd/model.js';
import { FakeClock } from './fake-clock.js';
import { queue, readyAgent, waitingCall } from './fixtures.js';

function candidates(n: number, now: number): Candidate[] {
  return Array.from({ length: n }, (_, i) => ({
    agent: { login: `a${i}`, idleSince: now - ((i * 7919) % 13) * 1000, callsAnswered: (i * 31) % 5, talkTimeMs: ((i * 17) % 7) * 60_000, profile: { skills: { de: 1 + (i % 10) } } },
    position: i,
  }));
}

t.test('every strategy named in the configuration schema has an implementation', async (t) => {
  t.same(Object.keys(strategyFactories).sort(), [...QueueStrategies].sort());
});

for (const name of QueueStrategies) {
  t.test(`strategy contract: ${name}`, async (t) => {
    const now = 10_000_000;
    const strategy = strategyFactories[name]();
    const ctx = { requiredSkills: { de: 1 }, random: seededRandom(7) };

    t.test('ranks exactly the candidates it was given, each once, without changing the input', async (t) => {
      for (const n of [0, 1, 2, 9, 50]) {
        const input = candidates(n, now);
        const copy = [...input];
        const ranked = strategy.rank(input, ctx);
        t.same(ranked.map((c) => c.agent.login).sort(), input.map((c) => c.agent.login).sort(), `${n} candidates`);
        t.same(input, copy, 'input untouched');
      }
    });

    t.test('the order does not depend on the order candidates arrive in', async (t) => {
      if (name === 'round-robin' || name === 'random') {
        t.pass('memory or seeded randomness: covered by the determinism check below');
        return;
      }
      const input = candidates(20, now);
      const a = strategyFactories[name]().rank(input, ctx).map((c) => c.agent.login);
      const b = strategyFactories[name]().rank([...input].reverse(), ctx).map((c) => c.agent.login);
      t.same(a, b);
    });

    t.test('through the router: only ready, skilled members of the queue are offered, deterministically for a seed', async (t) => {
      const run = (): string[][] => {
        const clock = new FakeClock(now);
        const router = new Router({ clock, random: seededRandom(42) });
        router.setQueue(queue('q', { strategy: name as StrategyName }));
        router.setQueue(queue('other'));
        const members = Array.from({ length: 6 }, (_, i) => readyAgent(`m${i}`, ['q'], now - i * 1000, { de: i + 1 }));
        const outsider = readyAgent('outsider', ['other'], now - 99_000, { de: 10 });
        const onBreak = readyAgent('resting', ['q'], now - 98_000, { de: 10 });
        onBreak.takeBreak('lunch', now);
        const unskilled = readyAgent('novice', ['q'], now - 97_000, { de: 1 });
        for (const a of [...members, outsider, onBreak, unskilled]) router.setAgent(a);
        const offered: string[][] = [];
        for (let i = 0; i < 4; i++) {
          router.enqueue(waitingCall('q', now, { id: `x${i}`, requiredSkills: { de: 2 } }));
          const d = router.decideForEntry(`x${i}`);
          if (!d) break;
          const logins = d.agents.map((a) => a.login);
          offered.push(logins);
          t.equal(d.ringsAll, name === 'ring-all', 'rings all only for ring-all');
          // The offer went out and was missed: the agents are ready again for the next contact.
          router.offerEnded(`x${i}`, logins);
          router.remove(`x${i}`);
          for (const a of d.agents) router.release(a.login);
        }
        return offered;
      };
      const first = run();
      t.equal(first.length, 4, 'every contact found an agent');
      for (const logins of first) {
        t.ok(logins.length > 0);
        for (const login of logins) t.ok(['m1', 'm2', 'm3', 'm4', 'm5'].includes(login), `${login} is a ready member with de ≥ 2`);
      }
      t.same(run(), first, 'same seed, same decisions');
    });

    t.test('no candidates, no decision: the contact keeps waiting', async (t) => {
      const clock = new FakeClock(now);
      const router = new Router({ clock, random: seededRandom(1) });
      router.setQueue(queue('q', { strategy: name as StrategyName }));
      router.enqueue(waitingCall('q', now, { id: 'lonely' }));
      t.equal(router.decideForEntry('lonely'), undefined);
      t.equal(router.position('lonely'), 1);
    });
  });
}
