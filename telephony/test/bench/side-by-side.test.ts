// The side-by-side benchmarks (bench/sip-calls.ts, bench/rtp-relay.ts) still
// run on FreeSWITCH: one tiny step of each, through bench/run.sh as a person
// runs them, reading the figures they write with --json. The figures
// themselves are measured by hand (docs/performance.md); this only keeps the
// scripts from rotting: every call goes through, media is relayed, and
// FreeSWITCH's own process is counted beside Tenor's. (The embedded engine is
// what the same scripts ran on before; leaving it out keeps the file under a
// minute on a loaded 2-core machine.)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findEngineBuild } from '../engine-build.js';

interface FigureReport {
  engines: string[];
  figures: Array<{ label: string; values: Record<string, Array<number | null>> }>;
}

// bench/ is type-checked on its own (`npx tsc -p bench`), outside this workspace's program:
// the runner is loaded by URL, with its shape.
type RunBench = (args: string[], timeoutMs: number) => Promise<{ code: number | null; out: string }>;
const { runBench } = (await import(new URL('../../../bench/lib/run-bench.ts', import.meta.url).href)) as { runBench: RunBench };

function figure(report: FigureReport, label: string, engine: string): Array<number | null> {
  return report.figures.find((f) => f.label === label)?.values[engine] ?? [];
}

t.setTimeout(110_000);

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the benchmark smoke test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-bench-smoke-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));

  t.test('sip-calls: one step at 10 calls/s on FreeSWITCH', async (t) => {
    const json = join(dir, 'sip-calls.json');
    const r = await runBench(['sip-calls', '10', '1', '--engines', 'freeswitch', '--json', json], 45_000);
    t.equal(r.code, 0, 'the script ends cleanly');
    const report = JSON.parse(await readFile(json, 'utf8')) as FigureReport;
    t.same(figure(report, 'highest rate with 0 failed calls (/s)', 'freeswitch'), [10], 'every call of the step was answered and bridged');
    const [perCall] = figure(report, 'CPU ms per call at 10/s', 'freeswitch');
    const [fsOwn] = figure(report, "  engine's process, 10/s", 'freeswitch');
    const [tenor] = figure(report, "  Tenor's process, 10/s", 'freeswitch');
    t.ok(typeof tenor === 'number' && tenor > 0, `Tenor's process is counted (${tenor} ms per call)`);
    t.ok(typeof fsOwn === 'number' && fsOwn > 0, `FreeSWITCH's own process is counted (${fsOwn} ms per call)`);
    t.ok(Math.abs((perCall ?? NaN) - ((tenor ?? NaN) + (fsOwn ?? NaN))) < 1e-6, `the CPU per call (${perCall} ms) is both together`);
  });

  t.test('rtp-relay: 4 bridged calls on FreeSWITCH relay media both ways', async (t) => {
    const json = join(dir, 'rtp-relay.json');
    const r = await runBench(['rtp-relay', '4', '2', '--engines', 'freeswitch', '--json', json], 50_000);
    t.equal(r.code, 0, 'the script ends cleanly');
    const report = JSON.parse(await readFile(json, 'utf8')) as FigureReport;
    t.same(figure(report, 'bridged calls', 'freeswitch'), [4], 'all four calls bridged');
    // 4 bridges × 50 packets/s × 2 directions; half of it even with a loaded machine behind.
    const [pps] = figure(report, 'relayed packets/s', 'freeswitch');
    t.ok(typeof pps === 'number' && pps >= 200, `media relayed (${pps} packets/s of 400)`);
    const [fsOwn] = figure(report, "  engine's process", 'freeswitch');
    t.ok(typeof fsOwn === 'number' && fsOwn > 0, `FreeSWITCH's CPU per packet counted (${fsOwn} µs)`);
  });
}
