// A whole call recorded in stereo, streamed to a WAV file: left what the leg
// receives (the customer), right what the leg sends (what the customer hears:
// the bridged agent, hold music, prompts, a barge; a whisper goes to the other
// leg and never passes here).
//
// Both directions arrive at their own irregular pace (network jitter, a relay
// that forwards per packet), so neither can set the file's clock. A 20 ms
// clock anchored on one start time does: frame n of the file is written once
// 20·(n+1) ms have passed, taking one frame from each direction's short
// queue and silence where a queue is dry. The file's length is therefore the
// wall-clock length of the recording whatever the network did, and a stall
// of the process is made up with silence rather than lost.
//
// Pausing (PCI: a card number being read out) drops what is queued and writes
// silence on both channels until resume(); nothing received while paused is
// ever kept.

import type { Logger } from 'pino';
import type { CallRecording, CallRecordingResult } from '../../driver.js';
import { TELEPHONY_RATE } from '../../audio/wav.js';
import { WavFileWriter } from '../../audio/wav-writer.js';
import type { G711Codec } from './g711.js';
import type { AudioFrame, MediaLeg } from './leg.js';
import { FRAME_MS, FRAME_SAMPLES } from './output.js';
import { startPacer } from './pacer.js';
import type { Pacer } from './pacer.js';

const CHANNELS = 2;
const FRAME_NS = BigInt(FRAME_MS) * 1_000_000n;
/** A dry queue waits for this much audio before it is read again (absorbs jitter). */
const PRIME_SAMPLES = FRAME_SAMPLES * 2;
/** At most this much waits per direction; older audio is dropped (a sender running fast). */
const QUEUE_SAMPLES = FRAME_SAMPLES * 10;
/** Frames gathered before one write to disk (one second). */
const FRAMES_PER_WRITE = 50;
const FRAME_BYTES = FRAME_SAMPLES * CHANNELS * 2;

/** One direction's audio waiting for the clock: a ring of 16-bit samples. */
class SampleQueue {
  private readonly ring = new Int16Array(QUEUE_SAMPLES);
  private head = 0;
  private size = 0;
  private primed = false;

  pushPcm(pcm: Int16Array): void {
    for (let i = 0; i < pcm.length; i++) this.pushSample(pcm[i] as number);
  }

  pushEncoded(payload: Uint8Array, codec: G711Codec, scratch: Int16Array): void {
    const n = Math.min(payload.length, scratch.length);
    codec.decodeInto(n === payload.length ? payload : payload.subarray(0, n), scratch, 0);
    for (let i = 0; i < n; i++) this.pushSample(scratch[i] as number);
  }

  /** Writes one frame into `out` (interleaved stereo, channel `channel`), silence where there is none. */
  pullFrame(out: Buffer, offset: number, channel: 0 | 1): void {
    if (!this.primed && this.size >= PRIME_SAMPLES) this.primed = true;
    const take = this.primed ? Math.min(this.size, FRAME_SAMPLES) : 0;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      let v = 0;
      if (i < take) {
        v = this.ring[this.head] as number;
        this.head = (this.head + 1) % QUEUE_SAMPLES;
      }
      out.writeInt16LE(v, offset + (i * CHANNELS + channel) * 2);
    }
    this.size -= take;
    if (this.size === 0) this.primed = false;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.primed = false;
  }

  private pushSample(v: number): void {
    if (this.size === QUEUE_SAMPLES) {
      this.head = (this.head + 1) % QUEUE_SAMPLES;
      this.size--;
    }
    this.ring[(this.head + this.size) % QUEUE_SAMPLES] = v;
    this.size++;
  }
}

export interface RecordCallOptions {
  file: string;
  signal?: AbortSignal;
  logger?: Logger;
}

/** Starts a stereo recording of `leg`; rejects if the leg is closed or the file cannot be created. */
export async function recordCallOnLeg(leg: MediaLeg, opts: RecordCallOptions): Promise<CallRecording> {
  if (leg.closed) throw new Error('cannot record a call whose media has ended');
  const writer = await WavFileWriter.create(opts.file, { channels: CHANNELS, sampleRate: TELEPHONY_RATE });
  const recording = new LegCallRecording(leg, writer, opts.file, opts.logger ?? leg.log);
  if (leg.closed || opts.signal?.aborted) {
    await recording.stop();
    return recording;
  }
  opts.signal?.addEventListener('abort', () => void recording.stop().catch(() => undefined), { once: true });
  return recording;
}

class LegCallRecording implements CallRecording {
  readonly file: string;
  private readonly leg: MediaLeg;
  private readonly writer: WavFileWriter;
  private readonly log: Logger;
  private readonly received = new SampleQueue();
  private readonly sent = new SampleQueue();
  /** Decoding room for one sent payload (payloads are one frame; longer ones are cut). */
  private readonly scratch = new Int16Array(FRAME_SAMPLES * 4);
  private readonly start = process.hrtime.bigint();
  private readonly pacer: Pacer;
  private readonly untap: () => void;
  private chunk = Buffer.alloc(FRAME_BYTES * FRAMES_PER_WRITE);
  private chunkFrames = 0;
  private frames = 0;
  private pausedValue = false;
  private stopping: Promise<CallRecordingResult> | undefined;

  private readonly onAudio = (f: AudioFrame): void => {
    if (!this.pausedValue) this.received.pushPcm(f.pcm);
  };
  private readonly onSent = (payload: Uint8Array, codec: G711Codec): void => {
    if (!this.pausedValue) this.sent.pushEncoded(payload, codec, this.scratch);
  };
  private readonly onClosed = (): void => {
    void this.stop().catch(() => undefined);
  };

  constructor(leg: MediaLeg, writer: WavFileWriter, file: string, log: Logger) {
    this.leg = leg;
    this.writer = writer;
    this.file = file;
    this.log = log;
    leg.on('audio', this.onAudio);
    leg.on('closed', this.onClosed);
    this.untap = leg.output.tap(this.onSent);
    this.pacer = startPacer(FRAME_MS, () => this.catchUp(this.framesDue(false)));
    this.log.info({ file }, 'call recording started');
  }

  get elapsedMs(): number {
    if (!this.stopping) this.catchUp(this.framesDue(false));
    return this.frames * FRAME_MS;
  }

  get paused(): boolean {
    return this.pausedValue;
  }

  pause(): void {
    if (this.pausedValue || this.stopping) return;
    // Audio up to now belongs in the file; from now on only silence.
    this.catchUp(this.framesDue(false));
    this.pausedValue = true;
    this.received.clear();
    this.sent.clear();
    this.log.info({ atMs: this.frames * FRAME_MS }, 'call recording paused');
  }

  resume(): void {
    if (!this.pausedValue || this.stopping) return;
    this.catchUp(this.framesDue(false));
    this.pausedValue = false;
    this.log.info({ atMs: this.frames * FRAME_MS }, 'call recording resumed');
  }

  stop(): Promise<CallRecordingResult> {
    this.stopping ??= (async () => {
      this.catchUp(this.framesDue(true));
      this.pacer.stop();
      this.untap();
      this.leg.off('audio', this.onAudio);
      this.leg.off('closed', this.onClosed);
      this.flush();
      const durationMs = this.frames * FRAME_MS;
      try {
        await this.writer.finish();
      } catch (err) {
        this.log.error({ err, file: this.file }, 'call recording could not be written');
        throw err;
      }
      this.log.info({ file: this.file, durationMs }, 'call recording stopped');
      return { file: this.file, durationMs };
    })();
    return this.stopping;
  }

  /** Frames the file should hold by now: whole 20 ms periods, or the nearest at the end. */
  private framesDue(final: boolean): number {
    const ns = process.hrtime.bigint() - this.start;
    return Number(final ? (ns + FRAME_NS / 2n) / FRAME_NS : ns / FRAME_NS);
  }

  private catchUp(due: number): void {
    while (this.frames < due) {
      const offset = this.chunkFrames * FRAME_BYTES;
      if (this.pausedValue) this.chunk.fill(0, offset, offset + FRAME_BYTES);
      else {
        this.received.pullFrame(this.chunk, offset, 0);
        this.sent.pullFrame(this.chunk, offset, 1);
      }
      this.frames++;
      this.chunkFrames++;
      if (this.chunkFrames === FRAMES_PER_WRITE) this.flush();
    }
  }

  private flush(): void {
    if (this.chunkFrames === 0) return;
    this.writer.append(this.chunk.subarray(0, this.chunkFrames * FRAME_BYTES));
    this.chunk = Buffer.alloc(FRAME_BYTES * FRAMES_PER_WRITE);
    this.chunkFrames = 0;
  }
}
