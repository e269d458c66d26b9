// A media leg: one call leg's audio, free of SIP. The SIP side negotiates SDP
// and then opens a leg with the local port, the remote address and the
// payload types it agreed on; the leg turns RTP into decoded audio and digits
// (events) and sends what its output (player, bridge, mixer) gives it.
// A bridge's relay may take the leg's audio packets raw instead (the fast
// path: no decode, no event) while it is the only one listening.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { RtpSession } from '../rtp/session.js';
import type { PacketProtection } from '../rtp/webrtc-media.js';
import type { RawAudioForwarder, RtpEndpoint, RtpStats } from '../rtp/session.js';
import type { RtpPacket } from '../rtp/packet.js';
import type { RtpPortAllocator } from '../rtp/ports.js';
import type { RtpSocketPool } from '../rtp/socket-pool.js';
import { g711ForPayloadType } from './g711.js';
import type { G711Codec } from './g711.js';
import { DtmfReceiver, planDigit } from './dtmf.js';
import { LegOutput } from './output.js';

/** Comfort noise (RFC 3389): accepted as media (it keeps the timeout quiet) but not played. */
const PT_COMFORT_NOISE = 13;

export interface MediaLegOptions {
  /** Audio payload type agreed in SDP: 0 (PCMU) or 8 (PCMA). */
  payloadType: number;
  /** telephone-event payload type agreed in SDP (101, 96, ...), if any. */
  telephoneEventPayloadType?: number;
  remote?: RtpEndpoint;
  localAddress?: string;
  localPort?: number;
  allocator?: RtpPortAllocator;
  /** With `localPort`: where the leg's socket comes from and goes back to (rtp/socket-pool.ts). */
  sockets?: RtpSocketPool;
  mediaTimeoutMs?: number;
  latching?: boolean;
  /** Addresses media may come from besides the remote's (see RtpSessionOptions.trustedAddresses). */
  trustedAddresses?: readonly string[];
  logger: Logger;
  callId?: string;
  /** ICE-lite + DTLS-SRTP in front of RTP for a WebRTC peer (rtp/webrtc-media.ts). */
  protection?: PacketProtection;
}

export interface AudioFrame {
  /** Decoded 16-bit linear audio at 8 kHz. */
  pcm: Int16Array;
  /** The packet's payload as received, and its codec (for relaying without decoding). */
  payload: Uint8Array;
  codec: G711Codec;
  timestamp: number;
  sequenceNumber: number;
  /** The sender's marker bit: a talkspurt starts here. */
  marker: boolean;
}

export interface MediaLegEvents {
  audio: [frame: AudioFrame];
  dtmf: [digit: string];
  /** A raw telephone-event packet (for monitoring tools; digits come as `dtmf`). */
  telephoneEvent: [packet: RtpPacket];
  latched: [remote: RtpEndpoint];
  mediaTimeout: [];
  closed: [];
}

/** Who is using the leg's media: at most one of these at a time. */
export type MediaLegMode = 'idle' | 'bridged' | 'echo';

export class MediaLegBusyError extends Error {
  constructor(mode: MediaLegMode) {
    super(`media leg is ${mode}`);
    this.name = 'MediaLegBusyError';
  }
}

export class MediaLeg extends EventEmitter<MediaLegEvents> {
  readonly session: RtpSession;
  readonly codec: G711Codec;
  readonly telephoneEventPayloadType: number | undefined;
  readonly output: LegOutput;
  readonly callId: string | undefined;
  /** Carries the call id and RTP port: for those that act on this leg, as well as for the leg itself. */
  readonly log: Logger;
  private readonly dtmf = new DtmfReceiver();
  private modeValue: MediaLegMode = 'idle';
  private dtmfQueue: Promise<void> = Promise.resolve();
  private closing = false;
  /** A relay's taker of raw audio packets (MediaLeg.setRawRelay). */
  private rawRelay: RawAudioForwarder | undefined;

  private constructor(session: RtpSession, opts: MediaLegOptions, codec: G711Codec) {
    super();
    this.session = session;
    this.codec = codec;
    this.telephoneEventPayloadType = opts.telephoneEventPayloadType;
    this.callId = opts.callId;
    this.log = opts.logger.child({ callId: opts.callId, rtpPort: session.localPort });
    this.output = new LegOutput({
      codec,
      sendPayload: (payload, samples, continuous) => {
        this.session.sendAudio(codec.payloadType, payload, samples, continuous);
      },
      // Only our own law passes untouched: the other one would need transcoding.
      forwardPacket: (datagram, samples, continuous) =>
        ((datagram[1] as number) & 0x7f) === codec.payloadType && this.session.forwardAudio(datagram, samples, continuous),
    });
    session.setRawAudioForwarder(codec.payloadType, (datagram) => this.forwardRaw(datagram));
    session.on('packet', (p) => this.onPacket(p));
    session.on('latched', (r) => this.emit('latched', r));
    session.on('mediaTimeout', () => this.emit('mediaTimeout'));
  }

  static async open(opts: MediaLegOptions): Promise<MediaLeg> {
    const codec = g711ForPayloadType(opts.payloadType);
    if (!codec) throw new RangeError(`unsupported audio payload type ${opts.payloadType} (PCMU 0 and PCMA 8 are)`);
    const session = await RtpSession.open({
      logger: opts.logger,
      callId: opts.callId,
      localAddress: opts.localAddress,
      localPort: opts.localPort,
      allocator: opts.allocator,
      sockets: opts.sockets,
      remote: opts.remote,
      mediaTimeoutMs: opts.mediaTimeoutMs,
      latching: opts.latching,
      trustedAddresses: opts.trustedAddresses,
      protection: opts.protection,
    });
    return new MediaLeg(session, opts, codec);
  }

  get localPort(): number {
    return this.session.localPort;
  }

  get closed(): boolean {
    return this.closing;
  }

  get mode(): MediaLegMode {
    return this.modeValue;
  }

  /** Claims the leg for a bridge or an echo; throws if it is already in use. */
  claim(mode: Exclude<MediaLegMode, 'idle'>): void {
    if (this.modeValue !== 'idle') throw new MediaLegBusyError(this.modeValue);
    this.modeValue = mode;
  }

  release(): void {
    this.modeValue = 'idle';
  }

  setRemote(remote: RtpEndpoint): void {
    this.session.setRemote(remote);
  }

  stats(): RtpStats {
    return this.session.stats();
  }

  /**
   * Sends digits as RFC 4733 events (needs a negotiated telephone-event
   * payload type). Calls are queued, so digits never interleave.
   */
  sendDigits(digits: string, opts: { durationMs?: number; gapMs?: number } = {}): Promise<void> {
    const pt = this.telephoneEventPayloadType;
    if (pt === undefined) return Promise.reject(new Error('no telephone-event payload type negotiated'));
    const plans = [...digits].map((d) => planDigit(d, { durationMs: opts.durationMs ?? 100 }));
    const gapMs = opts.gapMs ?? 60;
    const run = async (): Promise<void> => {
      for (const plan of plans) {
        const timestamp = this.session.eventTimestamp();
        for (const p of plan.packets) {
          if (this.closing) return;
          this.session.sendPacket({ payloadType: pt, marker: p.marker, timestamp, payload: p.payload });
          await sleep(plan.intervalMs);
        }
        await sleep(gapMs);
      }
    };
    const next = this.dtmfQueue.then(run);
    // The caller gets a failure through `next`; the queue only waits for it to settle.
    this.dtmfQueue = next.catch((err: unknown) => this.log.debug({ err }, 'digits not sent'));
    return next;
  }

  /**
   * Lets `relay` take this leg's audio packets raw (a bridge's fast path) for
   * as long as it is the only listener to `audio`; anyone else listening
   * (a recorder, a monitor, answering-machine detection) gets every packet
   * decoded as before. Undefined removes it (only if it is still `relay`).
   */
  setRawRelay(relay: RawAudioForwarder | undefined, current?: RawAudioForwarder): void {
    if (relay === undefined && current !== undefined && this.rawRelay !== current) return;
    this.rawRelay = relay;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.output.close();
    await this.session.close();
    // Level checked first: building the stats object for a silenced line cost ~2 % of a call's CPU (issue 19).
    if (this.log.isLevelEnabled('debug')) this.log.debug({ stats: this.session.stats() }, 'media leg closed');
    this.emit('closed');
  }

  private forwardRaw(datagram: Buffer): boolean {
    const relay = this.rawRelay;
    return relay !== undefined && this.listenerCount('audio') === 1 && relay(datagram);
  }

  private onPacket(p: RtpPacket): void {
    if (this.telephoneEventPayloadType !== undefined && p.payloadType === this.telephoneEventPayloadType) {
      this.emit('telephoneEvent', p);
      for (const digit of this.dtmf.receive(p)) {
        // The digit itself is never logged: it may be part of a card number or a PIN.
        this.log.debug('dtmf received');
        this.emit('dtmf', digit);
      }
      return;
    }
    if (p.payloadType === PT_COMFORT_NOISE) return;
    // Take either law even if only one was agreed: some phones switch.
    const codec = g711ForPayloadType(p.payloadType);
    if (!codec || p.payload.length === 0) return;
    this.emit('audio', {
      pcm: codec.decode(p.payload),
      payload: p.payload,
      codec,
      timestamp: p.timestamp,
      sequenceNumber: p.sequenceNumber,
      marker: p.marker,
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
