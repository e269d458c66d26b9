// 100,000 mutated SIP messages sent to a real `tenor start` while SIPp makes
// real calls through it (2 calls/s to the echo number, each held 3 s and hung
// up by the caller). The server must not exit, no real call may fail
// (retransmissions allowed), sampled malformed requests must still be answered
// 400, and the server's RSS at the end must be within 5% of its level after
// the warm-up. The long run is bench/sip-fuzz.ts; docs/reliability.md has
// the figures.
//
// The fuzzer sends from 127.0.0.23; the site file lifts the per-address
// request limit (fuzzTargetEnv says why).

import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeSipp } from '../../../telephony/test/peers/index.js';
import { describeFuzz } from '../../../telephony/test/peers/sip-fuzzer.js';
import { RFC4475 } from '../../../telephony/test/corpus.js';
import { startTenorProcess } from '../e2e/tenor-process.js';
import { tempDir } from '../helpers.js';
import { fuzzDuringCalls, fuzzTargetEnv } from './fuzz-during-calls.js';

const SEED = Number(process.env['TENOR_SIP_FUZZ_SEED'] ?? 17);

t.test('100,000 mutated SIP messages while real calls run: no exit, no failed call, 400s answered, memory flat', RFC4475.options, async (t) => {
  const corpus = readdirSync(RFC4475.dir).filter((f) => f.endsWith('.dat')).sort().map((f) => readFileSync(path.join(RFC4475.dir, f)));
  const { env, inspectPort } = await fuzzTargetEnv(tempDir(t));
  const tenor = await startTenorProcess(t, { args: ['--demo'], env });
  const [host, port] = tenor.sip.split(':');
  const pid = tenor.child.pid;
  if (pid === undefined || host === undefined || port === undefined) throw new Error('tenor did not start');
  let exited: number | null | undefined;
  void tenor.exited.then((e) => { exited = e.code; });

  const r = await fuzzDuringCalls({ pid, host, port: Number(port), inspectPort }, {
    messages: 100_000, warmupMessages: 40_000, seed: SEED, ratePerSecond: 1200, tcpShare: 0.1, probeEvery: 200, maxProbeLagMs: 250,
    callsPerSecond: 2, holdMs: 3000, settleMs: 4000, corpus, fuzzAddress: '127.0.0.23', log: (line) => t.comment(line),
  });
  t.comment(`warm-up (seed ${SEED}):\n${describeFuzz(r.warmup)}`);
  t.comment(`main (seed ${SEED + 1}):\n${describeFuzz(r.main)}`);
  t.comment(`real calls: ${describeSipp(r.sipp)}`);

  t.ok(r.serverAlive && exited === undefined, 'the server process never exited');
  t.equal(r.warmup.sent + r.main.sent, 100_000, '100,000 messages sent');
  t.equal(r.sipp.stats.failed, 0, `no real call failed (${r.sipp.stats.successful} succeeded, ${r.sipp.stats.retransmissions} retransmissions)`);
  t.ok(r.sipp.stats.successful >= 150, `calls went on all along: ${r.sipp.stats.successful}`);
  for (const [phase, f] of [['warm-up', r.warmup], ['main', r.main]] as const) {
    t.equal(f.probes.answered[400], f.probes.sent, `${phase}: every sampled malformed request answered 400 (${JSON.stringify(f.probes)})`);
  }
  t.ok(r.rssGrowthPct <= 5,
    `RSS ${r.rssAfterWarmup.medianKiB} KiB after warm-up, ${r.rssAtEnd.medianKiB} KiB at the end: ${r.rssGrowthPct.toFixed(1)}% (samples ${r.rssAfterWarmup.samplesKiB.join(',')} / ${r.rssAtEnd.samplesKiB.join(',')})`);

  tenor.child.kill('SIGTERM');
  t.equal((await tenor.exited).code, 0, 'and it still stops cleanly on SIGTERM');
});
