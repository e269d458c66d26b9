// The relay side of bench/relay-floor.ts, in a process of its own so that
// process.cpuUsage() counts the relay and nothing else. Mode 'tenor': N media
// bridges of the embedded engine (MediaLeg + MediaBridge on allocated ports,
// the fast path a bridged call takes); mode 'bare': the least node can do,
// N pairs of UDP sockets where a 'message' is sent on at once on a socket
// connected to the sink. Talks over the IPC channel.
import dgram from 'node:dgram';
import pino from 'pino';
import { MediaBridge, MediaLeg } from '../../telephony/src/embedded/media/index.js';
import { RtpPortAllocator } from '../../telephony/src/embedded/rtp/index.js';

export type RelayMode = 'tenor' | 'bare';

export interface RelayChildOptions {
  mode: RelayMode;
  calls: number;
  ports: { from: number; to: number };
  sender: { address: string; port: number };
  sink: { address: string; port: number };
}

export type RelayChildReply =
  /** Per call: the port the sender sends to, and the port that sends to the sink (the sink answers it once, to latch). */
  | { kind: 'ready'; legs: { in: number; out: number }[] }
  | { kind: 'sample'; cpuUs: number; forwarded: number };

const opts = JSON.parse(process.argv[2] ?? '{}') as RelayChildOptions;
const reply = (m: RelayChildReply): void => {
  if (process.connected) process.send?.(m);
};

const legs: { in: number; out: number }[] = [];
let forwarded: () => number;

if (opts.mode === 'tenor') {
  const logger = pino({ level: 'silent' });
  const allocator = new RtpPortAllocator({ min: opts.ports.from, max: opts.ports.to });
  const outs: MediaLeg[] = [];
  for (let i = 0; i < opts.calls; i++) {
    const a = await MediaLeg.open({ payloadType: 0, allocator, remote: opts.sender, logger, callId: `floor-${i}` });
    const b = await MediaLeg.open({ payloadType: 0, allocator, remote: opts.sink, logger, callId: `floor-${i}` });
    new MediaBridge(a, b);
    outs.push(b);
    legs.push({ in: a.localPort, out: b.localPort });
  }
  forwarded = () => outs.reduce((n, b) => n + b.stats().packetsForwarded, 0);
} else {
  let count = 0;
  for (let i = 0; i < opts.calls; i++) {
    const bind = (port: number): Promise<dgram.Socket> => new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      s.bind(port, '127.0.0.1', () => resolve(s));
    });
    const a = await bind(opts.ports.from + 2 * i);
    const b = await bind(opts.ports.from + 2 * i + 1);
    await new Promise<void>((resolve) => b.connect(opts.sink.port, opts.sink.address, () => resolve()));
    a.on('message', (msg) => {
      count++;
      b.send(msg);
    });
    legs.push({ in: a.address().port, out: b.address().port });
  }
  forwarded = () => count;
}

process.on('message', (raw: unknown) => {
  if ((raw as { cmd?: string }).cmd !== 'sample') return;
  const cpu = process.cpuUsage();
  reply({ kind: 'sample', cpuUs: cpu.user + cpu.system, forwarded: forwarded() });
});
process.once('disconnect', () => process.exit(0));
reply({ kind: 'ready', legs });
