// SIP call throughput through Tenor as a back-to-back agent:
//   SIPp uac  →  Tenor (answers, originates to the far trunk, bridges)  →  SIPp uas
// on each engine asked for: the embedded one, or FreeSWITCH driven by Tenor
// (whose own process's CPU counts as well as Tenor's). The call rate steps up;
// each step runs `stepSeconds` of calls, each held `holdMs` once answered so
// that it is bridged before the caller hangs up (a call that ends unbridged
// counts as failed: with no hold, the caller's BYE overtakes FreeSWITCH's
// uuid_bridge). Printed: per step the calls that succeeded/failed, were
// bridged, retransmissions, and the server's CPU time per call
// (Tenor's process, the engine's process, both); per engine the highest rate
// with 0 failed calls; with several engines or rounds, the medians side by
// side and their ratios (lib/compare.ts).
//
//   bench/run.sh sip-calls [rates=25,50,100,200,300,400,600] [stepSeconds=5] [holdMs=1000] [--engines embedded,freeswitch] [--rounds N] [--json FILE]

import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpRange } from '../telephony/test/peers/ports.js';
import { runSipp, startSipp } from '../telephony/test/peers/sipp.js';
import { FigureTable, reportFigures } from './lib/compare.js';
import { parseEngineArgs } from './lib/engine-args.js';
import type { BenchEngine } from './lib/protocol.js';
import { cpuBetween, spawnServer } from './lib/spawn-server.js';
import { waitFor } from './lib/wait.js';

const args = parseEngineArgs(process.argv.slice(2));
const rates = (args.positionals[0] ?? '25,50,100,200,300,400,600').split(',').map(Number);
const stepSeconds = Number(args.positionals[1] ?? 5);
const holdMs = Number(args.positionals[2] ?? 1000);
const BUFF = 4 * 1024 * 1024;

interface Step {
  rate: number;
  failed: number;
  /** CPU ms per successful call: Tenor's process, the engine's own, both. */
  tenorMs: number;
  engineMs: number;
  totalMs: number;
}

/** One engine's ramp: steps up the rate until a step has failed calls. */
async function ramp(engine: BenchEngine): Promise<Step[]> {
  const uas = await startSipp({ scenario: 'uas', timeoutMs: 3_600_000, buffSize: BUFF });
  await uas.ready();
  const steps: Step[] = [];
  try {
    const server = await spawnServer({ engine, rtpPorts: await freeUdpRange(4000, { belowEphemeral: true }), farPort: uas.port });
    try {
      console.log(`-- ${engine}: server on ${server.address} (engine ready in ${server.engineStartMs} ms), far uas on 127.0.0.1:${uas.port}; ${stepSeconds} s per step, calls held ${holdMs} ms`);
      console.log('rate/s  calls  ok     failed  bridged  retrans  cpu-ms/call tenor+engine=total   cpu-% of a core');
      for (const rate of rates) {
        const calls = Math.round(rate * stepSeconds);
        const before = await server.sample();
        const r = await runSipp({
          scenario: 'uac', remote: server.address, service: '1000', calls, rate, pauseMs: holdMs,
          limit: Math.max(50, Math.ceil(rate * (2 + holdMs / 1000))), buffSize: BUFF, timeoutMs: stepSeconds * 1000 + holdMs + 60_000,
        });
        const after = await server.sample();
        const cpu = cpuBetween(before, after);
        const wallMs = after.wallMs - before.wallMs;
        const ok = r.stats.successful;
        const bridged = after.bridged - before.bridged;
        const unbridged = Math.max(0, ok - bridged);
        const failed = r.stats.failed + (calls - ok - r.stats.failed) + unbridged;
        const per = (us: number): number => (ok > 0 ? us / 1000 / ok : NaN);
        const step: Step = { rate, failed, tenorMs: per(cpu.tenorUs), engineMs: per(cpu.engineUs), totalMs: per(cpu.totalUs) };
        steps.push(step);
        const split = `${step.tenorMs.toFixed(3)}+${step.engineMs.toFixed(3)}=${step.totalMs.toFixed(3)}`;
        console.log(
          `${String(rate).padEnd(8)}${String(calls).padEnd(7)}${String(ok).padEnd(7)}${String(failed).padEnd(8)}${String(bridged).padEnd(9)}`
          + `${String(r.stats.retransmissions).padEnd(9)}${split.padEnd(33)}${(cpu.totalUs / 10 / wallMs).toFixed(0)}`,
        );
        if (failed > 0 || r.code !== 0) {
          const errorsFile = join(tmpdir(), `tenor-bench-sip-calls-${engine}-${rate}.log`);
          await writeFile(errorsFile, r.errors);
          const aborted = r.errors.split('\n').filter((l) => /Aborting/.test(l));
          console.log(`  stopped: exit ${r.code}; ${unbridged} answered calls ended unbridged; ${aborted.length} calls aborted, e.g. ${aborted[0] ?? '-'}; SIPp errors in ${errorsFile}`);
          break;
        }
        // let the calls drain before the next step
        if (rate !== rates.at(-1)) await waitFor(async () => (await server.sample()).stats.activeCalls === 0, 20_000);
      }
    } finally {
      await server.stop();
    }
  } finally {
    await uas.stop(1000);
  }
  const best = steps.filter((s) => s.failed === 0).at(-1);
  console.log(best
    ? `${engine}: highest rate with 0 failed calls: ${best.rate} calls/s; server CPU ${best.totalMs.toFixed(3)} ms per call`
    : `${engine}: no step completed without failures`);
  return steps;
}

const table = new FigureTable();
for (let round = 1; round <= args.rounds; round++) {
  for (const engine of args.engines) {
    if (args.rounds > 1) console.log(`== round ${round} of ${args.rounds}`);
    const steps = await ramp(engine);
    table.add('highest rate with 0 failed calls (/s)', engine, steps.filter((s) => s.failed === 0).at(-1)?.rate ?? 0, 0);
    // Only steps without failures: a failed step's CPU is spent partly on retransmissions and aborts.
    for (const s of steps.filter((x) => x.failed === 0)) {
      table.add(`CPU ms per call at ${s.rate}/s`, engine, s.totalMs, 3);
      table.add(`  Tenor's process, ${s.rate}/s`, engine, s.tenorMs, 3);
      table.add(`  engine's process, ${s.rate}/s`, engine, s.engineMs, 3);
    }
  }
}
await reportFigures('sip-calls', args, table);
