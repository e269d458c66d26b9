// RTP relay cost and quality: N bridged calls with 20 ms PCMU both ways
// (SIPp streams, the far SIPp echoes), measured over a window once all are up.
// Printed: server CPU µs per relayed packet, the jitter the relay adds
// (|inter-arrival − 20 ms| of what leaves the server vs what enters it, p50/p99),
// and packet loss through the server.
//
//   bench/run.sh rtp-relay [calls=50] [windowSeconds=10]

import { rtpFlows, startCapture, percentile, type RtpFlow, type UdpPacket } from '../telephony/test/peers/capture.js';
import { cpuBetween } from './lib/spawn-server.js';
import { startCallers, startMediaRig, waitBridged } from './lib/media-calls.js';

const calls = Number(process.argv[2] ?? 50);
const windowS = Number(process.argv[3] ?? 10);
const rate = 20;
const setupMs = (calls / rate) * 1000 + 5000;
const holdMs = setupMs + windowS * 1000 + 3000;

const rig = await startMediaRig(holdMs / 1000 + 2);
const cap = await startCapture({ portRange: { from: rig.rtpPorts.from, to: rig.rtpPorts.to }, snaplen: 64 });
try {
  const callers = await startCallers(rig, calls, rate, holdMs);
  if (!(await waitBridged(rig, calls, setupMs + 10_000))) {
    console.log(`only ${(await rig.server.sample()).stats.activeBridges} of ${calls} calls bridged`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const s0 = await rig.server.sample();
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, windowS * 1000));
  const s1 = await rig.server.sample();
  const t1 = Date.now();
  const result = await callers.done;
  const { packets, droppedByKernel } = await cap.stop();

  const inRange = (p: number): boolean => p >= rig.rtpPorts.from && p <= rig.rtpPorts.to;
  const windowed: UdpPacket[] = packets.filter((p) => p.timeMs >= t0 && p.timeMs <= t1);
  const flows = [...rtpFlows(windowed).values()];
  const into = flows.filter((f) => inRange(f.dstPort) && !inRange(f.srcPort));
  const out = flows.filter((f) => inRange(f.srcPort) && !inRange(f.dstPort));
  const count = (fs: RtpFlow[]): number => fs.reduce((s, f) => s + f.packets, 0);
  const deviations = (fs: RtpFlow[]): number[] => {
    const byFlow = new Map<string, number[]>();
    for (const p of windowed) {
      const key = `${p.srcPort}->${p.dstPort}`;
      if (!fs.some((f) => f.key === key)) continue;
      const list = byFlow.get(key) ?? [];
      list.push(p.timeMs);
      byFlow.set(key, list);
    }
    const devs: number[] = [];
    for (const times of byFlow.values()) {
      for (let i = 1; i < times.length; i++) devs.push(Math.abs((times[i] ?? 0) - (times[i - 1] ?? 0) - 20));
    }
    return devs.sort((a, b) => a - b);
  };
  const fromFar = into.filter((f) => f.srcPort === rig.uas.mediaPort);
  const toFar = out.filter((f) => f.dstPort === rig.uas.mediaPort);
  console.log(`caller→server ${count(into) - count(fromFar)} packets in ${into.length - fromFar.length} flows, server→far ${count(toFar)}, `
    + `far→server (echo) ${count(fromFar)}, server→caller ${count(out) - count(toFar)}`);
  const inDev = deviations(into);
  const outDev = deviations(out);
  const relayed = count(out);
  const received = count(into);
  const cpuUs = cpuBetween(s0, s1);
  const wallMs = s1.wallMs - s0.wallMs;

  console.log(`calls ${calls} (bridged ${s1.stats.activeBridges}), window ${((t1 - t0) / 1000).toFixed(1)} s, SIPp exit ${result.code} ok ${result.stats.successful} failed ${result.stats.failed}`);
  console.log(`packets into server ${received}, out of server ${relayed} (${(relayed / ((t1 - t0) / 1000)).toFixed(0)} pkt/s), tcpdump kernel drops ${droppedByKernel}`);
  console.log(`server CPU ${(cpuUs / 1000).toFixed(0)} ms in ${(wallMs / 1000).toFixed(1)} s = ${(cpuUs / 10 / wallMs).toFixed(1)}% of a core; ${(cpuUs / Math.max(1, relayed)).toFixed(2)} µs per relayed packet`);
  console.log(`jitter |Δt−20ms| entering: p50 ${percentile(inDev, 0.5).toFixed(2)} ms, p99 ${percentile(inDev, 0.99).toFixed(2)} ms`);
  console.log(`jitter |Δt−20ms| leaving:  p50 ${percentile(outDev, 0.5).toFixed(2)} ms, p99 ${percentile(outDev, 0.99).toFixed(2)} ms`);
  console.log(`added jitter: p50 ${(percentile(outDev, 0.5) - percentile(inDev, 0.5)).toFixed(2)} ms, p99 ${(percentile(outDev, 0.99) - percentile(inDev, 0.99)).toFixed(2)} ms`);
  console.log(`loss through the server: ${(100 * (1 - relayed / Math.max(1, received))).toFixed(3)}% (window edges count ±1 packet per flow)`);
} finally {
  await cap.dispose();
  await rig.close();
}
