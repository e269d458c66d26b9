// Media capacity: the most concurrent bridged calls (20 ms PCMU both ways)
// the server relays at ≤ 70% of one core. Steps the number of calls; each step
// sets all calls up, measures the server's CPU (process.cpuUsage() in its own
// process) over a window, then lets the calls end.
//
//   bench/run.sh rtp-capacity [steps=25,50,100,150,200,300,400] [windowSeconds=5]

import { startCapture } from '../telephony/test/peers/capture.js';
import { cpuBetween } from './lib/spawn-server.js';
import { startCallers, startMediaRig, waitBridged } from './lib/media-calls.js';
import { waitFor } from './lib/wait.js';

const steps = (process.argv[2] ?? '25,50,100,150,200,300,400').split(',').map(Number);
const windowS = Number(process.argv[3] ?? 5);
const LIMIT = 70;
const rate = 50;
const maxCalls = Math.max(...steps);
const longestHoldMs = (maxCalls / rate) * 1000 + 5000 + windowS * 1000 + 3000;

const rig = await startMediaRig(longestHoldMs / 1000 + 2);
// pkt/s: packets leaving the server; offered-%: packets entering it against 50/s each
// way per bridge (below ~95% the SIPp load generators, not the server, fall behind);
// loss-%: 1 − out/in through the server in the window (packets in flight at the
// window's edges count as lost, so a few tenths of a percent is noise; a step over
// 2% stops the ramp).
console.log('calls  bridged  server-cpu-%  pkt/s      offered-% loss-%  µs/packet  sipp-ok  sipp-failed');
let best: { calls: number; cpu: number } | undefined;
try {
  for (const calls of steps) {
    const setupMs = (calls / rate) * 1000 + 5000;
    const holdMs = setupMs + windowS * 1000 + 3000;
    const callers = await startCallers(rig, calls, rate, holdMs);
    const allUp = await waitBridged(rig, calls, setupMs + 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    // count what the server really sent in the window (SIPp may fall behind its 50 packets/s)
    const cap = await startCapture({ portRange: rig.rtpPorts, snaplen: 64 });
    const s0 = await rig.server.sample();
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const s1 = await rig.server.sample();
    const t1 = Date.now();
    const { packets } = await cap.stop(0);
    await cap.dispose();
    const result = await callers.done;
    const inRange = (port: number): boolean => port >= rig.rtpPorts.from && port <= rig.rtpPorts.to;
    const inWindow = packets.filter((p) => p.timeMs >= t0 && p.timeMs <= t1);
    const relayed = inWindow.filter((p) => inRange(p.srcPort) && !inRange(p.dstPort)).length;
    const received = inWindow.filter((p) => inRange(p.dstPort) && !inRange(p.srcPort)).length;
    const lossPct = 100 * (1 - relayed / Math.max(1, received));
    const expected = s1.stats.activeBridges * 100 * ((t1 - t0) / 1000);
    const cpu = cpuBetween(s0, s1).totalUs / 10 / (s1.wallMs - s0.wallMs);
    const perPacket = cpuBetween(s0, s1).totalUs / Math.max(1, relayed);
    console.log(
      `${String(calls).padEnd(7)}${String(s1.stats.activeBridges).padEnd(9)}${cpu.toFixed(1).padEnd(14)}`
      + `${String(Math.round(relayed / ((t1 - t0) / 1000))).padEnd(11)}${(100 * received / Math.max(1, expected)).toFixed(1).padEnd(10)}`
      + `${lossPct.toFixed(2).padEnd(8)}`
      + `${perPacket.toFixed(2).padEnd(11)}${String(result.stats.successful).padEnd(9)}${result.stats.failed}`,
    );
    await waitFor(async () => (await rig.server.sample()).stats.activeCalls === 0, 30_000);
    const offered = received / Math.max(1, expected);
    if (!allUp || result.stats.failed > 0 || cpu > LIMIT || lossPct > 2 || offered < 0.9) {
      console.log(`  stopped: ${!allUp ? 'not all calls bridged; ' : ''}${result.stats.failed} failed calls; CPU ${cpu.toFixed(1)}%; `
        + `loss ${lossPct.toFixed(2)}%; offered ${(100 * offered).toFixed(0)}%${offered < 0.9 ? ' (the SIPp load generators saturate the machine)' : ''}`);
      break;
    }
    best = { calls, cpu };
  }
} finally {
  await rig.close();
}
console.log(best
  ? `most concurrent bridged calls at ≤ ${LIMIT}% of a core: ${best.calls} (${best.cpu.toFixed(1)}%) among the steps tried`
  : 'no step stayed within the limit');
