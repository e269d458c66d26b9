// `tenor simulate-dialer` as a user runs it: a real process printing a table.

import t from 'tap';
import { runTenor as tenor } from '../cli/run-tenor.js';

const small = ['simulate-dialer', '--seed', '42', '--agents', '6', '--answer-rate', '0.3', '--machine-rate', '0.15', '--talk', '180,60', '--wrap', '30,10', '--hours', '1'];

t.test('prints a table with a row per mode, the same for the same seed', async (t) => {
  const [first, second] = await Promise.all([tenor(small), tenor(small)]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^Pacing simulation: seed 42, 6 agents, 1 h; live 30\.00%, machine 15\.00%/);
  t.match(first.stdout, /mode\s+dialed\s+live\s+abandoned\s+abandon %\s+worst window %\s+occupancy min\/h\s+contacts\/h/);
  for (const mode of ['preview', 'progressive', 'predictive']) t.match(first.stdout, new RegExp(`\\n${mode}\\s+\\d+\\s+\\d+\\s+\\d+\\s+\\d+\\.\\d\\d`));
  t.equal(second.stdout, first.stdout, 'deterministic for a fixed seed');
});

t.test('--mode and --json: one mode, machine-readable', async (t) => {
  const r = await tenor([...small, '--mode', 'predictive', '--cap', '0.03', '--window', '24h', '--json']);
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { options: { agents: number; window: string }; results: { mode: string; abandonRate: number; occupancyMinPerHour: number }[] };
  t.equal(out.options.agents, 6);
  t.equal(out.options.window, '24h');
  t.equal(out.results.length, 1);
  t.equal(out.results[0]?.mode, 'predictive');
  t.ok((out.results[0]?.abandonRate ?? 1) <= 0.03);
  t.ok((out.results[0]?.occupancyMinPerHour ?? 0) > 30);
});

t.test('bad options are refused with the option named', async (t) => {
  const [ring, agents, unknown] = await Promise.all([
    tenor(['simulate-dialer', '--ring-timeout', '10']),
    tenor(['simulate-dialer', '--agents', 'many']),
    tenor(['simulate-dialer', '--speed', '3']),
  ]);
  t.equal(ring.code, 1);
  t.match(ring.stderr, /TENOR_ERR_CAMPAIGN_RING_TIME: .*at least 15 s/);
  t.equal(agents.code, 1);
  t.match(agents.stderr, /--agents needs a number, got 'many'/);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /unknown option --speed for simulate-dialer/);
  t.match(unknown.stderr, /tenor simulate-dialer \[--seed N\]/, 'the help lists the command');
});
