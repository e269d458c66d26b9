// CPU per relayed RTP packet of the embedded relay's fast path against the
// floor node itself sets (issue 19 item 2): the same packets through N media
// bridges of the embedded engine ('tenor': MediaLeg + MediaBridge, no SIP)
// and through N bare pairs of node UDP sockets that send each datagram on as
// it arrives ('bare'). One direction per call, 50 packets/s each; no SIP, no
// SIPp and no capture, so the relay's process is the only thing measured
// (its process.cpuUsage() over the window, divided by the packets it sent on).
// Rounds alternate the modes; medians, the load average beside each run.
//
//   bench/run.sh relay-floor [calls=100] [windowSeconds=5] [rounds=3]
import { fork } from 'node:child_process';
import dgram from 'node:dgram';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { freeUdpRange } from '../telephony/test/peers/ports.js';
import type { RelayChildOptions, RelayChildReply, RelayMode } from './lib/relay-floor-child.js';

const calls = Number(process.argv[2] ?? 100);
const windowS = Number(process.argv[3] ?? 5);
const rounds = Number(process.argv[4] ?? 3);
const WARMUP_MS = 2000;
const ADDRESS = '127.0.0.1';

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ');

function bound(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
    s.bind(0, ADDRESS, () => resolve(s));
  });
}

async function run(mode: RelayMode): Promise<{ usPerPacket: number; forwarded: number; sunk: number; load: string }> {
  const loadBefore = load();
  const sender = await bound();
  const sink = await bound();
  let sunk = 0;
  sink.on('message', () => { sunk++; });
  // Two legs per call, each an RTP/RTCP pair of the allocator's.
  const ports = await freeUdpRange(4 * calls + 4, { belowEphemeral: true });
  const options: RelayChildOptions = {
    mode, calls, ports,
    sender: { address: ADDRESS, port: sender.address().port },
    sink: { address: ADDRESS, port: sink.address().port },
  };
  const child = fork(fileURLToPath(new URL('./lib/relay-floor-child.ts', import.meta.url)), [JSON.stringify(options)], {
    execArgv: ['--import=tsx', ...(process.env['BENCH_SERVER_NODE_ARGS']?.split(' ').filter(Boolean) ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <K extends RelayChildReply['kind']>(kind: K): Promise<Extract<RelayChildReply, { kind: K }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay: no ${kind} in 30 s`)), 30_000);
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        reject(new Error(`relay exited (${code ?? 'signal'}) before its ${kind}`));
      };
      const on = (m: RelayChildReply): void => {
        if (m.kind !== kind) return;
        clearTimeout(timer);
        child.off('message', on);
        child.off('exit', onExit);
        resolve(m as Extract<RelayChildReply, { kind: K }>);
      };
      child.on('message', on);
      child.once('exit', onExit);
    });
  try {
    const { legs } = await next('ready');
    // One packet from the sink into each out-leg: it latches (and connects) as a call's far end would.
    const packet = Buffer.alloc(172, 0xff);
    packet[0] = 0x80;
    packet[1] = 0;
    for (const leg of legs) sink.send(packet, leg.out, ADDRESS);
    let seq = 0;
    const timer = setInterval(() => {
      seq = (seq + 1) & 0xffff;
      packet.writeUInt16BE(seq, 2);
      packet.writeUInt32BE((seq * 160) >>> 0, 4);
      for (let i = 0; i < legs.length; i++) {
        packet.writeUInt32BE(i + 1, 8);
        sender.send(packet, (legs[i] as { in: number }).in, ADDRESS);
      }
    }, 20);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const sample = (): Promise<Extract<RelayChildReply, { kind: 'sample' }>> => {
      const p = next('sample');
      child.send({ cmd: 'sample' });
      return p;
    };
    const s0 = await sample();
    const sunk0 = sunk;
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const s1 = await sample();
    clearInterval(timer);
    const forwarded = s1.forwarded - s0.forwarded;
    return { usPerPacket: (s1.cpuUs - s0.cpuUs) / Math.max(1, forwarded), forwarded, sunk: sunk - sunk0, load: loadBefore };
  } finally {
    // Disconnecting lets the relay exit on its own (a --cpu-prof profile is written then); killed if it does not.
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    if (child.connected) child.disconnect();
    const killer = setTimeout(() => child.kill(), 10_000);
    await exited;
    clearTimeout(killer);
    sender.close();
    sink.close();
  }
}

const figures: Record<RelayMode, number[]> = { tenor: [], bare: [] };
for (let r = 1; r <= rounds; r++) {
  for (const mode of ['bare', 'tenor'] as const) {
    const f = await run(mode);
    figures[mode].push(f.usPerPacket);
    console.log(`round ${r} ${mode}: ${f.usPerPacket.toFixed(2)} µs per relayed packet (${f.forwarded} relayed, ${f.sunk} reached the sink) load ${f.load}`);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const bare = median(figures.bare);
const tenor = median(figures.tenor);
console.log(`\n${calls} calls, medians of ${rounds}: bare node ${bare.toFixed(2)} µs, Tenor's bridge ${tenor.toFixed(2)} µs per relayed packet (×${(tenor / bare).toFixed(2)}, +${(tenor - bare).toFixed(2)} µs)`);
