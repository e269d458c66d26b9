// Packet capture on the loopback interface, and a small pcap reader that turns
// what really crossed the wire into RTP flow figures: packet counts per flow
// and payload type, inter-arrival times, and RFC 4733 digits in order.
// Signalling alone does not prove a caller heard anything; this does.

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CaptureOptions {
  /** Capture UDP with a port in this inclusive range... */
  portRange?: { from: number; to: number };
  /** ...and/or with one of these ports. */
  ports?: number[];
  /** Raw tcpdump filter, used instead of the two above. */
  filter?: string;
  /** Bytes kept per packet (enough for IP+UDP+RTP headers and a DTMF payload by default). */
  snaplen?: number;
}

export interface CaptureResult {
  file: string;
  packets: UdpPacket[];
  /** tcpdump's own figure for packets the kernel dropped (should be 0). */
  droppedByKernel: number;
  stderr: string;
}

export interface Capture {
  readonly file: string;
  /**
   * Stop with SIGINT (tcpdump flushes), wait for exit, read and parse the file.
   * Waits `settleMs` (200) first so packets still in flight are written.
   */
  stop(settleMs?: number): Promise<CaptureResult>;
  /** Stop tcpdump if still running and remove the temp dir; call after the last look at `file`. */
  dispose(): Promise<void>;
}

export function captureFilter(opts: CaptureOptions): string {
  if (opts.filter) return opts.filter;
  const parts: string[] = [];
  if (opts.portRange) parts.push(`portrange ${opts.portRange.from}-${opts.portRange.to}`);
  for (const p of opts.ports ?? []) parts.push(`port ${p}`);
  return parts.length ? `udp and (${parts.join(' or ')})` : 'udp';
}

/** Start tcpdump on lo; resolves once it says it is listening. */
export async function startCapture(opts: CaptureOptions, readyTimeoutMs = 5000): Promise<Capture> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-pcap-'));
  const file = join(dir, 'capture.pcap');
  // --immediate-mode: without it packets sit in the kernel ring up to a second
  // and a SIGINT soon after the last one loses them; -U flushes each to the file.
  const args = ['-i', 'lo', '-n', '-U', '--immediate-mode', '-B', '8192', '-s', String(opts.snaplen ?? 256),
    '-w', file, captureFilter(opts)];
  const child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      stderr += `spawn error: ${err.message}`;
      resolve(null);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tcpdump not listening after ${readyTimeoutMs} ms: ${stderr}`));
    }, readyTimeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`tcpdump exited: ${stderr}`));
    });
  });

  let result: Promise<CaptureResult> | undefined;
  return {
    file,
    stop(settleMs = 200): Promise<CaptureResult> {
      result ??= (async () => {
        await new Promise((r) => setTimeout(r, settleMs));
        child.kill('SIGINT');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
        const m = /(\d+) packets? dropped by kernel/.exec(stderr);
        const packets = parsePcap(await readFile(file));
        return { file, packets, droppedByKernel: m?.[1] ? Number(m[1]) : 0, stderr };
      })();
      return result;
    },
    async dispose(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(kill);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------
// pcap reading

export interface UdpPacket {
  /** capture time in milliseconds since the epoch (µs resolution) */
  timeMs: number;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  /** UDP payload as captured (may be cut at the snaplen) */
  payload: Buffer;
  /** UDP payload length on the wire */
  length: number;
}

const LINK_NULL = 0;
const LINK_ETHERNET = 1;
const LINK_RAW = 101;
const LINK_LINUX_SLL = 113;
const LINK_LINUX_SLL2 = 276;

/** Offset of the IPv4 header within a frame, or -1 when the frame is not IPv4. */
function ipOffset(linkType: number, frame: Buffer): number {
  switch (linkType) {
    case LINK_ETHERNET:
      return frame.length >= 14 && frame.readUInt16BE(12) === 0x0800 ? 14 : -1;
    case LINK_LINUX_SLL:
      return frame.length >= 16 && frame.readUInt16BE(14) === 0x0800 ? 16 : -1;
    case LINK_LINUX_SLL2:
      return frame.length >= 20 && frame.readUInt16BE(0) === 0x0800 ? 20 : -1;
    case LINK_NULL: {
      // BSD loopback: a 4-byte address family in host byte order; 2 is AF_INET
      if (frame.length < 4) return -1;
      const le = frame.readUInt32LE(0);
      const be = frame.readUInt32BE(0);
      return le === 2 || be === 2 ? 4 : -1;
    }
    case LINK_RAW:
      return 0;
    default:
      throw new Error(`unsupported pcap link type ${linkType}`);
  }
}

const ip4 = (b: Buffer, o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;

/** Parse a classic pcap file (not pcapng) into its IPv4 UDP packets. */
export function parsePcap(data: Buffer): UdpPacket[] {
  if (data.length < 24) return [];
  const magicLE = data.readUInt32LE(0);
  let le: boolean;
  let nanos: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) {
    le = true;
    nanos = magicLE === 0xa1b23c4d;
  } else {
    const magicBE = data.readUInt32BE(0);
    if (magicBE !== 0xa1b2c3d4 && magicBE !== 0xa1b23c4d) throw new Error('not a pcap file');
    le = false;
    nanos = magicBE === 0xa1b23c4d;
  }
  const u32 = (o: number): number => (le ? data.readUInt32LE(o) : data.readUInt32BE(o));
  const linkType = u32(20) & 0x0fffffff;
  const out: UdpPacket[] = [];
  let off = 24;
  while (off + 16 <= data.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    off += 16;
    if (off + incl > data.length) break; // a record cut short by a killed tcpdump
    const frame = data.subarray(off, off + incl);
    off += incl;
    const ip = ipOffset(linkType, frame);
    if (ip < 0 || frame.length < ip + 20) continue;
    const vihl = frame[ip] ?? 0;
    if (vihl >> 4 !== 4 || frame[ip + 9] !== 17) continue;
    const udp = ip + (vihl & 0x0f) * 4;
    if (frame.length < udp + 8) continue;
    const udpLen = frame.readUInt16BE(udp + 4);
    out.push({
      timeMs: sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3),
      srcIp: ip4(frame, ip + 12),
      dstIp: ip4(frame, ip + 16),
      srcPort: frame.readUInt16BE(udp),
      dstPort: frame.readUInt16BE(udp + 2),
      payload: frame.subarray(udp + 8, Math.min(frame.length, udp + udpLen)),
      length: udpLen - 8,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// RTP figures

export interface RtpPacket {
  timeMs: number;
  srcPort: number;
  dstPort: number;
  payloadType: number;
  marker: boolean;
  seq: number;
  timestamp: number;
  ssrc: number;
  /** RTP payload (after header, CSRCs and extension) */
  payload: Buffer;
  /** RTP payload length on the wire */
  payloadLength: number;
}

/** Decode an RTP packet, or undefined for anything else (SIP, RTCP, STUN). */
export function decodeRtp(p: UdpPacket): RtpPacket | undefined {
  const b = p.payload;
  if (b.length < 12) return undefined;
  const b0 = b[0] ?? 0;
  const b1 = b[1] ?? 0;
  // SIP text starts with a letter (version bits 01); RTP has version 2.
  if (b0 >> 6 !== 2) return undefined;
  const pt = b1 & 0x7f;
  if (pt >= 72 && pt <= 76) return undefined; // RTCP SR/RR/SDES/BYE/APP
  let hdr = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (b.length < hdr + 4) return undefined;
    hdr += 4 + b.readUInt16BE(hdr + 2) * 4;
  }
  const padding = b0 & 0x20 && b.length === p.length ? (b[b.length - 1] ?? 0) : 0;
  return {
    timeMs: p.timeMs,
    srcPort: p.srcPort,
    dstPort: p.dstPort,
    payloadType: pt,
    marker: (b1 & 0x80) !== 0,
    seq: b.readUInt16BE(2),
    timestamp: b.readUInt32BE(4),
    ssrc: b.readUInt32BE(8),
    payload: b.subarray(hdr, b.length - padding),
    payloadLength: p.length - hdr - padding,
  };
}

export interface IntervalStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** intervals at or above the gap threshold (a late or missing packet) */
  gaps: number;
}

export interface RtpFlow {
  /** "srcPort->dstPort" */
  key: string;
  srcPort: number;
  dstPort: number;
  packets: number;
  payloadTypes: Record<number, number>;
  ssrcs: number[];
  firstMs: number;
  lastMs: number;
  /** packets missing by sequence number (per SSRC, summed) */
  lost: number;
  /** inter-arrival times (ms) of the audio packets (the most frequent payload type) */
  intervals: IntervalStats;
}

export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? 0;
}

/** p50/p99/max of a list of intervals in ms; gaps counts those ≥ gapMs. */
export function intervalStats(intervals: number[], gapMs: number): IntervalStats {
  const sorted = [...intervals].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.length ? sum / sorted.length : 0,
    gaps: sorted.filter((v) => v >= gapMs).length,
  };
}

/** Every RTP packet among the captured UDP packets, in capture order. */
export function rtpPackets(packets: UdpPacket[]): RtpPacket[] {
  const out: RtpPacket[] = [];
  for (const p of packets) {
    const r = decodeRtp(p);
    if (r) out.push(r);
  }
  return out;
}

function lostBySeq(pkts: RtpPacket[]): number {
  const bySsrc = new Map<number, RtpPacket[]>();
  for (const p of pkts) {
    const list = bySsrc.get(p.ssrc) ?? [];
    list.push(p);
    bySsrc.set(p.ssrc, list);
  }
  let lost = 0;
  for (const list of bySsrc.values()) {
    // unwrap 16-bit sequence numbers in arrival order
    let ext = list[0]?.seq ?? 0;
    let min = ext;
    let max = ext;
    const seen = new Set<number>([ext]);
    for (const p of list.slice(1)) {
      const prev = ext & 0xffff;
      let delta = p.seq - prev;
      if (delta < -32768) delta += 65536;
      else if (delta > 32768) delta -= 65536;
      ext += delta;
      seen.add(ext);
      min = Math.min(min, ext);
      max = Math.max(max, ext);
    }
    lost += max - min + 1 - seen.size;
  }
  return lost;
}

/**
 * RTP flows keyed by "srcPort->dstPort", with counts per payload type and the
 * inter-arrival statistics of the audio packets. `gapMs` (40 by default: one
 * 20 ms packet late or missing) sets what counts as a gap.
 */
export function rtpFlows(packets: UdpPacket[], gapMs = 40): Map<string, RtpFlow> {
  const byKey = new Map<string, RtpPacket[]>();
  for (const r of rtpPackets(packets)) {
    const key = `${r.srcPort}->${r.dstPort}`;
    const list = byKey.get(key) ?? [];
    list.push(r);
    byKey.set(key, list);
  }
  const flows = new Map<string, RtpFlow>();
  for (const [key, list] of byKey) {
    const payloadTypes: Record<number, number> = {};
    for (const p of list) payloadTypes[p.payloadType] = (payloadTypes[p.payloadType] ?? 0) + 1;
    const audioPt = Number(
      Object.entries(payloadTypes).sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0,
    );
    const audio = list.filter((p) => p.payloadType === audioPt);
    const intervals: number[] = [];
    for (let i = 1; i < audio.length; i++) {
      intervals.push((audio[i]?.timeMs ?? 0) - (audio[i - 1]?.timeMs ?? 0));
    }
    const first = list[0];
    const last = list[list.length - 1];
    flows.set(key, {
      key,
      srcPort: first?.srcPort ?? 0,
      dstPort: first?.dstPort ?? 0,
      packets: list.length,
      payloadTypes,
      ssrcs: [...new Set(list.map((p) => p.ssrc))],
      firstMs: first?.timeMs ?? 0,
      lastMs: last?.timeMs ?? 0,
      lost: lostBySeq(audio),
      intervals: intervalStats(intervals, gapMs),
    });
  }
  return flows;
}

const EVENT_CHARS = '0123456789*#ABCD';

/**
 * RFC 4733 digits in the order their end-of-event packets arrived.
 * End packets are sent three times with the same RTP timestamp: they count once.
 * `payloadType` picks the telephone-event PT; without it any PT ≥ 96 whose
 * payload is a 4-byte event with the E bit counts.
 */
export function rfc4733Digits(
  packets: RtpPacket[],
  opts: { payloadType?: number; srcPort?: number; dstPort?: number } = {},
): string {
  const seen = new Set<string>();
  let digits = '';
  for (const p of packets) {
    if (opts.payloadType !== undefined ? p.payloadType !== opts.payloadType : p.payloadType < 96) continue;
    if (opts.srcPort !== undefined && p.srcPort !== opts.srcPort) continue;
    if (opts.dstPort !== undefined && p.dstPort !== opts.dstPort) continue;
    if (p.payloadLength !== 4 || p.payload.length < 4) continue;
    const event = p.payload[0] ?? 255;
    const end = ((p.payload[1] ?? 0) & 0x80) !== 0;
    if (!end || event >= EVENT_CHARS.length) continue;
    const id = `${p.ssrc}:${p.timestamp}`;
    if (seen.has(id)) continue;
    seen.add(id);
    digits += EVENT_CHARS[event];
  }
  return digits;
}
