// Cuts the dead air off both ends of a recording: the pause before the
// caller starts speaking and the silence that ended the recording (the
// engine stops after `silenceSeconds` of it, so every message would otherwise
// end with that much nothing). What lies between is kept as it is.

import { readFile, writeFile } from 'node:fs/promises';
import { TELEPHONY_RATE, decodeWav, downmix, encodeWav, toInt16 } from '@tenor/telephony';

/** 20 ms frames, as the engine's silence detection uses. */
const FRAME = TELEPHONY_RATE / 50;
/** RMS (of 32767) under which a frame is silence: the engine's default threshold, about −41 dBFS. */
export const SILENCE_RMS = 300;

/** [first, end) sample range holding sound, or undefined when it is all silence. */
export function soundRange(pcm: Int16Array, threshold = SILENCE_RMS): { start: number; end: number } | undefined {
  let first = -1;
  let last = -1;
  for (let f = 0; f * FRAME < pcm.length; f++) {
    const from = f * FRAME;
    const to = Math.min(pcm.length, from + FRAME);
    let sum = 0;
    for (let i = from; i < to; i++) sum += (pcm[i] as number) ** 2;
    if (Math.sqrt(sum / (to - from)) >= threshold) {
      if (first < 0) first = from;
      last = to;
    }
  }
  return first < 0 ? undefined : { start: first, end: last };
}

/** Rewrites the WAV with only its sound; returns the new duration in ms (0: nothing but silence). */
export async function trimSilence(file: string): Promise<number> {
  const wav = decodeWav(await readFile(file));
  const pcm = toInt16(downmix(wav.samples, wav.channels));
  const range = soundRange(pcm);
  const kept = range ? pcm.subarray(range.start, range.end) : new Int16Array(0);
  await writeFile(file, encodeWav(kept, wav.sampleRate));
  return Math.round((kept.length * 1000) / wav.sampleRate);
}
