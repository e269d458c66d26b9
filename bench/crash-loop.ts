// Crash loop benchmark: the real `tenor start` process under SIP load (callers
// into an IVR flow and queues, some asking for a callback; agents' desk phones
// answering; a progressive campaign dialing a phone network that logs every
// INVITE), killed with SIGKILL at seeded random moments and restarted on the
// same data folder. The run itself is server/test/reliability/crash-loop.ts
// (the suite runs 10 cycles of it); this prints each cycle and the figures
// docs/reliability.md quotes: cycles survived, acknowledged vs lost, time to
// serve again after a restart (median, p90, max), double dials.
//
//   bench/run.sh crash-loop [cycles=100] [seed=random] [upMinMs=2000] [upMaxMs=10000]
//
// It runs the built CLI (server/dist/cli.js): `npx tsc -b` first.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { crashLoop, RETRY_MINUTES, type CycleReport } from '../server/test/reliability/crash-loop.js';

const cycles = Number(process.argv[2] ?? 100);
const seed = Number(process.argv[3] ?? Math.floor(Math.random() * 2 ** 31));
const upMin = Number(process.argv[4] ?? 2000);
const upMax = Number(process.argv[5] ?? 10_000);

const cleanups: (() => Promise<void> | void)[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'tenor-bench-crash-loop-'));
console.log(`crash loop: ${cycles} cycles, seed ${seed} (bench/run.sh crash-loop ${cycles} ${seed} ${upMin} ${upMax} repeats it), load ${upMin}-${upMax} ms per cycle`);

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const healthy = (c: CycleReport): boolean =>
  c.integrity === 'ok' && c.lost.length === 0 && c.stuckAgents.length === 0 && c.leftOpen.length === 0 && c.callbacks.waitingAfter === c.callbacks.stored;

let failed = false;
try {
  const started = Date.now();
  const report = await crashLoop({
    cycles, seed, upMs: { min: upMin, max: upMax }, dir,
    say: (line) => console.log(line), teardown: (fn) => void cleanups.unshift(fn),
  });
  const survived = report.cycles.filter(healthy).length;
  const lost = report.cycles.reduce((n, c) => n + c.lost.length, 0);
  const serve = report.cycles.map((c) => c.serveAgainMs);
  const a = report.acknowledged;
  console.log('');
  for (const c of report.cycles.filter((x) => !healthy(x))) console.log(`cycle ${c.cycle} NOT healthy: ${JSON.stringify(c)}`);
  console.log(`cycles survived:            ${survived} / ${report.cycles.length} (seed ${report.seed}, ${Math.round((Date.now() - started) / 60_000)} min)`);
  console.log(`acknowledged:               ${a.records + a.callbacks + a.states + a.attempts} (call records ${a.records}, callback requests ${a.callbacks}, agent states ${a.states}, campaign attempts ${a.attempts})`);
  console.log(`lost:                       ${lost}`);
  console.log(`serving again after restart: median ${quantile(serve, 0.5)} ms, p90 ${quantile(serve, 0.9)} ms, max ${Math.max(...serve)} ms`);
  console.log(`campaign INVITEs:           ${report.campaignInvites}; dialed twice within ${RETRY_MINUTES} min: ${report.doubleDialed.length}; dialed with no attempt stored: ${report.dialedUnrecorded.length}`);
  failed = survived !== report.cycles.length || report.doubleDialed.length > 0 || report.dialedUnrecorded.length > 0;
} finally {
  for (const fn of cleanups) await fn();
  rmSync(dir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
