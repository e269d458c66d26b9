// Records what a leg receives into an 8 kHz 16-bit mono WAV. The recording is
// true to wall time: a lost packet (a jump in RTP timestamp) and a stretch
// with no packets at all (the far end stopped sending) become silence, so
// a 30 s message lasts 30 s whatever the network did.
//
// Stops on max length, on N seconds without speech (frame energy under a
// threshold, or no packets), on a stop key, on abort, or when the leg closes.

import type { Prompt, RecordResult } from '../../driver.js';
import type { AudioFrame, MediaLeg } from './leg.js';
import { FRAME_SAMPLES } from './output.js';
import { playOnLeg } from './player.js';
import type { PlayerDeps } from './player.js';
import { writeWavFile, TELEPHONY_RATE } from '../../audio/index.js';

export interface RecordOnLegOptions {
  file: string;
  maxSeconds: number;
  /** Stop after this long without speech (0 or absent: never). */
  silenceSeconds?: number;
  /** RMS level (of 32767) under which a frame counts as silence. Default 300 (about -41 dBFS). */
  silenceThreshold?: number;
  stopKeys?: string;
  signal?: AbortSignal;
  /** Played before recording starts (the tone after "leave a message"); needs `deps`. */
  beep?: Prompt;
}

/** Packets may arrive this late (jitter) before the gap is filled with silence. */
const GAP_TOLERANCE_SAMPLES = FRAME_SAMPLES * 3;
/** A timestamp jump larger than this is a new stream, not a loss. */
const MAX_LOSS_FILL_SAMPLES = TELEPHONY_RATE * 5;

export function frameRms(pcm: Int16Array): number {
  if (pcm.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] as number;
    sum += v * v;
  }
  return Math.sqrt(sum / pcm.length);
}

export async function recordOnLeg(leg: MediaLeg, opts: RecordOnLegOptions, deps?: PlayerDeps): Promise<RecordResult> {
  if (opts.beep !== undefined) {
    if (!deps) throw new Error('recordOnLeg: a beep needs player deps');
    const beep = await playOnLeg(leg, { prompts: [opts.beep], signal: opts.signal, sourceName: 'beep' }, deps);
    if (beep.reason === 'hangup' || beep.reason === 'stopped') {
      await writeWavFile(opts.file, new Int16Array(0));
      return { file: opts.file, durationMs: 0, reason: beep.reason };
    }
  }
  const maxSamples = Math.max(0, Math.round(opts.maxSeconds * TELEPHONY_RATE));
  const silenceMs = (opts.silenceSeconds ?? 0) * 1000;
  const threshold = opts.silenceThreshold ?? 300;
  const stopKeys = (opts.stopKeys ?? '').toUpperCase();
  const chunks: Int16Array[] = [];
  let written = 0;
  let lastTimestamp: number | undefined;
  let lastLength = 0;
  const start = process.hrtime.bigint();
  const elapsedMs = (): number => Number(process.hrtime.bigint() - start) / 1e6;
  const wallSamples = (): number => Math.floor((elapsedMs() * TELEPHONY_RATE) / 1000);
  let lastSpeechMs = 0;

  const append = (pcm: Int16Array): void => {
    const room = maxSamples - written;
    if (room <= 0) return;
    const part = pcm.length > room ? pcm.subarray(0, room) : pcm;
    chunks.push(part);
    written += part.length;
  };
  const appendSilence = (n: number): void => {
    if (n > 0) append(new Int16Array(Math.min(n, maxSamples)));
  };

  let result: Pick<RecordResult, 'reason' | 'key'> | undefined;
  let wake: (() => void) | undefined;
  const end = (reason: RecordResult['reason'], key?: string): void => {
    if (result) return;
    result = key === undefined ? { reason } : { reason, key };
    wake?.();
  };

  const onAudio = (f: AudioFrame): void => {
    if (result) return;
    // A lost packet shows as a timestamp step larger than the last frame.
    if (lastTimestamp !== undefined) {
      const step = (f.timestamp - lastTimestamp) >>> 0;
      if (step > lastLength && step - lastLength <= MAX_LOSS_FILL_SAMPLES) appendSilence(step - lastLength);
    }
    // No packets for a while (or a lost first packet): catch up to the clock.
    const behind = wallSamples() - f.pcm.length - written;
    if (behind > GAP_TOLERANCE_SAMPLES) appendSilence(behind);
    append(f.pcm);
    lastTimestamp = f.timestamp;
    lastLength = f.pcm.length;
    if (frameRms(f.pcm) >= threshold) lastSpeechMs = elapsedMs();
    if (written >= maxSamples) end('max-length');
  };
  const onDigit = (digit: string): void => {
    if (stopKeys.includes(digit)) end('key', digit);
  };
  const onClosed = (): void => end('hangup');
  const onAbort = (): void => end('stopped');

  if (leg.closed) end('hangup');
  else if (opts.signal?.aborted) end('stopped');
  leg.on('audio', onAudio);
  leg.on('dtmf', onDigit);
  leg.on('closed', onClosed);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // The clock covers stops that no packet triggers: max length reached in
  // silence, or the silence limit when the far end sends nothing at all.
  const ticker = setInterval(() => {
    const now = elapsedMs();
    if (now >= opts.maxSeconds * 1000) end('max-length');
    else if (silenceMs > 0 && now - lastSpeechMs >= silenceMs) end('silence');
  }, 50);
  try {
    if (!result) await new Promise<void>((resolve) => (wake = resolve));
  } finally {
    clearInterval(ticker);
    leg.off('audio', onAudio);
    leg.off('dtmf', onDigit);
    leg.off('closed', onClosed);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  // Trailing time with no packets is part of the recording too.
  const behind = Math.min(maxSamples, wallSamples()) - written;
  if (behind > GAP_TOLERANCE_SAMPLES) appendSilence(behind);
  const samples = new Int16Array(written);
  let at = 0;
  for (const c of chunks) {
    samples.set(c, at);
    at += c.length;
  }
  await writeWavFile(opts.file, samples);
  const final = result ?? { reason: 'stopped' as const };
  return { file: opts.file, durationMs: Math.round((written * 1000) / TELEPHONY_RATE), ...final };
}
