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
//  - keeps RFC 3550 receive statistics (loss, interarrival jitter);
//  - once latched (and on a leg without a WebRTC layer) connects its socket
//    to the far end: a connected UDP send skips the kernel's route and
//    address lookup per packet; the kernel then drops other sources itself;
//  - hands bare audio packets of its own payload type to a forwarder (a
//    bridge's fast path, media/leg.ts) before parsing them, so a relayed
//    packet needs no parse, no event and no new object.

import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { parseRtp, serializeRtp } from './packet.js';
import type { RtpPacket } from './packet.js';
import type { RtpPortAllocator } from './ports.js';
import type { SrtpContext } from './srtp.js';
import type { PacketProtection } from './webrtc-media.js';
import { ReceiveStatistics } from './receive-stats.js';
import type { RtpStats } from './receive-stats.js';
import { bindSocket, SocketLink } from './socket-link.js';
import { bindAllocated, type RtpSocketPool } from './socket-pool.js';

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
  /** With a fixed `localPort`: take its socket from this pool, and give it back on close. */
  sockets?: RtpSocketPool;
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

export type { RtpStats } from './receive-stats.js';

export interface RtpSessionEvents {
  packet: [packet: RtpPacket, from: RtpEndpoint];
  latched: [remote: RtpEndpoint];
  mediaTimeout: [];
  closed: [];
}

/** A talkspurt starts after this much silence on the send side (marker bit set). */
const TALKSPURT_GAP_MS = 60;

/**
 * Takes a received packet as it came off the wire (already accepted and
 * counted); returns false to have it parsed and emitted as `packet` instead.
 */
export type RawAudioForwarder = (datagram: Buffer) => boolean;

/** RTP version 2, no padding, no extension, no CSRC: the header is exactly 12 bytes. */
const BARE_HEADER_BYTE0 = 0x80;
const HEADER_BYTES = 12;

export class RtpSession extends EventEmitter<RtpSessionEvents> {
  readonly localAddress: string;
  readonly localPort: number;
  readonly ssrc: number;
  private readonly socket: dgram.Socket;
  private readonly log: Logger;
  private readonly clockRate: number;
  private readonly latching: boolean;
  private readonly allocator: RtpPortAllocator | undefined;
  private readonly sockets: RtpSocketPool | undefined;
  /**
   * Bound to a port we named (not 0): only such a socket may be connected,
   * since Linux gives an ephemeral port back when a connected socket disconnects.
   */
  private readonly fixedPort: boolean;
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

  // send state (clock: performance.now() ms, a number: no allocation per packet)
  private seq = randomInt(0, 0x10000);
  private nextTimestamp = randomInt(0, 0x100000000);
  private lastSendAt: number | undefined;
  private lastSendSamples = 0;
  /** The marker bit the last nextAudioTimestamp() decided. */
  private sendMarker = false;
  /** The socket's connection to the latched far end (sends then name no address). */
  private readonly link: SocketLink;
  /** Bare packets of this payload type go to `forwarder` before any parsing. */
  private rawPayloadType = -1;
  private forwarder: RawAudioForwarder | undefined;

  // receive state (RFC 3550 A.1/A.3/A.8)
  private lastReceiveAt = performance.now();
  private readonly received: ReceiveStatistics;
  private counters = { packetsSent: 0, packetsForwarded: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0, packetsRejected: 0, packetsFromStrangers: 0 };

  private mediaTimeoutMs = 0;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private timedOut = false;

  private constructor(socket: dgram.Socket, port: number, opts: RtpSessionOptions, fixedPort: boolean) {
    super();
    this.fixedPort = fixedPort;
    this.socket = socket;
    this.localAddress = opts.localAddress ?? '127.0.0.1';
    this.localPort = port;
    this.allocator = opts.allocator;
    this.sockets = fixedPort ? opts.sockets : undefined;
    this.clockRate = opts.clockRate ?? 8000;
    this.latching = opts.latching ?? true;
    this.received = new ReceiveStatistics(this.clockRate);
    this.remoteEndpoint = opts.remote ? { ...opts.remote } : undefined;
    if (opts.remote) this.trusted.add(opts.remote.address);
    for (const address of opts.trustedAddresses ?? []) this.trusted.add(address);
    // A WebRTC leg signals its SSRC in SDP (a=ssrc): the protection chose it before the leg opened.
    this.ssrc = opts.protection?.ssrc ?? randomInt(1, 0xffffffff);
    this.log = opts.logger.child({ callId: opts.callId, rtpPort: port });
    this.protection = opts.protection;
    this.link = new SocketLink(socket, this.log, () => this.linkWanted(), () => this.closedFlag);
    this.protection?.attach({
      sendRaw: (data, to) => this.socket.send(data, to.port, to.address, (err) => {
        if (err) this.log.debug({ err }, 'webrtc control send failed');
      }),
      peerVerified: (peer) => this.setRemote(peer),
    });
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A connected socket hears the far end's ICMP "port unreachable" as an
      // error on every packet sent after the far end went away: not a fault of ours.
      if (err.code === 'ECONNREFUSED') this.log.debug({ err }, 'rtp far end unreachable');
      else this.log.warn({ err }, 'rtp socket error');
    });
    this.setMediaTimeout(opts.mediaTimeoutMs ?? 0);
  }

  /** Binds a socket (on an allocated port when an allocator is given) and starts receiving. */
  static async open(opts: RtpSessionOptions): Promise<RtpSession> {
    const address = opts.localAddress ?? '127.0.0.1';
    const allocator = opts.allocator;
    if (!allocator) {
      const port = opts.localPort ?? 0;
      // A named port needs no address() call (a system call) to learn it.
      if (port !== 0) return new RtpSession(await (opts.sockets?.take(address, port) ?? bindSocket(address, port)), port, opts, true);
      const socket = await bindSocket(address, 0);
      return new RtpSession(socket, socket.address().port, opts, false);
    }
    const { socket, port } = await bindAllocated(address, allocator);
    return new RtpSession(socket, port, opts, true);
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
    this.remoteEndpoint = { address: remote.address, port: remote.port };
    this.trusted.add(remote.address);
    this.latched = false;
    this.link.sync();
  }

  /**
   * Bare audio packets of `payloadType` are offered to `forwarder` before
   * they are parsed (undefined: none are). Accepting, counting, statistics and
   * the media timeout stay the same for them.
   */
  setRawAudioForwarder(payloadType: number, forwarder: RawAudioForwarder | undefined): void {
    this.rawPayloadType = forwarder ? payloadType : -1;
    this.forwarder = forwarder;
  }

  /** Whether the socket is connected to the far end now (sends name no address). */
  get connected(): boolean {
    return this.link.connected;
  }

  /** Changes the media timeout (0 disables it, e.g. while the far end holds the call). */
  setMediaTimeout(ms: number): void {
    this.mediaTimeoutMs = ms;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    this.timedOut = false;
    this.lastReceiveAt = performance.now();
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
    // The clock advances even when there is nowhere to send (no remote yet).
    const timestamp = this.nextAudioTimestamp(samples, continuous);
    return this.sendPacket({ payloadType, marker: this.sendMarker, timestamp, payload });
  }

  /**
   * Sends a received bare audio packet on as this session's own: its header
   * is rewritten in place (this session's SSRC, sequence number and audio
   * timestamp, the marker as sendAudio would set it; the payload type kept)
   * and the same buffer is sent. `samples`: the payload's length in samples.
   * Returns false, leaving the buffer untouched, when the packet needs work
   * (SRTP, a WebRTC layer) or has nowhere to go: then use sendAudio.
   */
  forwardAudio(datagram: Buffer, samples: number, continuous: boolean): boolean {
    if (this.closedFlag || this.srtp || this.protection || !this.remoteEndpoint) return false;
    const timestamp = this.nextAudioTimestamp(samples, continuous);
    datagram[1] = (this.sendMarker ? 0x80 : 0) | ((datagram[1] as number) & 0x7f);
    datagram.writeUInt16BE(this.seq, 2);
    datagram.writeUInt32BE(timestamp, 4);
    datagram.writeUInt32BE(this.ssrc, 8);
    this.seq = (this.seq + 1) & 0xffff;
    this.counters.packetsForwarded++;
    this.transmit(datagram);
    return true;
  }

  /**
   * The timestamp of the next `samples` of audio: it follows on from the
   * previous packet, or after a pause jumps by the time that passed (and
   * `sendMarker` is set). Advances the send clock.
   */
  private nextAudioTimestamp(samples: number, continuous: boolean): number {
    const now = performance.now();
    let marker = false;
    if (this.lastSendAt === undefined) {
      marker = true;
    } else if (!continuous) {
      const gapMs = now - this.lastSendAt;
      if (gapMs > TALKSPURT_GAP_MS) {
        marker = true;
        const frame = Math.max(1, this.lastSendSamples);
        const elapsed = Math.round((gapMs * this.clockRate) / 1000 / frame) * frame;
        this.nextTimestamp = (this.nextTimestamp + Math.max(0, elapsed - this.lastSendSamples)) >>> 0;
      }
    }
    const timestamp = this.nextTimestamp;
    this.nextTimestamp = (timestamp + samples) >>> 0;
    this.lastSendAt = now;
    this.lastSendSamples = samples;
    this.sendMarker = marker;
    return timestamp;
  }

  /** The timestamp the next audio packet would carry: RFC 4733 events start there. */
  currentTimestamp(): number {
    if (this.lastSendAt === undefined) return this.nextTimestamp;
    const gapMs = performance.now() - this.lastSendAt;
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
    const now = performance.now();
    if (this.lastSendAt === undefined || now - this.lastSendAt > TALKSPURT_GAP_MS) {
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
    this.transmit(wire);
    return true;
  }

  /** Sends a finished datagram to the remote (which the caller checked is set). */
  private transmit(wire: Buffer): void {
    this.counters.packetsSent++;
    this.counters.bytesSent += wire.length;
    this.link.send(wire, this.remoteEndpoint as RtpEndpoint);
  }

  /**
   * The far end the socket should be connected to: the latched one. A WebRTC
   * leg stays unconnected (ICE may move the peer), as does a session that
   * does not latch (it takes any port of the remote's address) and one on an
   * ephemeral port (see fixedPort).
   */
  private linkWanted(): RtpEndpoint | undefined {
    const connectable = this.fixedPort && this.latching && !this.protection;
    return connectable && this.latched && !this.closedFlag ? this.remoteEndpoint : undefined;
  }

  stats(): RtpStats {
    // Named one by one: a literal that starts with a spread and adds fields takes V8's slow path (~4 µs; issue 19).
    const c = this.counters;
    return {
      packetsSent: c.packetsSent, packetsForwarded: c.packetsForwarded, bytesSent: c.bytesSent, packetsReceived: c.packetsReceived,
      bytesReceived: c.bytesReceived, packetsRejected: c.packetsRejected, packetsFromStrangers: c.packetsFromStrangers,
      srtpAuthFailures: this.srtp?.inbound.dropped.authentication ?? 0,
      srtpReplays: this.srtp?.inbound.dropped.replay ?? 0,
      packetsLost: this.received.lost,
      jitterMs: this.received.jitterMs,
    };
  }

  async close(): Promise<void> {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.timeoutTimer) clearInterval(this.timeoutTimer);
    this.timeoutTimer = undefined;
    // The protection outlives the session: a leg reopened on the same port (another codec) keeps its ICE peer and keys;
    // MediaLegs closes it when the port is released.
    // A pooled socket goes back bound (no close, no bind for the next leg on this port); one
    // whose connect node has not finished cannot be disconnected: it is closed.
    if (this.sockets && !this.link.connecting) this.sockets.give(this.socket, this.localAddress, this.localPort, this.link.connected);
    else await new Promise<void>((resolve) => this.socket.close(() => resolve()));
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

  private onMessage(datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    const forwarder = this.forwarder;
    if (
      forwarder !== undefined && !this.protection && !this.srtp &&
      datagram.length > HEADER_BYTES && datagram[0] === BARE_HEADER_BYTE0 &&
      ((datagram[1] as number) & 0x7f) === this.rawPayloadType
    ) {
      // The fast path: the header read straight from the bytes, nothing allocated.
      if (!this.acceptSource(rinfo)) {
        this.counters.packetsRejected++;
        return;
      }
      this.noteArrival(datagram.readUInt16BE(2), datagram.readUInt32BE(4), datagram.length);
      if (forwarder(datagram)) return;
      const parsed = parseRtp(datagram);
      if (parsed.ok) this.emit('packet', parsed.packet, { address: rinfo.address, port: rinfo.port });
      return;
    }
    let msg = this.protection ? this.protection.inbound(datagram, rinfo) : datagram;
    if (!msg) return;
    if (this.srtp) {
      // Authenticated before the source check: a forged packet must not move the latch.
      const clear = this.srtp.inbound.unprotect(msg);
      if (!clear.ok) {
        this.counters.packetsRejected++;
        if (!this.srtpFailureLogged) {
          this.srtpFailureLogged = true;
          this.log.warn({ from: endpointOf(rinfo), reason: clear.reason }, 'srtp packet dropped (counted in stats from now on)');
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
    if (!this.acceptSource(rinfo)) {
      this.counters.packetsRejected++;
      return;
    }
    const packet = parsed.packet;
    this.noteArrival(packet.sequenceNumber, packet.timestamp, msg.length);
    this.emit('packet', packet, endpointOf(rinfo));
  }

  /** An accepted packet: the media timeout's clock, the counters and the RFC 3550 statistics. */
  private noteArrival(sequenceNumber: number, timestamp: number, bytes: number): void {
    const now = performance.now();
    this.lastReceiveAt = now;
    this.timedOut = false;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += bytes;
    this.received.note(sequenceNumber, timestamp, now);
  }

  private acceptSource(from: RtpEndpoint): boolean {
    const remote = this.remoteEndpoint;
    const same = remote !== undefined && remote.address === from.address && remote.port === from.port;
    if (same) {
      if (!this.latched) {
        this.latched = true;
        this.link.sync();
      }
      return true;
    }
    if (this.trusted.size > 0 && !this.trusted.has(from.address)) {
      this.counters.packetsFromStrangers++;
      if (!this.strangerLogged) {
        // Once per call: a spray sends thousands, the log must not amplify it.
        this.strangerLogged = true;
        this.log.warn({ from: endpointOf(from), remote }, 'rtp from an address the call does not know dropped');
      }
      return false;
    }
    if (!this.latching) return remote === undefined || remote.address === from.address;
    if (this.latched) return false;
    this.latched = true;
    this.remoteEndpoint = endpointOf(from);
    this.log.info({ from: remote, to: this.remoteEndpoint }, 'rtp latched to the real source');
    this.link.sync();
    this.emit('latched', endpointOf(from));
    return true;
  }

  private checkTimeout(): void {
    if (this.timedOut || this.mediaTimeoutMs <= 0) return;
    const silentMs = performance.now() - this.lastReceiveAt;
    if (silentMs >= this.mediaTimeoutMs) {
      this.timedOut = true;
      this.log.info({ silentMs: Math.round(silentMs) }, 'rtp media timeout');
      this.emit('mediaTimeout');
    }
  }
}

function endpointOf(e: RtpEndpoint): RtpEndpoint {
  return { address: e.address, port: e.port };
}
