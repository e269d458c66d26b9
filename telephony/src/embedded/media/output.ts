// What a leg sends. Several sources may speak to one leg at once: the bridge
// relays the other side, a player whispers a prompt, a supervisor barges in.
// With one source its frames go out as they come (no added delay; same-law
// payloads are passed through untouched). With two or more, each source's
// audio is queued and a 20 ms clock sums one frame of each (the mixer).

import type { G711Codec } from './g711.js';
import { transcodeG711 } from './g711.js';
import { startPacer } from './pacer.js';
import type { Pacer } from './pacer.js';

export const FRAME_SAMPLES = 160; // 20 ms at 8 kHz
export const FRAME_MS = 20;

const MIXER = '\u0000mixer'; // a name no source can have

/** At most this much audio waits per source while mixing (bounds added latency). */
const MAX_QUEUED_SAMPLES = FRAME_SAMPLES * 5;

export interface OutputSink {
  codec: G711Codec;
  /**
   * Sends one encoded payload of `samples` samples on the wire; `continuous`
   * when it directly follows the previous payload sent (no pause between).
   */
  sendPayload(payload: Uint8Array, samples: number, continuous: boolean): void;
  /**
   * Sends a received RTP packet on as this leg's own (header rewritten in
   * place); false when it cannot (another law, SRTP, nowhere to send).
   */
  forwardPacket(datagram: Buffer, samples: number, continuous: boolean): boolean;
}

export interface OutputSource {
  readonly name: string;
  /**
   * Linear audio from this source. `continuous`: this audio directly follows
   * what this source wrote before (a player's next frame), so the stream has
   * no pause here even if it arrives a little late.
   */
  write(pcm: Int16Array, continuous?: boolean): void;
  /** Encoded G.711 audio from this source (e.g. relayed from another leg). */
  writeEncoded(payload: Uint8Array, codec: G711Codec, continuous?: boolean): void;
  /**
   * A received RTP packet to send on untouched but for its header, when this
   * source is the leg's only one and nothing taps the output; false (nothing
   * sent) otherwise: then write the audio as usual.
   */
  forwardPacket(datagram: Buffer, samples: number, continuous: boolean): boolean;
  detach(): void;
}

class Queue {
  chunks: Int16Array[] = [];
  length = 0;

  push(pcm: Int16Array): void {
    this.chunks.push(pcm);
    this.length += pcm.length;
    while (this.length > MAX_QUEUED_SAMPLES && this.chunks.length > 1) {
      const dropped = this.chunks.shift() as Int16Array;
      this.length -= dropped.length;
    }
  }

  /** Adds up to `n` queued samples into `acc`; returns how many there were. */
  pullInto(acc: Int32Array, n: number): number {
    let got = 0;
    while (got < n && this.chunks.length > 0) {
      const head = this.chunks[0] as Int16Array;
      const take = Math.min(n - got, head.length);
      for (let i = 0; i < take; i++) acc[got + i] = (acc[got + i] as number) + (head[i] as number);
      got += take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    this.length -= got;
    return got;
  }
}

/** Sees every payload the leg sends, in the leg's codec (a call recording's "what the far end hears"). */
export type OutputTap = (payload: Uint8Array, codec: G711Codec) => void;

export class LegOutput {
  private readonly sink: OutputSink;
  private readonly sources = new Map<string, Queue>();
  private readonly taps = new Set<OutputTap>();
  private pacer: Pacer | undefined;
  /** Who sent the last packet (a source name, or MIXER): continuity only holds for the same sender. */
  private lastSender: string | undefined;
  private mixerSentLastTick = false;

  constructor(sink: OutputSink) {
    this.sink = sink;
  }

  /** Names of the sources speaking to this leg now. */
  get sourceNames(): string[] {
    return [...this.sources.keys()];
  }

  get mixing(): boolean {
    return this.sources.size > 1;
  }

  /** Adds a source. A name already attached is replaced (its queued audio dropped). */
  attach(name: string): OutputSource {
    const queue = new Queue();
    this.sources.set(name, queue);
    this.updateMode();
    const live = (): boolean => this.sources.get(name) === queue;
    return {
      name,
      write: (pcm, continuous = false) => {
        if (!live()) return;
        if (this.sources.size === 1) this.sendDirect(name, this.sink.codec.encode(pcm), pcm.length, continuous);
        else queue.push(pcm);
      },
      writeEncoded: (payload, codec, continuous = false) => {
        if (!live()) return;
        if (this.sources.size === 1) this.sendDirect(name, transcodeG711(payload, codec, this.sink.codec), payload.length, continuous);
        else queue.push(codec.decode(payload));
      },
      forwardPacket: (datagram, samples, continuous) => {
        if (this.sources.size !== 1 || this.taps.size > 0 || !live()) return false;
        if (!this.sink.forwardPacket(datagram, samples, continuous && this.lastSender === name)) return false;
        this.lastSender = name;
        return true;
      },
      detach: () => {
        if (!live()) return;
        this.sources.delete(name);
        this.updateMode();
      },
    };
  }

  /** Adds a tap on what is sent; returns its removal. */
  tap(tap: OutputTap): () => void {
    this.taps.add(tap);
    return () => this.taps.delete(tap);
  }

  close(): void {
    this.sources.clear();
    this.updateMode();
  }

  private send(payload: Uint8Array, samples: number, continuous: boolean): void {
    this.sink.sendPayload(payload, samples, continuous);
    for (const tap of this.taps) tap(payload, this.sink.codec);
  }

  private sendDirect(name: string, payload: Uint8Array, samples: number, continuous: boolean): void {
    this.send(payload, samples, continuous && this.lastSender === name);
    this.lastSender = name;
  }

  private updateMode(): void {
    if (this.sources.size > 1 && !this.pacer) {
      this.mixerSentLastTick = false;
      this.pacer = startPacer(FRAME_MS, () => this.mixFrame());
    } else if (this.sources.size <= 1 && this.pacer) {
      this.pacer.stop();
      this.pacer = undefined;
      // Audio queued while mixing would now be stale; the lone source goes direct.
      for (const q of this.sources.values()) {
        q.chunks = [];
        q.length = 0;
      }
    }
  }

  private mixFrame(): void {
    const acc = new Int32Array(FRAME_SAMPLES);
    let any = false;
    for (const q of this.sources.values()) {
      if (q.pullInto(acc, FRAME_SAMPLES) > 0) any = true;
    }
    // Nobody spoke this tick: send nothing, as a silent phone would.
    if (!any) {
      this.mixerSentLastTick = false;
      return;
    }
    const out = new Int16Array(FRAME_SAMPLES);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const v = acc[i] as number;
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    this.send(this.sink.codec.encode(out), FRAME_SAMPLES, this.mixerSentLastTick && this.lastSender === MIXER);
    this.lastSender = MIXER;
    this.mixerSentLastTick = true;
  }
}
