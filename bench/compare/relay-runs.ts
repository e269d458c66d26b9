// CPU per relayed RTP packet with N calls streaming 20 ms PCMU both ways, the
// same SIPp caller (uac-call-echo-rtp: streams a µ-law file) and echoing far
// end (uas -rtp_echo) for every relay:
//  - Tenor's embedded engine or FreeSWITCH: the benchmark server bridges each
//    call (bench/lib/media-calls.ts), its relay carries both directions;
//  - rtpengine: Kamailio in front rewrites each call's SDP through rtpengine's
//    ng socket (kamailio.ts), so the same SIPp legs send to rtpengine's ports.
// Over a window once every call streams: the relay's process tree's CPU
// (/proc), the packets it received and sent (iptables counters on its port
// range, packet-counters.ts), and who else used the machine (machine-load.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRtpengine } from '../../telephony/src/rtpengine/index.js';
import { makeToneUlaw } from '../../telephony/test/peers/audio.js';
import { startSipp, type SippProcess } from '../../telephony/test/peers/sipp.js';
import { startCallers, startMediaRig, waitBridged } from '../lib/media-calls.js';
import type { BenchEngine } from '../lib/protocol.js';
import type { BenchServer } from '../lib/spawn-server.js';
import { waitFor } from '../lib/wait.js';
import { startKamailio } from './kamailio.js';
import { allProcesses, describeShare, othersBetween, readLoad, treeCpuUs, type OthersShare } from './machine-load.js';
import { countUdpPackets, type PacketCounters, type PacketCounts } from './packet-counters.js';

const BUFF = 4 * 1024 * 1024;
/** Calls are placed at this rate; the window opens once all stream. */
const SETUP_RATE = 20;

export interface RelayFigures {
  streams: number;
  /** Packets the relay sent in the window, per second (each call: 50/s each way). */
  packetsPerSecond: number;
  /** Relay CPU per packet it sent, µs, in total and by part. */
  usPerPacket: number;
  partsUsPerPacket: Record<string, number>;
  /** 1 − sent/received over the window, %. */
  lossPercent: number;
  load: OthersShare;
  refused: string | undefined;
}

export interface RelayPlan {
  windowSeconds: number;
  maxOthersCores: number;
  log(line: string): void;
}

interface RelayUnderTest {
  cpuUs(): Record<string, number>;
  counters: PacketCounters;
}

/**
 * The benchmark server's CPU by part: the whole process tree is Tenor with the
 * embedded engine; with FreeSWITCH, its process and the Tenor process driving it.
 */
export function serverCpu(server: BenchServer): () => Record<string, number> {
  return (): Record<string, number> => {
    // One snapshot for both, or the engine's ticks between two reads would make Tenor's part negative.
    const processes = allProcesses();
    const whole = treeCpuUs(server.pid, processes);
    if (server.enginePid === undefined) return { tenor: whole };
    const fs = treeCpuUs(server.enginePid, processes);
    return { freeswitch: fs, 'tenor driving it': whole - fs };
  };
}

const total = (parts: Record<string, number>): number => Object.values(parts).reduce((s, v) => s + v, 0);

/** Opens the window once the relay sends at ≥ 90 % of the full rate, measures it, and judges the machine's load. */
async function measureWindow(relay: RelayUnderTest, streams: number, plan: RelayPlan, setupMs: number): Promise<RelayFigures> {
  const fullRate = streams * 100;
  let last = await relay.counters.read();
  const flowing = await waitFor(async () => {
    await new Promise((r) => setTimeout(r, 900));
    const now = await relay.counters.read();
    const rate = now.sent - last.sent;
    last = now;
    return rate >= 0.9 * fullRate;
  }, setupMs, 0);
  if (!flowing) plan.log(`  not every call streams: the relay sends ${last.sent} packets so far, below 90% of ${fullRate}/s`);
  const load0 = readLoad();
  const cpu0 = relay.cpuUs();
  const c0: PacketCounts = await relay.counters.read();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, plan.windowSeconds * 1000));
  const c1 = await relay.counters.read();
  const t1 = performance.now();
  const cpu1 = relay.cpuUs();
  const load = othersBetween(load0, readLoad());
  const sent = c1.sent - c0.sent;
  const received = c1.received - c0.received;
  const partsUsPerPacket = Object.fromEntries(Object.keys(cpu1).map((k) => [k, ((cpu1[k] ?? 0) - (cpu0[k] ?? 0)) / Math.max(1, sent)]));
  const refused = load.othersCores > plan.maxOthersCores
    ? `others used ${(load.othersCores * 100).toFixed(1)}% of a core (limit ${(plan.maxOthersCores * 100).toFixed(0)}%)`
    : undefined;
  const f: RelayFigures = {
    streams, packetsPerSecond: sent / ((t1 - t0) / 1000), usPerPacket: total(partsUsPerPacket), partsUsPerPacket,
    lossPercent: 100 * (1 - sent / Math.max(1, received)), load, refused,
  };
  const parts = Object.entries(partsUsPerPacket).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(' + ');
  plan.log(`${String(streams).padEnd(9)}${f.packetsPerSecond.toFixed(0).padEnd(9)}${f.usPerPacket.toFixed(2).padEnd(10)}${`(${parts})`.padEnd(34)} `
    + `${f.lossPercent.toFixed(3).padEnd(8)}${describeShare(load)}${refused ? `  REFUSED: ${refused}` : ''}`);
  return f;
}

export const RELAY_HEADER = 'calls    pkt/s    µs/pkt    (by part)                         loss-%  machine';

/** N calls through the benchmark server on `engine` (Tenor's relay or FreeSWITCH's). */
export async function relayThroughServer(engine: BenchEngine, streams: number, plan: RelayPlan, freeswitchPrefix?: string): Promise<RelayFigures> {
  const setupMs = (streams / SETUP_RATE) * 1000 + 10_000;
  const holdMs = setupMs + plan.windowSeconds * 1000 + 5000;
  const rig = await startMediaRig(holdMs / 1000 + 2, engine, { freeswitchPrefix });
  let counters: PacketCounters | undefined;
  let callers: SippProcess | undefined;
  try {
    counters = await countUdpPackets(rig.rtpPorts);
    const server = rig.server;
    const cpuUs = serverCpu(server);
    callers = await startCallers(rig, streams, SETUP_RATE, holdMs);
    if (!(await waitBridged(rig, streams, setupMs))) plan.log(`  only ${(await server.sample()).stats.activeBridges} of ${streams} calls bridged`);
    return await measureWindow({ cpuUs, counters }, streams, plan, setupMs);
  } finally {
    await callers?.stop(2000);
    await counters?.dispose();
    await rig.close();
  }
}

/** N calls whose media Kamailio hands to rtpengine (userspace forwarding); only rtpengine's CPU counts. */
export async function relayThroughRtpengine(streams: number, plan: RelayPlan): Promise<RelayFigures> {
  const setupMs = (streams / SETUP_RATE) * 1000 + 10_000;
  const holdMs = setupMs + plan.windowSeconds * 1000 + 5000;
  const dir = await mkdtemp(join(tmpdir(), 'tenor-compare-rtpengine-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })];
  try {
    const audioFile = await makeToneUlaw(join(dir, 'stream.ul'), { seconds: holdMs / 1000 + 2, frequency: 440 });
    const rtpengine = await startRtpengine();
    cleanups.unshift(() => rtpengine.close());
    const uas = await startSipp({ scenario: 'uas-answer-echo.xml', rtpEcho: true, buffSize: BUFF, timeoutMs: 3_600_000 });
    cleanups.unshift(() => uas.stop(1000));
    await uas.ready();
    const proxy = await startKamailio({ downstream: { address: '127.0.0.1', port: uas.port }, rtpengine: { address: rtpengine.ngAddress, port: rtpengine.ngPort } });
    cleanups.unshift(() => proxy.stop());
    const counters = await countUdpPackets({ from: rtpengine.portMin, to: rtpengine.portMax });
    cleanups.unshift(() => counters.dispose());
    const callers = await startSipp({
      scenario: 'uac-call-echo-rtp.xml', remote: `${proxy.address}:${proxy.port}`, service: '1000',
      calls: streams, rate: SETUP_RATE, limit: streams, pauseMs: holdMs, files: { 'audio.ul': audioFile },
      buffSize: BUFF, timeoutMs: holdMs + 120_000, extraArgs: ['-rtp_buffsize', String(BUFF)],
    });
    cleanups.unshift(() => callers.stop(2000));
    return await measureWindow({ cpuUs: () => ({ rtpengine: treeCpuUs(rtpengine.pid) }), counters }, streams, plan, setupMs);
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
