// Connecting legs' audio: a two-party bridge (with hold and monitoring by a
// third leg) and the echo test. Audio is relayed per packet as it arrives;
// each leg's own RTP session gives the outgoing stream its SSRC, sequence
// numbers and timestamps, so nothing of the other side's numbering leaks
// through. Same-law payloads pass untouched; PCMU <-> PCMA is transcoded by
// table; where two sources meet on one leg (whisper, barge) the leg's output
// mixes them.
//
// The fast path: while a relay is the only listener to its leg's audio and
// the only source on the other leg's output (no monitor, recorder, player,
// hold music, AMD), and both legs are plain RTP, a packet of the other leg's
// law is sent on as it came, its header rewritten in place (that leg's SSRC,
// sequence and timestamp, as the slow path would number it): no decode, no
// event, no new object. Each packet takes whichever path fits at that moment,
// so attaching a monitor or a recorder switches to the slow path at the next
// packet, and back when it leaves, with the numbering continuous throughout.

import { EventEmitter } from 'node:events';
import type { MonitorMode, Prompt } from '../../driver.js';
import type { AudioFrame, MediaLeg } from './leg.js';
import type { OutputSource } from './output.js';
import { playOnLeg } from './player.js';
import type { PlayerDeps } from './player.js';

export type BridgeSide = 'a' | 'b';

const RTP_HEADER_BYTES = 12;

export interface MediaBridgeOptions {
  /** 'relay' (default): a digit from one side is sent on to the other; 'report': only the `dtmf` event. */
  dtmf?: 'relay' | 'report';
}

export interface MediaBridgeEvents {
  dtmf: [side: BridgeSide, digit: string];
  unbridged: [];
}

/** One direction of relaying: what `from` receives is spoken to `to`. */
class Relay {
  private source: OutputSource | undefined;
  // The incoming stream's last frame (timestamp, samples): whether the next
  // one follows on (a step of one frame, no marker) or comes after a pause.
  private hasLast = false;
  private lastTimestamp = 0;
  private lastSamples = 0;
  private readonly onAudio = (f: AudioFrame): void => {
    const continuous = this.follows(f.timestamp, f.marker);
    this.noteFrame(f.timestamp, f.pcm.length);
    this.source?.writeEncoded(f.payload, f.codec, continuous);
  };
  private readonly onRaw = (datagram: Buffer): boolean => {
    const source = this.source;
    if (source === undefined) return false;
    const timestamp = datagram.readUInt32BE(4);
    const samples = datagram.length - RTP_HEADER_BYTES; // G.711: a byte a sample
    const continuous = this.follows(timestamp, ((datagram[1] as number) & 0x80) !== 0);
    if (!source.forwardPacket(datagram, samples, continuous)) return false;
    this.noteFrame(timestamp, samples);
    return true;
  };

  constructor(
    private readonly from: MediaLeg,
    private readonly to: MediaLeg,
    private readonly name: string,
    /** Whether this relay may take the fast path (a monitor's relays never do: they mix). */
    private readonly fast: boolean,
  ) {}

  private follows(timestamp: number, marker: boolean): boolean {
    return !marker && this.hasLast && ((timestamp - this.lastTimestamp) >>> 0) === this.lastSamples;
  }

  private noteFrame(timestamp: number, samples: number): void {
    this.hasLast = true;
    this.lastTimestamp = timestamp;
    this.lastSamples = samples;
  }

  get active(): boolean {
    return this.source !== undefined;
  }

  start(): void {
    if (this.source) return;
    this.source = this.to.output.attach(this.name);
    this.from.on('audio', this.onAudio);
    if (this.fast) this.from.setRawRelay(this.onRaw);
  }

  stop(): void {
    if (!this.source) return;
    this.hasLast = false;
    if (this.fast) this.from.setRawRelay(undefined, this.onRaw);
    this.from.off('audio', this.onAudio);
    this.source.detach();
    this.source = undefined;
  }
}

export class MediaBridge extends EventEmitter<MediaBridgeEvents> {
  readonly a: MediaLeg;
  readonly b: MediaLeg;
  private readonly aToB: Relay;
  private readonly bToA: Relay;
  private readonly dtmfMode: 'relay' | 'report';
  private readonly monitors = new Set<MediaMonitor>();
  private readonly holds = new Map<BridgeSide, AbortController>();
  private active = true;
  private readonly onDigitA = (d: string): void => this.onDigit('a', d);
  private readonly onDigitB = (d: string): void => this.onDigit('b', d);

  constructor(a: MediaLeg, b: MediaLeg, opts: MediaBridgeOptions = {}) {
    super();
    if (a === b) throw new RangeError('cannot bridge a leg to itself');
    a.claim('bridged');
    try {
      b.claim('bridged');
    } catch (err) {
      a.release();
      throw err;
    }
    this.a = a;
    this.b = b;
    this.dtmfMode = opts.dtmf ?? 'relay';
    this.aToB = new Relay(a, b, 'bridge', true);
    this.bToA = new Relay(b, a, 'bridge', true);
    this.aToB.start();
    this.bToA.start();
    a.on('dtmf', this.onDigitA);
    b.on('dtmf', this.onDigitB);
  }

  get bridged(): boolean {
    return this.active;
  }

  leg(side: BridgeSide): MediaLeg {
    return side === 'a' ? this.a : this.b;
  }

  /**
   * Puts one side on hold: relaying stops both ways and the held side hears
   * `music` looping until unhold. Resolves once the music has started.
   */
  async hold(side: BridgeSide, music: Prompt, deps: PlayerDeps): Promise<void> {
    if (!this.active || this.holds.has(side)) return;
    // Load first so a missing file fails the hold call itself, with the
    // bridge still relaying.
    await deps.cache.load(deps.resolve(music));
    if (!this.active || this.holds.has(side)) return;
    const ctl = new AbortController();
    this.holds.set(side, ctl);
    this.aToB.stop();
    this.bToA.stop();
    const held = this.leg(side);
    void playOnLeg(held, { prompts: [music], loop: true, signal: ctl.signal, sourceName: 'hold-music' }, deps);
  }

  unhold(side: BridgeSide): void {
    const ctl = this.holds.get(side);
    if (!ctl) return;
    ctl.abort();
    this.holds.delete(side);
    if (this.active && this.holds.size === 0) {
      this.aToB.start();
      this.bToA.start();
    }
  }

  isHeld(side: BridgeSide): boolean {
    return this.holds.has(side);
  }

  /** Joins `listener` (an idle leg) to this bridge; `to` is the side a whisper reaches. */
  monitor(listener: MediaLeg, mode: MonitorMode, to: BridgeSide = 'a'): MediaMonitor {
    if (!this.active) throw new Error('bridge is no longer active');
    const m = new MediaMonitor(this, listener, mode, to, () => this.monitors.delete(m));
    this.monitors.add(m);
    return m;
  }

  /** Stops relaying and monitoring; both legs are idle again and stay open. Idempotent. */
  unbridge(): void {
    if (!this.active) return;
    this.active = false;
    for (const m of [...this.monitors]) m.stop();
    for (const ctl of this.holds.values()) ctl.abort();
    this.holds.clear();
    this.aToB.stop();
    this.bToA.stop();
    this.a.off('dtmf', this.onDigitA);
    this.b.off('dtmf', this.onDigitB);
    this.a.release();
    this.b.release();
    this.emit('unbridged');
  }

  private onDigit(side: BridgeSide, digit: string): void {
    this.emit('dtmf', side, digit);
    if (this.dtmfMode !== 'relay' || this.holds.size > 0) return;
    const other = side === 'a' ? this.b : this.a;
    // Regenerated on the other leg with its own payload type and timestamps;
    // a leg without telephone-event simply does not get it.
    if (other.telephoneEventPayloadType !== undefined && !other.closed) {
      other.sendDigits(digit).catch((err: unknown) => other.log.debug({ err }, 'relayed digit not sent'));
    }
  }
}

/**
 * A third leg attached to a bridge: 'listen' hears both sides mixed,
 * 'whisper' also speaks to one side, 'barge' speaks to both.
 */
export class MediaMonitor {
  private modeValue: MonitorMode;
  private readonly hearA: Relay;
  private readonly hearB: Relay;
  private readonly speakA: Relay;
  private readonly speakB: Relay;
  private stopped = false;

  constructor(
    readonly bridge: MediaBridge,
    readonly listener: MediaLeg,
    mode: MonitorMode,
    readonly to: BridgeSide,
    private readonly onStop: () => void,
  ) {
    if (listener === bridge.a || listener === bridge.b) throw new RangeError('a bridged leg cannot monitor its own bridge');
    listener.claim('bridged');
    this.hearA = new Relay(bridge.a, listener, 'monitor-a', false);
    this.hearB = new Relay(bridge.b, listener, 'monitor-b', false);
    this.speakA = new Relay(listener, bridge.a, 'monitor', false);
    this.speakB = new Relay(listener, bridge.b, 'monitor', false);
    this.hearA.start();
    this.hearB.start();
    this.modeValue = mode;
    this.apply();
  }

  get mode(): MonitorMode {
    return this.modeValue;
  }

  setMode(mode: MonitorMode): void {
    if (this.stopped) return;
    this.modeValue = mode;
    this.apply();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const r of [this.hearA, this.hearB, this.speakA, this.speakB]) r.stop();
    this.listener.release();
    this.onStop();
  }

  private apply(): void {
    const toA = this.modeValue === 'barge' || (this.modeValue === 'whisper' && this.to === 'a');
    const toB = this.modeValue === 'barge' || (this.modeValue === 'whisper' && this.to === 'b');
    if (toA) this.speakA.start();
    else this.speakA.stop();
    if (toB) this.speakB.start();
    else this.speakB.stop();
  }
}

/** The echo test: what the leg receives is sent straight back. */
export class MediaEcho {
  private readonly relay: Relay;
  private active = true;

  constructor(readonly leg: MediaLeg) {
    leg.claim('echo');
    this.relay = new Relay(leg, leg, 'echo', true);
    this.relay.start();
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.relay.stop();
    this.leg.release();
  }
}
