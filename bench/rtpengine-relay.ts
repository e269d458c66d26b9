// rtpengine's cost per relayed RTP packet, driven the way Tenor drives it: a
// real rtpengine daemon (Debian's rtpengine-daemon, userspace forwarding, one
// worker thread, started by startRtpengine), one route per call opened through
// rtpenginePath (offer/answer over the ng protocol), and two UDP sockets per
// call standing in for the two phones, each sending 20 ms PCMU (50 packets/s)
// to the port its route gives it. Over a window once every route is flowing:
// rtpengine's CPU from /proc/<pid>/stat (utime + stime, all threads) divided by
// the packets that arrived at the far sockets; loss = 1 − arrived / sent. The
// senders and receivers are this process, not rtpengine, so they are not charged.
//
//   bench/run.sh rtpengine-relay [calls=50,100] [windowSeconds=10] [rounds=3]
//
// Prints each round and the median per step, with the load average before each
// run (figures from a busy machine are not comparable).
import { createSocket, type Socket } from 'node:dgram';
import { loadavg } from 'node:os';
import pino from 'pino';
import { connectRtpengine, rtpenginePath, startRtpengine, type MediaEndpoint, type PathLeg } from '../telephony/src/rtpengine/index.js';
import { processCpuUs } from './lib/proc-cpu.js';

const steps = (process.argv[2] ?? '50,100').split(',').map(Number);
const windowS = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 3);
if (steps.some((n) => !Number.isInteger(n) || n < 1) || !(windowS > 0) || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: bench/run.sh rtpengine-relay [calls=50,100] [windowSeconds=10] [rounds=3]');
  process.exit(2);
}
const logger = pino({ level: process.env['TENOR_BENCH_LOG'] ?? 'silent' });

interface Phone {
  readonly socket: Socket;
  readonly at: MediaEndpoint;
  sendsTo: MediaEndpoint;
  received: number;
}

interface RoundFigures {
  usPerPacket: number;
  cpuPercent: number;
  packetsPerSecond: number;
  lossPercent: number;
}

async function phone(): Promise<Phone> {
  const socket = createSocket('udp4');
  const p: Phone = { socket, at: { address: '127.0.0.1', port: 0 }, sendsTo: { address: '127.0.0.1', port: 0 }, received: 0 };
  socket.on('message', () => { p.received++; });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return Object.assign(p, { at: { address: '127.0.0.1', port: socket.address().port } });
}

function leg(callId: string, at: MediaEndpoint): PathLeg {
  return { callId, receivesAt: at, codec: 'PCMU', payloadType: 0 };
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function round(calls: number): Promise<RoundFigures> {
  const daemon = await startRtpengine({ logger });
  const client = await connectRtpengine({ address: daemon.ngAddress, port: daemon.ngPort, logger });
  const path = rtpenginePath(client, { logger });
  const phones: Phone[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    for (let i = 0; i < calls; i++) {
      const [a, b] = [await phone(), await phone()];
      const route = await path.open(`bench-${i}`, leg(`a-${i}`, a.at), leg(`b-${i}`, b.at));
      a.sendsTo = route.aSendsTo;
      b.sendsTo = route.bSendsTo;
      phones.push(a, b);
    }
    // Each phone's packets are spread over the 20 ms period: phone k sends at k·20/n ms past each tick.
    let sent = 0;
    let seq = 0;
    const packet = Buffer.alloc(12 + 160, 0xff);
    packet.writeUInt8(0x80, 0);
    packet.writeUInt8(0, 1);
    const started = performance.now();
    let tick = 0;
    const slice = 2; // ms between batches: 10 batches per 20 ms period
    const perBatch = Math.ceil(phones.length / (20 / slice));
    const sendBatch = (): void => {
      const batch = tick % (20 / slice);
      const from = batch * perBatch;
      packet.writeUInt16BE(seq & 0xffff, 2);
      packet.writeUInt32BE((seq * 160) >>> 0, 4);
      if (batch === 20 / slice - 1) seq++;
      for (let k = from; k < Math.min(from + perBatch, phones.length); k++) {
        const p = phones[k];
        if (!p) continue;
        packet.writeUInt32BE(k, 8);
        p.socket.send(packet, p.sendsTo.port, p.sendsTo.address);
        sent++;
      }
      tick++;
      const next = started + tick * slice - performance.now();
      timer = setTimeout(sendBatch, Math.max(0, next));
    };
    sendBatch();
    // Warm-up: every route latched and forwarding.
    const warmDeadline = Date.now() + 15_000;
    while (phones.some((p) => p.received === 0) && Date.now() < warmDeadline) await new Promise((r) => setTimeout(r, 100));
    const silent = phones.filter((p) => p.received === 0).length;
    if (silent > 0) console.log(`   ${silent} of ${phones.length} phones received nothing after the warm-up`);
    await new Promise((r) => setTimeout(r, 1000));

    const received0 = phones.reduce((s, p) => s + p.received, 0);
    const sent0 = sent;
    const cpu0 = processCpuUs(daemon.pid);
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const cpu1 = processCpuUs(daemon.pid);
    const t1 = performance.now();
    const sent1 = sent;
    const received1 = phones.reduce((s, p) => s + p.received, 0);
    clearTimeout(timer);
    timer = undefined;

    const relayed = received1 - received0;
    const wallS = (t1 - t0) / 1000;
    const figures: RoundFigures = {
      usPerPacket: (cpu1 - cpu0) / Math.max(1, relayed),
      cpuPercent: ((cpu1 - cpu0) / 1e6 / wallS) * 100,
      packetsPerSecond: relayed / wallS,
      // Packets in flight at the window's edges count ±1 per stream.
      lossPercent: 100 * (1 - relayed / Math.max(1, sent1 - sent0)),
    };
    console.log(`   ${calls} calls: ${relayed} packets relayed in ${wallS.toFixed(1)} s (${figures.packetsPerSecond.toFixed(0)}/s), `
      + `rtpengine CPU ${((cpu1 - cpu0) / 1000).toFixed(0)} ms = ${figures.cpuPercent.toFixed(1)}% of a core, `
      + `${figures.usPerPacket.toFixed(2)} µs per relayed packet, loss ${figures.lossPercent.toFixed(3)}%`);
    for (let i = 0; i < calls; i++) await path.close(`bench-${i}`);
    return figures;
  } finally {
    if (timer) clearTimeout(timer);
    for (const p of phones) p.socket.close();
    await client.close();
    await daemon.close();
  }
}

console.log(`rtpengine relay bench, ${new Date().toISOString()}: calls ${steps.join(',')}, window ${windowS} s, ${rounds} rounds`);
const results = new Map<number, RoundFigures[]>(steps.map((n) => [n, []]));
for (let r = 1; r <= rounds; r++) {
  for (const calls of steps) {
    console.log(`== round ${r}, ${calls} calls (load average ${load()})`);
    results.get(calls)?.push(await round(calls));
  }
}
console.log(`\nmedian of ${rounds} rounds (load average at the end ${load()}):`);
console.log('| calls | packets/s relayed | rtpengine µs per relayed packet (min–max) | CPU % of a core | loss % |');
console.log('|---|---|---|---|---|');
for (const [calls, list] of results) {
  const us = list.map((f) => f.usPerPacket);
  console.log(`| ${calls} | ${median(list.map((f) => f.packetsPerSecond)).toFixed(0)} | ${median(us).toFixed(2)} (${Math.min(...us).toFixed(2)}–${Math.max(...us).toFixed(2)}) `
    + `| ${median(list.map((f) => f.cpuPercent)).toFixed(1)} | ${median(list.map((f) => f.lossPercent)).toFixed(3)} |`);
}
