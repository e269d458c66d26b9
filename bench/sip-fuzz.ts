// Mutated SIP while real calls run, the long version of
// server/test/reliability/sip-fuzz.test.ts: a `tenor start --demo` process,
// SIPp calling its echo number at a steady rate, and the seeded fuzzer sending
// `messages` hostile messages (UDP, a tenth over TCP) from 127.0.0.23.
// Prints what was sent, how the probes were answered, the real calls' result
// and the server's RSS after the warm-up and at the end.
//
//   bench/run.sh sip-fuzz [messages=1000000] [seed=17] [rate=1200] [callsPerSecond=2] [holdMs=3000]
//   BENCH_SERVER_NODE_ARGS="--heapsnapshot-signal=SIGUSR2" bench/run.sh sip-fuzz   # node flags for the server only

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { describeSipp } from '../telephony/test/peers/index.js';
import { describeFuzz } from '../telephony/test/peers/sip-fuzzer.js';
import { startTenorProcess } from '../server/test/e2e/tenor-process.js';
import { tempDir } from '../server/test/helpers.js';
import { fuzzDuringCalls, fuzzTargetEnv } from '../server/test/reliability/fuzz-during-calls.js';

const [messages = 1_000_000, seed = 17, rate = 1200, callsPerSecond = 2, holdMs = 3000] = process.argv.slice(2).map(Number);

// Where telephony/test/corpus.ts looks (that module imports tap, which a bench must not load).
const RFC4475_DIR = process.env['TENOR_RFC4475_DIR'] ?? fileURLToPath(new URL('../../shared/corpora/rfc4475', import.meta.url));

const teardowns: (() => unknown)[] = [];
const cleanup = { teardown: (fn: () => unknown): void => void teardowns.push(fn) };

async function main(): Promise<number> {
  const found = existsSync(RFC4475_DIR);
  if (!found) console.error(`the RFC 4475 corpus is not at ${RFC4475_DIR} (TENOR_RFC4475_DIR): generated messages only`);
  const corpus = found ? readdirSync(RFC4475_DIR).filter((f) => f.endsWith('.dat')).sort().map((f) => readFileSync(path.join(RFC4475_DIR, f))) : [];
  const { env, inspectPort } = await fuzzTargetEnv(tempDir(cleanup), process.env['BENCH_SERVER_NODE_ARGS']);
  const tenor = await startTenorProcess(cleanup, { args: ['--demo'], env });
  const [host, port] = tenor.sip.split(':');
  const pid = tenor.child.pid;
  if (pid === undefined || host === undefined || port === undefined) throw new Error('tenor did not start');
  console.log(`tenor start --demo: pid ${pid}, SIP ${tenor.sip}`);
  let exitCode: number | null | undefined;
  void tenor.exited.then((e) => { exitCode = e.code; });
  const started = Date.now();
  const r = await fuzzDuringCalls({ pid, host, port: Number(port), inspectPort }, {
    messages, warmupMessages: Math.min(40_000, Math.floor(messages / 4)), seed, ratePerSecond: rate, tcpShare: 0.1, probeEvery: 200, maxProbeLagMs: 250,
    callsPerSecond, holdMs, settleMs: 4000, corpus, fuzzAddress: '127.0.0.23', log: (line) => console.log(line),
  });
  console.log(`\nwarm-up (seed ${seed}):\n${describeFuzz(r.warmup)}\n\nmain (seed ${seed + 1}):\n${describeFuzz(r.main)}`);
  console.log(`\nreal calls: ok ${r.sipp.stats.successful}, failed ${r.sipp.stats.failed}, retransmissions ${r.sipp.stats.retransmissions} (SIPp exit ${r.sipp.code})`);
  if (r.sipp.stats.failed > 0) console.log(describeSipp(r.sipp));
  const probes = { sent: r.warmup.probes.sent + r.main.probes.sent, ok: (r.warmup.probes.answered[400] ?? 0) + (r.main.probes.answered[400] ?? 0) };
  console.log(`probes answered 400: ${probes.ok} of ${probes.sent}`);
  console.log(`server RSS: ${r.rssAfterWarmup.medianKiB} KiB after warm-up, ${r.rssAtEnd.medianKiB} KiB at the end (${r.rssGrowthPct >= 0 ? '+' : ''}${r.rssGrowthPct.toFixed(1)}%)`);
  console.log(`server ${r.serverAlive && exitCode === undefined ? 'still running' : `EXITED (${String(exitCode)})`}; ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
  const ok = r.serverAlive && exitCode === undefined && r.sipp.stats.failed === 0 && probes.ok === probes.sent && r.rssGrowthPct <= 5;
  tenor.child.kill('SIGTERM');
  await tenor.exited;
  return ok ? 0 : 1;
}

main()
  .then((code) => (process.exitCode = code))
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const fn of teardowns.reverse()) await fn();
  });
