// CPU per relayed packet on a WebRTC leg (ICE-lite, DTLS-SRTP, RTCP-mux) against
// a plain RTP leg, on the embedded engine: N callers each call the engine's echo
// number and stream 20 ms PCMU (50 packets/s); the engine decrypts, echoes and
// encrypts every packet (WebRTC) or just echoes it (plain). The engine runs in
// its own process (lib/webrtc-engine.ts, SIP carried over IPC as over /sip), so
// its CPU is read alone from /proc; the callers (werift peers, or plain UDP
// senders) run here. Each round runs both kinds, one after the other; the
// figures are the medians over rounds.
//
//   bench/run.sh webrtc-legs [calls=20] [windowSeconds=8] [rounds=3]
import { fork, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WebrtcPhone, header, statusOf, type SipChannel } from '../telephony/test/peers/webrtc-phone.js';
import { processCpuUs } from './lib/proc-cpu.js';

const calls = Number(process.argv[2] ?? 20);
const windowS = Number(process.argv[3] ?? 8);
const rounds = Number(process.argv[4] ?? 3);

interface EngineChild {
  child: ChildProcess;
  channel(id: string): SipChannel;
  rtp(): Promise<{ packetsSent: number; packetsReceived: number }>;
  stop(): Promise<void>;
}

async function startEngine(): Promise<EngineChild> {
  const child = fork(fileURLToPath(new URL('./lib/webrtc-engine.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const listeners = new Map<string, (text: string) => void>();
  let statsWaiter: ((s: { packetsSent: number; packetsReceived: number }) => void) | undefined;
  const ready = new Promise<void>((resolve) => {
    child.on('message', (m: { ready?: true; id?: string; text?: string; stats?: { packetsSent: number; packetsReceived: number } }) => {
      if (m.ready) resolve();
      else if (m.stats) statsWaiter?.(m.stats);
      else if (m.id !== undefined && m.text !== undefined) listeners.get(m.id)?.(m.text);
    });
  });
  await ready;
  return {
    child,
    channel: (id) => ({ send: (text) => child.send({ id, text }), onMessage: (l) => listeners.set(id, l) }),
    rtp: () => new Promise((resolve) => {
      statsWaiter = resolve;
      child.send({ stats: true });
    }),
    stop: () => new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.send({ stop: true });
    }),
  };
}

/** A plain caller: the same SIP over the channel, an RTP/AVP offer, PCMU from a UDP socket. */
class PlainCaller {
  readonly socket = dgram.createSocket('udp4');
  readonly received: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #waiter: (() => void) | undefined;

  constructor(readonly channel: SipChannel, readonly id: string) {
    channel.onMessage((text) => {
      this.received.push(text);
      this.#waiter?.();
    });
  }

  async call(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    const port = this.socket.address().port;
    const sdp = ['v=0', `o=- 1 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${port} RTP/AVP 0 101`,
      'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
    const callId = randomBytes(8).toString('hex');
    const host = `${this.id}.invalid`;
    this.channel.send([`INVITE sip:9196@bench.test SIP/2.0`, `Via: SIP/2.0/WS ${host};branch=z9hG4bK${callId}`, 'Max-Forwards: 69',
      'To: <sip:9196@bench.test>', `From: <sip:${this.id}@bench.test>;tag=${callId.slice(0, 6)}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE',
      `Contact: <sip:${this.id}@${host};transport=ws>`, 'Content-Type: application/sdp', `Content-Length: ${sdp.length}`, '', sdp].join('\r\n'));
    const ok = await new Promise<string>((resolve) => {
      this.#waiter = () => {
        const hit = this.received.find((m) => statusOf(m) >= 200 && header(m, 'Call-ID') === callId);
        if (hit) resolve(hit);
      };
    });
    const remotePort = Number(/m=audio (\d+)/.exec(ok)?.[1]);
    const toTag = /;tag=([^;\s]+)/.exec(header(ok, 'To') ?? '')?.[1] ?? '';
    this.channel.send([`ACK sip:9196@bench.test SIP/2.0`, `Via: SIP/2.0/WS ${host};branch=z9hG4bK${callId}a`, 'Max-Forwards: 69',
      `To: <sip:9196@bench.test>;tag=${toTag}`, `From: <sip:${this.id}@bench.test>;tag=${callId.slice(0, 6)}`, `Call-ID: ${callId}`, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'));
    const packet = Buffer.alloc(172, 0xff);
    packet[0] = 0x80;
    packet[1] = 0; // PCMU, no marker
    packet.writeUInt32BE(randomBytes(4).readUInt32BE(0), 8);
    let seq = 0;
    this.#timer = setInterval(() => {
      packet.writeUInt16BE(seq++ & 0xffff, 2);
      packet.writeUInt32BE((seq * 160) >>> 0, 4);
      this.socket.send(packet, remotePort, '127.0.0.1');
    }, 20);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.socket.close();
  }
}

async function measure(kind: 'webrtc' | 'plain'): Promise<{ usPerPacket: number; packetsPerSecond: number; cpuPercent: number }> {
  const engine = await startEngine();
  const closers: Array<() => unknown> = [];
  try {
    for (let i = 0; i < calls; i++) {
      const id = `${kind}${i}`;
      if (kind === 'webrtc') {
        const phone = new WebrtcPhone(engine.channel(id), id, 'bench.test');
        closers.push(() => phone.close());
        if (await phone.call('9196') !== 200) throw new Error(`call ${i} not answered`);
        phone.sendTone(440 + i);
      } else {
        const caller = new PlainCaller(engine.channel(id), id);
        closers.push(() => caller.close());
        await caller.call();
      }
    }
    await new Promise((r) => setTimeout(r, 2000));
    const pid = engine.child.pid ?? 0;
    const before = { cpu: processCpuUs(pid), rtp: await engine.rtp(), at: process.hrtime.bigint() };
    await new Promise((r) => setTimeout(r, windowS * 1000));
    const after = { cpu: processCpuUs(pid), rtp: await engine.rtp(), at: process.hrtime.bigint() };
    const packets = (after.rtp.packetsReceived - before.rtp.packetsReceived) + (after.rtp.packetsSent - before.rtp.packetsSent);
    const seconds = Number(after.at - before.at) / 1e9;
    const cpu = after.cpu - before.cpu;
    return { usPerPacket: cpu / Math.max(1, packets), packetsPerSecond: packets / seconds, cpuPercent: (cpu / 1e6 / seconds) * 100 };
  } finally {
    for (const close of closers) await close();
    await engine.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const results: Record<'webrtc' | 'plain', Array<{ usPerPacket: number; packetsPerSecond: number; cpuPercent: number }>> = { webrtc: [], plain: [] };
for (let round = 1; round <= rounds; round++) {
  for (const kind of ['plain', 'webrtc'] as const) {
    const r = await measure(kind);
    results[kind].push(r);
    console.log(`round ${round} ${kind}: ${r.usPerPacket.toFixed(1)} µs per packet (in or out), ${Math.round(r.packetsPerSecond)} packets/s, ${r.cpuPercent.toFixed(1)} % of a core`);
  }
}
const plain = median(results.plain.map((r) => r.usPerPacket));
const webrtc = median(results.webrtc.map((r) => r.usPerPacket));
// An agent on a call through a WebRTC phone: the agent's leg carries 50 packets/s in and 50 out (WebRTC),
// the customer's leg the same in plain RTP; a bridge relays each packet in once and out once.
const perCallUs = 100 * webrtc + 100 * plain;
console.log(`\n${calls} calls, ${windowS} s windows, ${rounds} rounds (medians):`);
console.log(`  plain RTP leg:  ${plain.toFixed(1)} µs CPU per packet`);
console.log(`  WebRTC leg:     ${webrtc.toFixed(1)} µs CPU per packet (×${(webrtc / plain).toFixed(2)})`);
console.log(`  one agent call (WebRTC agent leg + plain customer leg, 200 packets/s): ${(perCallUs / 1000).toFixed(1)} ms CPU per second`);
console.log(`  agents on calls one core carries at 70 % load: ${Math.floor((0.7 * 1e6) / perCallUs)}`);
process.exit(0);
