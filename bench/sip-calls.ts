// SIP call throughput through Tenor as a back-to-back agent:
//   SIPp uac  →  Tenor (answers, originates to the far trunk, bridges)  →  SIPp uas
// The call rate steps up; each step runs `stepSeconds` of calls. Printed: per
// step the calls that succeeded/failed, retransmissions, and the server's CPU
// time per call (process.cpuUsage() in the server process); at the end the
// highest rate with 0 failed calls.
//
//   bench/run.sh sip-calls [rates=25,50,100,200,300,400,600] [stepSeconds=5]

import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpRange } from '../telephony/test/peers/ports.js';
import { runSipp, startSipp } from '../telephony/test/peers/sipp.js';
import { cpuBetween, spawnServer } from './lib/spawn-server.js';
import { waitFor } from './lib/wait.js';

const rates = (process.argv[2] ?? '25,50,100,200,300,400,600').split(',').map(Number);
const stepSeconds = Number(process.argv[3] ?? 5);
const BUFF = 4 * 1024 * 1024;

const uas = await startSipp({ scenario: 'uas', timeoutMs: 3_600_000, buffSize: BUFF });
await uas.ready();
const server = await spawnServer({ rtpPorts: await freeUdpRange(4000, { belowEphemeral: true }), farPort: uas.port });
console.log(`server on ${server.address}, far uas on 127.0.0.1:${uas.port}; ${stepSeconds} s per step`);
console.log('rate/s  calls  ok     failed  retrans  server-cpu-ms/call  server-cpu-%');

let best: { rate: number; cpuMsPerCall: number } | undefined;
try {
  for (const rate of rates) {
    const calls = Math.round(rate * stepSeconds);
    const before = await server.sample();
    const r = await runSipp({
      scenario: 'uac', remote: server.address, service: '1000', calls, rate,
      limit: Math.max(50, rate * 2), buffSize: BUFF, timeoutMs: stepSeconds * 1000 + 60_000,
    });
    const after = await server.sample();
    const cpuUs = cpuBetween(before, after);
    const wallMs = after.wallMs - before.wallMs;
    const ok = r.stats.successful;
    const failed = r.stats.failed + (calls - ok - r.stats.failed);
    const cpuMsPerCall = ok > 0 ? cpuUs / 1000 / ok : NaN;
    console.log(
      `${String(rate).padEnd(8)}${String(calls).padEnd(7)}${String(ok).padEnd(7)}${String(failed).padEnd(8)}`
      + `${String(r.stats.retransmissions).padEnd(9)}${cpuMsPerCall.toFixed(3).padEnd(20)}${(cpuUs / 10 / wallMs).toFixed(0)}`,
    );
    if (failed > 0 || r.code !== 0) {
      const errorsFile = join(tmpdir(), `tenor-bench-sip-calls-${rate}.log`);
      await writeFile(errorsFile, r.errors);
      const aborted = r.errors.split('\n').filter((l) => /Aborting/.test(l));
      console.log(`  stopped: exit ${r.code}; ${aborted.length} calls aborted, e.g. ${aborted[0] ?? '-'}; SIPp errors in ${errorsFile}`);
      break;
    }
    best = { rate, cpuMsPerCall };
    // let the calls drain before the next step
    await waitFor(async () => (await server.sample()).stats.activeCalls === 0, 20_000);
  }
} finally {
  await server.stop();
  await uas.stop(1000);
}
console.log(best
  ? `highest rate with 0 failed calls: ${best.rate} calls/s; server CPU ${best.cpuMsPerCall.toFixed(3)} ms per call`
  : 'no step completed without failures');
