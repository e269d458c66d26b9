// What a recording holds, measured by frequency: the contract's recording
// cases read the WAV back and ask, window by window and channel by channel,
// which of the test tones is in it (Goertzel), or whether it is silence.
import { decodeWav16 } from '../audio/index.js';

/** Power of `hz` in `samples` (one channel), normalised so a full-scale sine of that frequency gives about 0.25. */
export function tonePower(samples: Int16Array | Float32Array, rate: number, hz: number): number {
  const n = samples.length;
  if (n === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = (samples[i] as number) / 32768 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return power / (n * n);
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += (samples[i] as number) ** 2;
  return samples.length === 0 ? 0 : Math.sqrt(sum / samples.length);
}

/** One window of one channel: its level and which of the asked tones carries most of it. */
export interface WindowReading {
  atMs: number;
  rms: number;
  /** The asked frequency holding at least half the window's power, or undefined (silence, a mix, another sound). */
  tone: number | undefined;
  /** Every asked frequency holding at least an eighth of the window's power (a tone mixed in). */
  present: number[];
}

export interface StereoReadings {
  channels: number;
  sampleRate: number;
  durationMs: number;
  left: WindowReading[];
  right: WindowReading[];
}

/** Under this RMS (of 32767) a window is silence. G.711's quietest codes decode to a few units. */
export const SILENCE_RMS = 60;

/** Blocks a window is measured in: one RTP frame, within which a tone's phase runs on. */
const BLOCK_MS = 20;

/**
 * The power of `hz` averaged over the window's 20 ms blocks, not measured
 * across the whole window: a recorder that drops or repeats a frame breaks
 * the tone's phase at the frame's edge, which would cancel a long Goertzel
 * sum though the tone is plainly there.
 */
function blockedTonePower(samples: Int16Array, rate: number, hz: number): number {
  const block = Math.max(1, Math.round((rate * BLOCK_MS) / 1000));
  let sum = 0;
  let blocks = 0;
  for (let at = 0; at + block <= samples.length; at += block) {
    sum += tonePower(samples.subarray(at, at + block), rate, hz);
    blocks++;
  }
  return blocks === 0 ? tonePower(samples, rate, hz) : sum / blocks;
}

function readWindow(samples: Int16Array, rate: number, tones: readonly number[], atMs: number): WindowReading {
  const level = rms(samples);
  if (level < SILENCE_RMS) return { atMs, rms: level, tone: undefined, present: [] };
  // A sine of amplitude A has mean power A²/2 and Goertzel power about A²/4:
  // a tone alone gives total/2.
  const total = (level / 32768) ** 2;
  let tone: number | undefined;
  const present: number[] = [];
  for (const hz of tones) {
    const p = blockedTonePower(samples, rate, hz);
    if (p >= total / 4 && (tone === undefined || p > blockedTonePower(samples, rate, tone))) tone = hz;
    if (p >= total / 16) present.push(hz);
  }
  return { atMs, rms: level, tone, present };
}

/** Splits a 2-channel WAV into windows of `windowMs` and reads each channel's tone among `tones`. */
export function readStereoTones(wav: Uint8Array, tones: readonly number[], windowMs = 100): StereoReadings {
  const audio = decodeWav16(wav);
  const perWindow = Math.round((audio.sampleRate * windowMs) / 1000);
  const left: WindowReading[] = [];
  const right: WindowReading[] = [];
  const l = new Int16Array(perWindow);
  const r = new Int16Array(perWindow);
  for (let start = 0; start + perWindow <= audio.frames; start += perWindow) {
    for (let i = 0; i < perWindow; i++) {
      const at = (start + i) * audio.channels;
      l[i] = audio.samples[at] as number;
      r[i] = audio.samples[at + Math.min(1, audio.channels - 1)] as number;
    }
    const atMs = (start * 1000) / audio.sampleRate;
    left.push(readWindow(l, audio.sampleRate, tones, atMs));
    right.push(readWindow(r, audio.sampleRate, tones, atMs));
  }
  return { channels: audio.channels, sampleRate: audio.sampleRate, durationMs: audio.durationMs, left, right };
}

/** Windows lying wholly inside [fromMs, toMs). */
export function windowsIn(readings: readonly WindowReading[], fromMs: number, toMs: number, windowMs = 100): WindowReading[] {
  return readings.filter((w) => w.atMs >= fromMs && w.atMs + windowMs <= toMs);
}

/** The share of windows (0..1) for which `test` holds; 0 for none. */
export function shareOf(windows: readonly WindowReading[], test: (w: WindowReading) => boolean): number {
  return windows.length === 0 ? 0 : windows.filter(test).length / windows.length;
}

/**
 * The silent run (both channels) around `atMs`: where it starts and ends in
 * the file. `windowMs` is the window the readings were taken with.
 */
export function silentRunAround(s: StereoReadings, atMs: number, windowMs: number): { fromMs: number; toMs: number } | undefined {
  const silent = (i: number): boolean => (s.left[i]?.rms ?? Infinity) < SILENCE_RMS && (s.right[i]?.rms ?? Infinity) < SILENCE_RMS;
  const mid = Math.floor(atMs / windowMs);
  if (!silent(mid)) return undefined;
  let from = mid;
  while (from > 0 && silent(from - 1)) from--;
  let to = mid;
  while (to + 1 < s.left.length && silent(to + 1)) to++;
  return { fromMs: from * windowMs, toMs: (to + 1) * windowMs };
}
