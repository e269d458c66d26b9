// Plays prompts on a leg as 20 ms frames, paced against a monotonic clock (see
// pacer.ts). Prompts are decoded once per path (AudioCache) and played back to
// back as one stream, so "you are number" + "five" has no gap or click between
// them. Playback stops on a digit (if asked), on abort, when the leg closes,
// or at the end (unless looping, as music on hold does).
//
// The player speaks through the leg's output as one source among others: on
// a bridged leg its audio is mixed over the relayed audio (a whisper).

import type { PlayResult, Prompt } from '../../driver.js';
import type { MediaLeg } from './leg.js';
import { FRAME_MS, FRAME_SAMPLES } from './output.js';
import { startPacer } from './pacer.js';
import type { AudioCache } from './audio-cache.js';

export const ALL_DIGITS = '0123456789*#ABCD';

export interface PlayerDeps {
  cache: AudioCache;
  /** Turns a prompt into a WAV path (PromptLibrary.resolve). */
  resolve: (prompt: Prompt) => string;
}

export interface PlayOnLegOptions {
  prompts: Prompt[];
  /** Digits that stop playback (true: any digit). */
  interruptOn?: boolean | string;
  loop?: boolean;
  signal?: AbortSignal;
  /** The output source name (a leg can have one player per name). */
  sourceName?: string;
}

export function interruptDigits(interruptOn: boolean | string | undefined): string {
  if (interruptOn === true) return ALL_DIGITS;
  if (typeof interruptOn === 'string') return interruptOn.toUpperCase();
  return '';
}

/** Yields consecutive 160-sample frames across a list of clips; the last one is padded with silence. */
export class FrameReader {
  private clip = 0;
  private offset = 0;
  private readonly clips: Int16Array[];
  private readonly loop: boolean;
  readonly totalSamples: number;

  constructor(clips: Int16Array[], loop: boolean) {
    this.clips = clips.filter((c) => c.length > 0);
    this.loop = loop;
    this.totalSamples = this.clips.reduce((n, c) => n + c.length, 0);
  }

  next(): Int16Array | undefined {
    if (this.clip >= this.clips.length) {
      if (!this.loop || this.totalSamples === 0) return undefined;
      this.clip = 0;
      this.offset = 0;
    }
    const frame = new Int16Array(FRAME_SAMPLES);
    let filled = 0;
    while (filled < FRAME_SAMPLES) {
      if (this.clip >= this.clips.length) {
        if (!this.loop) break;
        this.clip = 0;
        this.offset = 0;
      }
      const c = this.clips[this.clip] as Int16Array;
      const take = Math.min(FRAME_SAMPLES - filled, c.length - this.offset);
      frame.set(c.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset >= c.length) {
        this.clip++;
        this.offset = 0;
      }
    }
    return frame;
  }
}

/** Plays prompts on a leg; resolves with why it stopped. Rejects only if a prompt cannot be loaded. */
export async function playOnLeg(leg: MediaLeg, opts: PlayOnLegOptions, deps: PlayerDeps): Promise<PlayResult> {
  if (leg.closed) return { reason: 'hangup' };
  if (opts.signal?.aborted) return { reason: 'stopped' };
  const clips = await Promise.all(opts.prompts.map((p) => deps.cache.load(deps.resolve(p))));
  if (leg.closed) return { reason: 'hangup' };
  if (opts.signal?.aborted) return { reason: 'stopped' };
  const reader = new FrameReader(clips, opts.loop ?? false);
  const stopDigits = interruptDigits(opts.interruptOn);

  return new Promise<PlayResult>((resolve) => {
    const source = leg.output.attach(opts.sourceName ?? 'prompt');
    let finished = false;
    const finish = (result: PlayResult): void => {
      if (finished) return;
      finished = true;
      pacer.stop();
      source.detach();
      leg.off('dtmf', onDigit);
      leg.off('closed', onClosed);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onDigit = (digit: string): void => {
      if (stopDigits.includes(digit)) finish({ reason: 'dtmf', digit });
    };
    const onClosed = (): void => finish({ reason: 'hangup' });
    const onAbort = (): void => finish({ reason: 'stopped' });
    leg.on('dtmf', onDigit);
    leg.on('closed', onClosed);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const pacer = startPacer(FRAME_MS, (n) => {
      const frame = reader.next();
      if (!frame) {
        // Let the last frame's 20 ms elapse before reporting the end, so
        // what comes next (a beep, a recording) does not overlap it.
        setTimeout(() => finish({ reason: 'done' }), FRAME_MS);
        return false;
      }
      source.write(frame, n > 0);
      return true;
    });
  });
}
