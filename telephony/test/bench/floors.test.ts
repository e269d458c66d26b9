// The two floor benchmarks (bench/relay-floor.ts, bench/jitter-floor.ts) still
// run: one tiny step of each through bench/run.sh, as a person runs them. The
// figures are measured by hand (docs/performance.md, "RTP relay, second
// pass"); this keeps the scripts from rotting: packets go through Tenor's
// bridges and through the bare sockets, and the paced frames come back.
import t from 'tap';

// bench/ is type-checked on its own (`npx tsc -p bench`), outside this workspace's program:
// the runner is loaded by URL, with its shape.
type RunBench = (args: string[], timeoutMs: number) => Promise<{ code: number | null; out: string }>;
const { runBench } = (await import(new URL('../../../bench/lib/run-bench.ts', import.meta.url).href)) as { runBench: RunBench };

t.setTimeout(150_000);

t.test('relay-floor: 5 calls, one round, through bare sockets and through Tenor\'s bridges', async (t) => {
  const r = await runBench(['relay-floor', '5', '1', '1'], 60_000);
  t.equal(r.code, 0, 'the script ends cleanly');
  for (const mode of ['bare', 'tenor']) {
    const m = new RegExp(`round 1 ${mode}: ([\\d.]+) µs per relayed packet \\((\\d+) relayed, (\\d+) reached the sink\\)`).exec(r.out);
    t.ok(m, `a figure for ${mode}`, { out: r.out });
    if (!m) continue;
    t.ok(Number(m[1]) > 0, `${mode}: CPU per packet measured`);
    t.ok(Number(m[2]) > 0, `${mode}: packets were relayed`);
    t.ok(Number(m[3]) > 0, `${mode}: relayed packets reached the sink`);
  }
  t.match(r.out, /5 calls, medians of 1: bare node [\d.]+ µs, Tenor's bridge [\d.]+ µs/, 'the summary line');
});

t.test('jitter-floor: 5 streams echoed by bare node', async (t) => {
  const r = await runBench(['jitter-floor', '5', '2'], 60_000);
  t.equal(r.code, 0, 'the script ends cleanly');
  const m = /added p50\/p99 ([\d.]+) \/ ([\d.]+) ms; largest extra gap (-?[\d.]+) ms; gaps ≥ 10 ms \d+; loss (-?[\d.]+) %/.exec(r.out);
  t.ok(m, 'the figures line', { out: r.out });
  if (m) t.ok(Number(m[4]) < 100, 'frames came back through the echo');
  t.match(r.out, /receiver's pauses ≥ 2 ms: /, 'the receiver\'s pauses are reported');
});
