// The long soak (docs/reliability.md#soak): `minutes` of seeded random traffic
// against one real `tenor start` process, then the growth of every figure
// that must come back (calls, dialogs, transactions, SIP and event-loop timers,
// open fds, RTP ports) and of the heap after a full GC, from a baseline taken
// after a minute's warm-up. Exits 1 when an agent is stuck, a figure stays
// above the baseline, or a caller failed.
//
//   bench/run.sh soak [minutes=60] [seed=N] [warmup=60] [gapMs=700] [callers=6]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { report, runSoak } from '../server/test/reliability/soak/run.js';

const args = new Map(process.argv.slice(2).map((a, i) => (a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [i === 0 ? 'minutes' : `arg${i}`, a])));
const minutes = Number(args.get('minutes') ?? 60);
const seed = args.has('seed') ? Number(args.get('seed')) : Math.floor(Math.random() * 2 ** 31);
const warmupS = Number(args.get('warmup') ?? 60);
const dir = mkdtempSync(path.join(tmpdir(), 'tenor-soak-'));
const started = Date.now();
const log = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
log(`soak: ${minutes} min of traffic after ${warmupS} s of warm-up, seed ${seed} (bench/run.sh soak ${minutes} seed=${seed} replays it), in ${dir}`);
try {
  const r = await runSoak({
    seed, warmupMs: warmupS * 1000, trafficMs: minutes * 60_000, dir, log,
    meanGapMs: Number(args.get('gapMs') ?? 700), maxCallers: Number(args.get('callers') ?? 6),
  });
  for (const line of report(r)) console.log(line);
  const hours = r.end.at - r.baseline.at;
  console.log(`  heap growth per hour of traffic: ${((r.end.heapAfterGcBytes - r.baseline.heapAfterGcBytes) / 1048576 / (hours / 3_600_000)).toFixed(1)} MB/h (over ${(hours / 60_000).toFixed(1)} min)`);
  console.log(`  wall time ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  const ok = r.leaks.length === 0 && r.agentsAstray.length === 0 && r.problems.length === 0 && r.serverExitCode === null;
  console.log(ok ? 'soak: OK' : 'soak: FAILED');
  rmSync(dir, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
} catch (err) {
  console.error(`soak: ${String(err)} (files kept in ${dir})`);
  process.exitCode = 1;
}
