// One RTP stream pair on a UDP socket: what a call leg sends and receives.
// It knows nothing of SIP: it is given a local port, the remote address from
// SDP, and it then
//  - sends packets with its own SSRC, a continuous sequence number and a
//    timestamp that follows the wall clock across pauses (marker bit on the
//    first packet of each talkspurt);
//  - latches to where packets really come from (symmetric RTP, RFC 4961): the
//    first packet from a trusted address (the SDP's, or the SIP source's for a
//    phone behind NAT) on another port moves the remote there, once; packets
//    from any other address are dropped and counted, so a stranger spraying
//    the port range can neither take the call's audio nor inject into it;
//  - raises `mediaTimeout` when nothing arrives for too long;
//  - keeps RFC 3550 receive statistics (loss, interarrival jitter).

import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parseRtp, serializeRtp } from './packet.js';
import type { RtpPacket } from './packet.js';
import type { RtpPortAllocator } from './ports.js';
import type { SrtpContext } from './srtp.js';
import type { PacketProtection } from './webrtc-media.js';

export interface RtpEndpoint {
  address: string;
  port: number;
}

export interface RtpSessionOptions {
  /** Address to bind; 127.0.0.1 unless configured. */
  localAddress?: string;
  /** A fixed port to bind (0: any free port). Ignored when `allocator` is given. */
  localPort?: number;
  /** Take the port from this allocator, and give it back on close. */
  allocator?: RtpPortAllocator;
  /** The remote address and port from SDP, if known yet. */
  remote?: RtpEndpoint;
  /** Latch to the real source of incoming packets (default true). */
  latching?: boolean;
  /**
   * Addresses media may come from besides the SDP's (the SIP signalling source
   * of the call). Packets from other addresses are dropped. With neither a
   * remote nor trusted addresses, the first packet's source is taken (tools).
   */
  trustedAddresses?: readonly string[];
  /** Raise `mediaTimeout` after this long without a packet (0 or absent: never). */
  mediaTimeoutMs?: number;
  /** RTP clock rate of the audio stream (8000 for G.711). */
  clockRate?: number;
  logger: Logger;
  callId?: string;
  /** A layer every datagram passes first (ICE-lite + DTLS-SRTP for a WebRTC peer, webrtc-media.ts). */
  protection?: PacketProtection;
}

export interface RtpStats {
  packetsSent: number;
  bytesSent: number;
  packetsReceived: number;
  bytesReceived: number;
  /** Packets expected from the sequence numbers but never received (RFC 3550 A.3). */
  packetsLost: number;
  /** Interarrival jitter in ms (RFC 3550 A.8). */
  jitterMs: number;
  /** Packets dropped: not RTP, or from a source other than the latched one. */
  packetsRejected: number;
  /** Of those, packets from an address neither the SDP nor the signalling named (a spray, a hijack attempt). */
  packetsFromStrangers: number;
  /** SRTP legs: packets dropped for a failed authentication tag (a wrong key, tampering) or as replays. */
  srtpAuthFailures: number;
  srtpReplays: number;
}

export interface RtpSessionEvents {
  packet: [packet: RtpPacket, from: RtpEndpoint];
  latched: [remote: RtpEndpoint];
  mediaTimeout: [];
  closed: [];
}

/** A talkspurt starts after this much silence on the send side (marker bit set). */
const TALKSPURT_GAP_MS = 60;

export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly localAddress: string;
  readonly localPort: number;
  readonly ssrc: number;
  private readonly socket: dgram.Socket;
  private readonly log: Logger;
  private readonly clockRate: number;
  private readonly latching: boolean;
  private readonly allocator: RtpPortAllocator | undefined;
  private remoteEndpoint: RtpEndpoint | undefined;
  private latched = false;
  private closedFlag = false;
  /** Addresses media is taken from: the SDP's (each one given) and the signalling's. */
  private readonly trusted = new Set<string>();
  private strangerLogged = false;
  /** SDES-keyed SRTP at the socket edge: everything above sees plain RTP. */
  private srtp: { outbound: SrtpContext; inbound: SrtpContext } | undefined;
  private srtpFailureLogged = false;
  /** A WebRTC leg's ICE and DTLS-SRTP layer, given when the leg opens. */
  private readonly protection: PacketProtection | undefined;

  // send state
  private seq = randomInt(0, 0x10000);
  private nextTimestamp = randomInt(0, 0x100000000);
  private lastSendAt: bigint | undefined;
  private lastSendSamples = 0;

  // receive state (RFC 3550 A.1/A.3/A.8)
  private lastReceiveAt = process.hrtime.bigint();
  private baseSeq = -1;
  private maxSeq = 0;
  private cycles = 0;
  private receivedCount = 0;
  private lastTransit: number | undefined;
  private lastRxTimestamp: number | undefined;
  private jitter = 0;
  private counters = { packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, packetsRejected: 0, packetsFromStrangers: 0 };

  private mediaTimeoutMs = 0;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private timedOut = false;

  private constructor(socket: dgram.Socket, port: number, opts: RtpSessionOptions) {
    super();
    this.socket = socket;
    this.localAddress = opts.localAddress ?? '127.0.0.1';
    this.localPort = port;
    this.allocator = opts.allocator;
    this.clockRate = opts.clockRate ?? 8000;
    this.latching = opts.latching ?? true;
    this.remoteEndpoint = opts.remote ? { ...opts.remote } : undefined;
    if (opts.remote) this.trusted.add(opts.remote.address);
    for (const address of opts.trustedAddresses ?? []) this.trusted.add(address);
    // A WebRTC leg signals its SSRC in SDP (a=ssrc): the protection chose it before the leg opened.
    this.ssrc = opts.protection?.ssrc ?? randomInt(1, 0xffffffff);
    this.log = opts.logger.child({ callId: opts.callId, rtpPort: port });
    this.protection = opts.protection;
    this.protection?.attach({
      sendRaw: (data, to) => this.socket.send(data, to.port, to.address, (err) => {
        if (err) this.log.debug({ err }, 'webrtc control send failed');
      }),
      peerVerified: (peer) => this.setRemote(peer),
    });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, { address: rinfo.address, port: rinfo.port }));
    socket.on('error', (err) => this.log.warn({ err }, 'rtp socket error'));
    this.setMediaTimeout(opts.mediaTimeoutMs ?? 0);
  }

  /** Binds a socket (on an allocated port when an allocator is given) and starts receiving. */
  static async open(opts: RtpSessionOptions): Promise<RtpSession> {
    const address = opts.localAddress ?? '127.0.0.1';
    const allocator = opts.allocator;
    if (!allocator) {
      const socket = await bindSocket(address, opts.localPort ?? 0);
      return new RtpSession(socket, socket.address().port, opts);
    }
    // A port free in our allocator may still be taken by another program:
    // try further pairs before giving up.
    let lastError: unknown;
    for (let attempt = 0; attempt < Math.min(16, allocator.capacity); attempt++) {
      const port = allocator.allocate();
      try {
        const socket = await bindSocket(address, port);
        return new RtpSession(socket, port, opts);
      } catch (err) {
        allocator.release(port);
        lastError = err;
      }
    }
    throw lastError instanceof Error ? lastError : new Error('could not bind an RTP port');
  }

  get remote(): RtpEndpoint | undefined {
    return this.remoteEndpoint ? { ...this.remoteEndpoint } : undefined;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /**
   * A new remote from SDP (re-INVITE): sends go there, its address becomes
   * trusted, and latching starts over (still only from trusted addresses).
   */
  setRemote(remote: RtpEndpoint): void {
    this.remoteEndpoint = { ...remote };
    this.trusted.add(remote.address);
    this.latched = false;
  }

  /** Changes the media timeout (0 disables it, e.g. while the far end holds the call). */
  setMediaTimeout(ms: number): void {
    this.mediaTimeoutMs = ms;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.timedOut = false;
    this.lastReceiveAt = process.hrtime.bigint();
    if (ms > 0 && !this.closedFlag) {
      this.timeoutTimer = setInterval(() => this.checkTimeout(), Math.max(20, Math.min(1000, ms / 4)));
      this.timeoutTimer.unref();
    }
  }

  /**
   * Sends `samples` worth of audio. The timestamp follows on from the previous
   * packet, or after a pause jumps by the time that passed and sets the marker
   * (the receiver's jitter buffer resyncs on it). A sender that knows this
   * frame directly follows its previous one passes `continuous`: then a late
   * timer (a busy event loop) is not mistaken for a pause.
   */
  sendAudio(payloadType: number, payload: Uint8Array, samples: number, continuous = false): boolean {
    const now = process.hrtime.bigint();
    let marker = false;
    if (this.lastSendAt === undefined) {
      marker = true;
    } else if (!continuous) {
      const gapMs = Number(now - this.lastSendAt) / 1e6;
      if (gapMs > TALKSPURT_GAP_MS) {
        marker = true;
        const frame = Math.max(1, this.lastSendSamples);
        const elapsed = Math.round((gapMs * this.clockRate) / 1000 / frame) * frame;
        this.nextTimestamp = (this.nextTimestamp + Math.max(0, elapsed - this.lastSendSamples)) >>> 0;
      }
    }
    const sent = this.sendPacket({ payloadType, marker, timestamp: this.nextTimestamp, payload });
    this.nextTimestamp = (this.nextTimestamp + samples) >>> 0;
    this.lastSendAt = now;
    this.lastSendSamples = samples;
    return sent;
  }

  /** The timestamp the next audio packet would carry: RFC 4733 events start there. */
  currentTimestamp(): number {
    if (this.lastSendAt === undefined) return this.nextTimestamp;
    const gapMs = Number(process.hrtime.bigint() - this.lastSendAt) / 1e6;
    if (gapMs <= TALKSPURT_GAP_MS) return this.nextTimestamp;
    return (this.nextTimestamp + Math.round((gapMs * this.clockRate) / 1000) - this.lastSendSamples) >>> 0;
  }

  /**
   * The timestamp for an RFC 4733 event starting now. While audio flows it is
   * the audio's own; when the stream is idle the clock is moved to now, so
   * the next event (or talkspurt) gets a later timestamp than this one.
   */
  eventTimestamp(): number {
    const ts = this.currentTimestamp();
    const now = process.hrtime.bigint();
    if (this.lastSendAt === undefined || Number(now - this.lastSendAt) / 1e6 > TALKSPURT_GAP_MS) {
      this.nextTimestamp = ts;
      this.lastSendAt = now;
      this.lastSendSamples = 0;
    }
    return ts;
  }

  /**
   * Sends a packet with an explicit timestamp (telephone-events keep the
   * timestamp of their start). The sequence number still advances.
   */
  sendPacket(p: { payloadType: number; marker: boolean; timestamp: number; payload: Uint8Array }): boolean {
    const remote = this.remoteEndpoint;
    if (!remote || this.closedFlag) return false;
    const clear = serializeRtp({
      payloadType: p.payloadType,
      marker: p.marker,
      sequenceNumber: this.seq,
      timestamp: p.timestamp,
      ssrc: this.ssrc,
      csrc: [],
      payload: p.payload,
    });
    const buf = this.srtp ? this.srtp.outbound.protect(clear) : clear;
    this.seq = (this.seq + 1) & 0xffff;
    const wire = this.protection ? this.protection.outbound(buf) : buf;
    if (!wire) return false;
    this.counters.packetsSent++;
    this.counters.bytesSent += wire.length;
    this.socket.send(wire, remote.port, remote.address, (err) => {
      if (err) this.log.debug({ err }, 'rtp send failed');
    });
    return true;
  }

  stats(): RtpStats {
    const expected = this.baseSeq < 0 ? 0 : this.cycles + this.maxSeq - this.baseSeq + 1;
    return {
      ...this.counters,
      srtpAuthFailures: this.srtp?.inbound.dropped.authentication ?? 0,
      srtpReplays: this.srtp?.inbound.dropped.replay ?? 0,
      packetsLost: Math.max(0, expected - this.receivedCount),
      jitterMs: (this.jitter / this.clockRate) * 1000,
    };
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    // The protection outlives the session: a leg reopened on the same port (another codec) keeps its ICE peer and keys;
    // MediaLegs closes it when the port is released.
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    if (this.allocator) this.allocator.release(this.localPort);
    this.emit('closed');
  }

  /**
   * Turns the session into SRTP: from now on packets are protected when sent, and
   * unprotected (authenticated, replay-checked) before anything else looks at them.
   */
  setSrtp(pair: { outbound: SrtpContext; inbound: SrtpContext }): void {
    this.srtp = pair;
  }

  private onMessage(datagram: Buffer, from: RtpEndpoint): void {
    let msg = this.protection ? this.protection.inbound(datagram, from) : datagram;
    if (!msg) return;
    if (this.srtp) {
      // Authenticated before the source check: a forged packet must not move the latch.
      const clear = this.srtp.inbound.unprotect(msg);
      if (!clear.ok) {
        this.counters.packetsRejected++;
        if (!this.srtpFailureLogged) {
          this.srtpFailureLogged = true;
          this.log.warn({ from, reason: clear.reason }, 'srtp packet dropped (counted in stats from now on)');
        }
        return;
      }
      msg = clear.packet;
    }
    const parsed = parseRtp(msg);
    if (!parsed.ok) {
      this.counters.packetsRejected++;
      return;
    }
    if (!this.acceptSource(from)) {
      this.counters.packetsRejected++;
      return;
    }
    const packet = parsed.packet;
    const now = process.hrtime.bigint();
    this.lastReceiveAt = now;
    this.timedOut = false;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += msg.length;
    this.updateReceiveStats(packet, now);
    this.emit('packet', packet, from);
  }

  private acceptSource(from: RtpEndpoint): boolean {
    const remote = this.remoteEndpoint;
    const same = remote !== undefined && remote.address === from.address && remote.port === from.port;
    if (same) {
      this.latched = true;
      return true;
    }
    if (this.trusted.size > 0 && !this.trusted.has(from.address)) {
      this.counters.packetsFromStrangers++;
      if (!this.strangerLogged) {
        // Once per call: a spray sends thousands, the log must not amplify it.
        this.strangerLogged = true;
        this.log.warn({ from, remote }, 'rtp from an address the call does not know dropped');
      }
      return false;
    }
    if (!this.latching) return remote === undefined || remote.address === from.address;
    if (this.latched) return false;
    this.latched = true;
    this.remoteEndpoint = { ...from };
    this.log.info({ from: remote, to: from }, 'rtp latched to the real source');
    this.emit('latched', { ...from });
    return true;
  }

  private updateReceiveStats(p: RtpPacket, now: bigint): void {
    const seq = p.sequenceNumber;
    if (this.baseSeq < 0) {
      this.baseSeq = seq;
      this.maxSeq = seq;
    } else {
      const delta = (seq - this.maxSeq + 0x10000) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (seq < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = seq;
      }
    }
    this.receivedCount++;
    // Jitter only between packets of different timestamps: the several
    // packets of one telephone-event share a timestamp and would skew it.
    if (this.lastRxTimestamp !== p.timestamp) {
      const arrival = Number((now * BigInt(this.clockRate)) / 1_000_000_000n);
      const transit = arrival - p.timestamp;
      if (this.lastTransit !== undefined) {
        let d = Math.abs(transit - this.lastTransit);
        if (d > 0x7fffffff) d = 0; // a timestamp jump (new stream), not jitter
        this.jitter += (d - this.jitter) / 16;
      }
      this.lastTransit = transit;
      this.lastRxTimestamp = p.timestamp;
    }
  }

  private checkTimeout(): void {
    if (this.timedOut || this.mediaTimeoutMs <= 0) return;
    const silentMs = Number(process.hrtime.bigint() - this.lastReceiveAt) / 1e6;
    if (silentMs >= this.mediaTimeoutMs) {
      this.timedOut = true;
      this.log.info({ silentMs: Math.round(silentMs) }, 'rtp media timeout');
      this.emit('mediaTimeout');
    }
  }
}

function bindSocket(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
    const onError = (err: Error): void => {
      socket.close();
      reject(err);
    };
    socket.once('error', onError);
    socket.bind(port, address, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
