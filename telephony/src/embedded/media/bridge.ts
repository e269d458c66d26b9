// Connecting legs' audio: a two-party bridge (with hold and monitoring by a
// third leg) and the echo test. Audio is relayed per packet as it arrives;
// each leg's own RTP session gives the outgoing stream its SSRC, sequence
// numbers and timestamps, so nothing of the other side's numbering leaks
// through. Same-law payloads pass untouched; PCMU <-> PCMA is transcoded by
// table; where two sources meet on one leg (whisper, barge) the leg's output
// mixes them.

import { EventEmitter } from 'node:events';
import type { MonitorMode, Prompt } from '../../driver.js';
import type { AudioFrame, MediaLeg } from './leg.js';
import type { OutputSource } from './output.js';
import { playOnLeg } from './player.js';
import type { PlayerDeps } from './player.js';

export type BridgeSide = 'a' | 'b';

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
  private last: { timestamp: number; samples: number } | undefined;
  private readonly onAudio = (f: AudioFrame): void => {
    // The incoming stream tells whether this frame follows on (timestamp
    // step of one frame, no marker) or comes after a pause or a loss.
    const last = this.last;
    const continuous = !f.marker && last !== undefined && ((f.timestamp - last.timestamp) >>> 0) === last.samples;
    this.last = { timestamp: f.timestamp, samples: f.pcm.length };
    this.source?.writeEncoded(f.payload, f.codec, continuous);
  };

  constructor(
    private readonly from: MediaLeg,
    private readonly to: MediaLeg,
    private readonly name: string,
  ) {}

  get active(): boolean {
    return this.source !== undefined;
  }

  start(): void {
    if (this.source) return;
    this.source = this.to.output.attach(this.name);
    this.from.on('audio', this.onAudio);
  }

  stop(): void {
    if (!this.source) return;
    this.last = undefined;
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
    this.aToB = new Relay(a, b, 'bridge');
    this.bToA = new Relay(b, a, 'bridge');
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
    this.hearA = new Relay(bridge.a, listener, 'monitor-a');
    this.hearB = new Relay(bridge.b, listener, 'monitor-b');
    this.speakA = new Relay(listener, bridge.a, 'monitor');
    this.speakB = new Relay(listener, bridge.b, 'monitor');
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
    this.relay = new Relay(leg, leg, 'echo');
    this.relay.start();
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.relay.stop();
    this.leg.release();
  }
}
