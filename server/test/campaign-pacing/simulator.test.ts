// The pacing simulator: a fixed seed gives the same figures every time, and
// every dial mode keeps the abandon rate within the legal cap. Small sizes
// here (the 30-day, 20-agent case is in bench/dialer-pacing.ts).

import t from 'tap';
import { defaultSimulationOptions, type SimulationOptions } from '../../src/services/campaigns/simulator/options.js';
import { simulate } from '../../src/services/campaigns/simulator/simulate.js';
import { Prng } from '../../src/services/campaigns/simulator/prng.js';
import { isTenorError } from '../../src/core/errors.js';
import type { DialMode } from '../../src/services/campaigns/pacing/index.js';

const modes: DialMode[] = ['preview', 'progressive', 'predictive'];
const run = (over: Partial<SimulationOptions>) => simulate({ ...defaultSimulationOptions, ...over });

t.test('the PRNG is deterministic per seed and uniform enough', async (t) => {
  const a = new Prng(42);
  const b = new Prng(42);
  const xs = Array.from({ length: 1000 }, () => a.next());
  t.same(xs, Array.from({ length: 1000 }, () => b.next()));
  t.not(new Prng(43).next(), xs[0]);
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  t.ok(Math.abs(mean - 0.5) < 0.03, `mean ${mean}`);
  t.ok(xs.every((x) => x >= 0 && x < 1));
});

t.test('a fixed seed gives the same output twice; another seed does not', async (t) => {
  const options = { seed: 7, agents: 8, shiftHours: 2 };
  for (const mode of modes) {
    const first = run({ ...options, mode });
    const second = run({ ...options, mode });
    t.same(second, first, `${mode} stable`);
    t.ok(first.dialed > 100, `${mode} dialed ${first.dialed}`);
  }
  const other = run({ ...options, seed: 8, mode: 'predictive' });
  t.not(other.dialed, run({ ...options, mode: 'predictive' }).dialed, 'seed 8 differs from seed 7');
});

t.test('every mode stays within a 3% cap, on several seeds and sizes', async (t) => {
  const cases: Partial<SimulationOptions>[] = [
    { agents: 5, days: 2, window: '24h', liveAnswerRate: 0.3 },
    { agents: 12, shiftHours: 3, window: '30d', liveAnswerRate: 0.2 },
  ];
  for (const seed of [1, 2, 3]) {
    for (const c of cases) {
      for (const mode of modes) {
        const r = run({ ...c, seed, mode, abandonCap: 0.03 });
        const label = `seed ${seed}, ${r.agents} agents, ${mode}: ${r.abandoned}/${r.liveAnswers} abandoned, worst window ${(r.worstWindowRate * 100).toFixed(2)}%`;
        t.ok(r.abandonRate <= 0.03 && r.worstWindowRate <= 0.03, label);
        if (mode !== 'predictive') t.equal(r.abandoned, 0, `${mode} never abandons (one call per free agent)`);
      }
    }
  }
});

t.test('predictive keeps agents busier than progressive, progressive more than preview', async (t) => {
  const base = { seed: 3, agents: 12, shiftHours: 4, liveAnswerRate: 0.2 };
  const [preview, progressive, predictive] = modes.map((mode) => run({ ...base, mode }));
  t.ok(progressive!.occupancyMinPerHour > preview!.occupancyMinPerHour, `progressive ${progressive!.occupancyMinPerHour} > preview ${preview!.occupancyMinPerHour}`);
  t.ok(predictive!.occupancyMinPerHour > progressive!.occupancyMinPerHour + 3, `predictive ${predictive!.occupancyMinPerHour} > progressive ${progressive!.occupancyMinPerHour}`);
  t.ok(predictive!.contactsPerHour > progressive!.contactsPerHour);
  t.ok(predictive!.meanAgentWaitS < progressive!.meanAgentWaitS);
});

t.test('the simulator asks the pacer on every event and tick, with a consistent snapshot', async (t) => {
  let decisions = 0;
  let problems = 0;
  const r = run({
    seed: 5,
    agents: 6,
    shiftHours: 1,
    observe(s, d) {
      decisions++;
      const ok =
        s.agentsReady >= 0 &&
        s.agentsReady + s.agentsBusy.length <= 6 &&
        s.callsDialing === (s.dialingSinceMs?.length ?? -1) &&
        (s.dialingSinceMs ?? []).every((age) => age >= 0 && age <= 20_000) &&
        s.callsWaitingForAgent >= 0 &&
        d.dial >= 0;
      if (!ok) problems++;
    },
  });
  t.ok(decisions >= 3600, `${decisions} decisions in an hour (a tick a second, plus events)`);
  t.equal(problems, 0);
  t.ok(r.events > 3600);
});

t.test('options are checked and the offending one named', async (t) => {
  const failure = (over: Partial<SimulationOptions>): unknown => {
    try {
      run(over);
    } catch (err) {
      return err;
    }
    return undefined;
  };
  const noAgents = failure({ agents: 0 });
  t.ok(isTenorError(noAgents, 'TENOR_ERR_VALIDATION') && /agents/.test(noAgents.message), String(noAgents));
  t.ok(isTenorError(failure({ ringTimeoutMs: 10_000 }), 'TENOR_ERR_CAMPAIGN_RING_TIME'), 'ring time under 15 s refused');
  t.match(String(failure({ liveAnswerRate: 0.7, machineRate: 0.4 })), /must not exceed 1/);
});
