// RTP relay cost and quality: N bridged calls with 20 ms PCMU both ways
// (SIPp streams, the far SIPp echoes), measured over a window once all are up,
// on each engine asked for (embedded, or FreeSWITCH driven by Tenor: then
// FreeSWITCH relays the media, and its process's CPU counts as well as Tenor's).
// Printed: server CPU µs per relayed packet (Tenor's process, the engine's,
// both), the jitter the relay adds (|inter-arrival − 20 ms| of what leaves the
// server vs what enters it, p50/p99), and packet loss through the server; with
// several engines or rounds, the medians side by side and their ratios.
//
//   bench/run.sh rtp-relay [calls=50] [windowSeconds=10] [--engines embedded,freeswitch] [--rounds N] [--json FILE] [--direct-media]
//
// --direct-media (embedded engine): callers and the far end allow direct media, so each bridge
// re-INVITEs both to each other; the CPU is then divided by the packets the two ends exchange
// (50/s each way per bridge, as SIPp streams and echoes), and Tenor's ports should see none.

import { rtpFlows, startCapture, percentile, type RtpFlow, type UdpPacket } from '../telephony/test/peers/capture.js';
import { FigureTable, reportFigures } from './lib/compare.js';
import { parseEngineArgs } from './lib/engine-args.js';
import { startCallers, startMediaRig, waitBridged } from './lib/media-calls.js';
import type { BenchEngine } from './lib/protocol.js';
import { cpuBetween } from './lib/spawn-server.js';

const directMedia = process.argv.includes('--direct-media');
const args = parseEngineArgs(process.argv.slice(2).filter((a) => a !== '--direct-media'));
if (directMedia && args.engines.some((e) => e !== 'embedded')) throw new Error('--direct-media: the embedded engine only');
const calls = Number(args.positionals[0] ?? 50);
const windowS = Number(args.positionals[1] ?? 10);
const rate = 20;
const setupMs = (calls / rate) * 1000 + 5000;
const holdMs = setupMs + windowS * 1000 + 3000;

interface RelayFigures {
  bridged: number;
  packetsPerSecond: number;
  cpuPercent: number;
  tenorUsPerPacket: number;
  engineUsPerPacket: number;
  totalUsPerPacket: number;
  leavingJitterP50: number;
  leavingJitterP99: number;
  /** Leaving minus entering: negative when the engine re-times what it relays (FreeSWITCH sends on its own 20 ms clock). */
  addedJitterP50: number;
  addedJitterP99: number;
  lossPercent: number;
}

async function relayOn(engine: BenchEngine): Promise<RelayFigures> {
  const rig = await startMediaRig(holdMs / 1000 + 2, engine, { directMedia });
  console.log(`-- ${engine}: server on ${rig.server.address} (engine ready in ${rig.server.engineStartMs} ms)`);
  const cap = await startCapture({ portRange: { from: rig.rtpPorts.from, to: rig.rtpPorts.to }, snaplen: 64 });
  try {
    const callers = await startCallers(rig, calls, rate, holdMs, { directMedia });
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
    const cpu = cpuBetween(s0, s1);
    const wallMs = s1.wallMs - s0.wallMs;
    // Direct media: nothing is relayed; the cost is per packet the ends exchange around Tenor.
    const exchanged = directMedia ? s1.stats.activeBridges * 100 * ((t1 - t0) / 1000) : relayed;
    // Tenor's own counters, not the capture: SIPp's media ports may fall inside the server's port range.
    const tenorReceived = (s1.stats.traffic?.rtp.packetsReceived ?? 0) - (s0.stats.traffic?.rtp.packetsReceived ?? 0);
    if (directMedia) console.log(`direct media: ${exchanged.toFixed(0)} packets exchanged by the ends (50/s each way per bridge), ${tenorReceived} received by Tenor's legs`);
    const perPacket = (us: number): number => us / Math.max(1, exchanged);
    const figures: RelayFigures = {
      bridged: s1.stats.activeBridges,
      packetsPerSecond: relayed / ((t1 - t0) / 1000),
      cpuPercent: cpu.totalUs / 10 / wallMs,
      tenorUsPerPacket: perPacket(cpu.tenorUs),
      engineUsPerPacket: perPacket(cpu.engineUs),
      totalUsPerPacket: perPacket(cpu.totalUs),
      leavingJitterP50: percentile(outDev, 0.5),
      leavingJitterP99: percentile(outDev, 0.99),
      addedJitterP50: percentile(outDev, 0.5) - percentile(inDev, 0.5),
      addedJitterP99: percentile(outDev, 0.99) - percentile(inDev, 0.99),
      lossPercent: 100 * (1 - relayed / Math.max(1, received)),
    };

    console.log(`calls ${calls} (bridged ${figures.bridged}), window ${((t1 - t0) / 1000).toFixed(1)} s, SIPp exit ${result.code} ok ${result.stats.successful} failed ${result.stats.failed}`);
    console.log(`packets into server ${received}, out of server ${relayed} (${figures.packetsPerSecond.toFixed(0)} pkt/s), tcpdump kernel drops ${droppedByKernel}`);
    console.log(`server CPU ${(cpu.totalUs / 1000).toFixed(0)} ms in ${(wallMs / 1000).toFixed(1)} s = ${figures.cpuPercent.toFixed(1)}% of a core; `
      + `${figures.totalUsPerPacket.toFixed(2)} µs per relayed packet (Tenor ${figures.tenorUsPerPacket.toFixed(2)} + engine process ${figures.engineUsPerPacket.toFixed(2)})`);
    console.log(`jitter |Δt−20ms| entering: p50 ${percentile(inDev, 0.5).toFixed(2)} ms, p99 ${percentile(inDev, 0.99).toFixed(2)} ms`);
    console.log(`jitter |Δt−20ms| leaving:  p50 ${percentile(outDev, 0.5).toFixed(2)} ms, p99 ${percentile(outDev, 0.99).toFixed(2)} ms`);
    console.log(`added jitter: p50 ${figures.addedJitterP50.toFixed(2)} ms, p99 ${figures.addedJitterP99.toFixed(2)} ms`);
    console.log(`loss through the server: ${figures.lossPercent.toFixed(3)}% (window edges count ±1 packet per flow)`);
    return figures;
  } finally {
    await cap.dispose();
    await rig.close();
  }
}

const table = new FigureTable();
for (let round = 1; round <= args.rounds; round++) {
  for (const engine of args.engines) {
    if (args.rounds > 1) console.log(`== round ${round} of ${args.rounds}`);
    const f = await relayOn(engine);
    table.add('bridged calls', engine, f.bridged, 0);
    table.add('CPU µs per relayed packet', engine, f.totalUsPerPacket, 2);
    table.add("  Tenor's process", engine, f.tenorUsPerPacket, 2);
    table.add("  engine's process", engine, f.engineUsPerPacket, 2);
    table.add('CPU % of a core', engine, f.cpuPercent, 1);
    table.add('relayed packets/s', engine, f.packetsPerSecond, 0);
    table.add('jitter leaving the server p50 (ms)', engine, f.leavingJitterP50, 2);
    table.add('jitter leaving the server p99 (ms)', engine, f.leavingJitterP99, 2);
    table.add('added jitter p50 (ms)', engine, f.addedJitterP50, 2, 'difference');
    table.add('added jitter p99 (ms)', engine, f.addedJitterP99, 2, 'difference');
    table.add('loss through the server (%)', engine, f.lossPercent, 3, 'difference');
  }
}
await reportFigures('rtp-relay', args, table);
