// The media engine: what the SIP side holds for the whole server. It owns the
// RTP port range, the prompt set and the decoded-prompt cache, opens a media
// leg per call leg once SDP is agreed, and offers the driver contract's media
// verbs (play, collect, record, bridge, monitor, hold, echo) on legs. It
// speaks of ports, addresses and payload types, never of SIP.

import type { Logger } from 'pino';
import type { CollectOptions, CollectResult, PlayOptions, PlayResult, RecordOptions, RecordResult } from '../../driver.js';
import { RtpPortAllocator } from '../rtp/ports.js';
import type { PortRange } from '../rtp/ports.js';
import type { RtpEndpoint } from '../rtp/session.js';
import { MediaBridge, MediaEcho } from './bridge.js';
import type { MediaBridgeOptions } from './bridge.js';
import { collectDigits } from './collect.js';
import { MediaLeg } from './leg.js';
import { playOnLeg } from './player.js';
import type { PlayerDeps } from './player.js';
import { PromptLibrary } from './prompts.js';
import { recordOnLeg } from './recorder.js';
import { AudioCache } from './audio-cache.js';

export interface MediaEngineOptions {
  /** RTP port range, e.g. { min: 20000, max: 29999 }. */
  rtpPorts: PortRange;
  /** Address RTP sockets bind to (and that SDP should advertise). Default 127.0.0.1. */
  localAddress?: string;
  /** Hang-up-worthy silence: no RTP for this long raises `mediaTimeout` on a leg (0: off). */
  mediaTimeoutMs?: number;
  promptsDir?: string;
  defaultLanguage?: string;
  logger: Logger;
}

export interface OpenLegOptions {
  callId: string;
  /** Agreed audio payload type: 0 (PCMU) or 8 (PCMA). */
  payloadType: number;
  /** Agreed telephone-event payload type, if any. */
  telephoneEventPayloadType?: number;
  /** The far end's address from SDP, if known yet (else set it later with leg.setRemote). */
  remote?: RtpEndpoint;
  mediaTimeoutMs?: number;
}

export interface MediaEngineStats {
  legs: number;
  bridges: number;
  rtpPortsInUse: number;
  rtpPortsFree: number;
  promptsCached: number;
}

export class MediaEngine {
  readonly ports: RtpPortAllocator;
  readonly prompts: PromptLibrary;
  readonly cache = new AudioCache();
  readonly deps: PlayerDeps;
  private readonly opts: MediaEngineOptions;
  private readonly legs = new Set<MediaLeg>();
  private readonly bridges = new Set<MediaBridge>();

  constructor(opts: MediaEngineOptions) {
    this.opts = opts;
    this.ports = new RtpPortAllocator(opts.rtpPorts);
    this.prompts = new PromptLibrary({ dir: opts.promptsDir, defaultLanguage: opts.defaultLanguage });
    this.deps = { cache: this.cache, resolve: (p) => this.prompts.resolve(p) };
  }

  get localAddress(): string {
    return this.opts.localAddress ?? '127.0.0.1';
  }

  async openLeg(o: OpenLegOptions): Promise<MediaLeg> {
    const leg = await MediaLeg.open({
      payloadType: o.payloadType,
      telephoneEventPayloadType: o.telephoneEventPayloadType,
      remote: o.remote,
      localAddress: this.localAddress,
      allocator: this.ports,
      mediaTimeoutMs: o.mediaTimeoutMs ?? this.opts.mediaTimeoutMs ?? 0,
      logger: this.opts.logger,
      callId: o.callId,
    });
    this.legs.add(leg);
    leg.once('closed', () => this.legs.delete(leg));
    return leg;
  }

  play(leg: MediaLeg, o: PlayOptions): Promise<PlayResult> {
    return playOnLeg(leg, o, this.deps);
  }

  collect(leg: MediaLeg, o: CollectOptions): Promise<CollectResult> {
    return collectDigits(leg, o, this.deps);
  }

  /** Records; `beep: true` plays the common beep first. */
  record(leg: MediaLeg, o: RecordOptions & { silenceThreshold?: number }): Promise<RecordResult> {
    const { beep, ...rest } = o;
    return recordOnLeg(leg, beep ? { ...rest, beep: { name: 'beep' } } : rest, this.deps);
  }

  bridge(a: MediaLeg, b: MediaLeg, o?: MediaBridgeOptions): MediaBridge {
    const bridge = new MediaBridge(a, b, o);
    this.bridges.add(bridge);
    bridge.once('unbridged', () => this.bridges.delete(bridge));
    // A bridge ends with either leg.
    const end = (): void => bridge.unbridge();
    a.once('closed', end);
    b.once('closed', end);
    bridge.once('unbridged', () => {
      a.off('closed', end);
      b.off('closed', end);
    });
    return bridge;
  }

  echo(leg: MediaLeg): MediaEcho {
    return new MediaEcho(leg);
  }

  stats(): MediaEngineStats {
    return {
      legs: this.legs.size,
      bridges: this.bridges.size,
      rtpPortsInUse: this.ports.allocatedCount,
      rtpPortsFree: this.ports.freeCount,
      promptsCached: this.cache.size,
    };
  }

  /** Closes every leg (their ports return to the range). */
  async close(): Promise<void> {
    for (const b of [...this.bridges]) b.unbridge();
    await Promise.all([...this.legs].map((l) => l.close()));
  }
}
