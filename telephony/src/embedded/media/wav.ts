// WAV files: read what a customer uploads (16-bit PCM at any rate, mono or
// stereo, 8-bit PCM, and G.711 µ-law/A-law WAVs), bring it to what a G.711
// call carries (8 kHz mono 16-bit), and write recordings in that format.

import { readFile, stat, writeFile } from 'node:fs/promises';
import { decodeAlaw, decodeUlaw } from './g711.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_ALAW = 6;
export const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

export const TELEPHONY_RATE = 8000;

export class WavFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavFormatError';
  }
}

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** The file's format code (1 PCM, 6 A-law, 7 µ-law). */
  formatCode: number;
  /** Decoded to 16-bit linear, channels interleaved. */
  samples: Int16Array;
}

/** Parses a WAV file's bytes. Throws WavFormatError on anything it cannot play. */
export function parseWav(buf: Uint8Array): WavAudio {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (at: number): string => String.fromCharCode(...buf.subarray(at, at + 4));
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavFormatError('not a RIFF/WAVE file');
  let offset = 12;
  let fmt: { code: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  while (offset + 8 <= buf.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    // A writer that streamed may leave the data size at 0 or too big: take what is there.
    const end = Math.min(buf.length, body + size);
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavFormatError('short fmt chunk');
      let code = view.getUint16(body, true);
      if (code === WAVE_FORMAT_EXTENSIBLE && size >= 40) code = view.getUint16(body + 24, true); // SubFormat GUID's first field
      fmt = {
        code,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      data = buf.subarray(body, size === 0 ? buf.length : end);
      break;
    }
    offset = body + size + (size & 1); // chunks are word-aligned
  }
  if (!fmt) throw new WavFormatError('no fmt chunk');
  if (!data) throw new WavFormatError('no data chunk');
  if (fmt.channels < 1 || fmt.channels > 8) throw new WavFormatError(`unsupported channel count ${fmt.channels}`);
  if (fmt.rate < 1000 || fmt.rate > 192000) throw new WavFormatError(`unsupported sample rate ${fmt.rate}`);
  let samples: Int16Array;
  if (fmt.code === WAVE_FORMAT_PCM && fmt.bits === 16) {
    samples = new Int16Array(data.length >> 1);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    for (let i = 0; i < samples.length; i++) samples[i] = dv.getInt16(i * 2, true);
  } else if (fmt.code === WAVE_FORMAT_PCM && fmt.bits === 8) {
    samples = new Int16Array(data.length);
    for (let i = 0; i < data.length; i++) samples[i] = ((data[i] as number) - 128) << 8;
  } else if (fmt.code === WAVE_FORMAT_MULAW && fmt.bits === 8) {
    samples = decodeUlaw(data);
  } else if (fmt.code === WAVE_FORMAT_ALAW && fmt.bits === 8) {
    samples = decodeAlaw(data);
  } else {
    throw new WavFormatError(`unsupported WAV encoding: format ${fmt.code}, ${fmt.bits} bits`);
  }
  const whole = samples.length - (samples.length % fmt.channels);
  return { sampleRate: fmt.rate, channels: fmt.channels, formatCode: fmt.code, samples: samples.subarray(0, whole) };
}

/** Averages interleaved channels to one. */
export function downmix(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c] as number;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Windowed-sinc low-pass (Blackman window) to remove what would alias when
 * downsampling; `cutoff` is a fraction of the input rate (0..0.5).
 */
function lowPass(samples: Int16Array, cutoff: number): Float32Array {
  const half = 16;
  const taps = new Float32Array(2 * half + 1);
  let sum = 0;
  for (let i = -half; i <= half; i++) {
    const sinc = i === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * i) / (Math.PI * i);
    const n = i + half;
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / (2 * half)) + 0.08 * Math.cos((4 * Math.PI * n) / (2 * half));
    taps[n] = sinc * w;
    sum += sinc * w;
  }
  for (let i = 0; i < taps.length; i++) taps[i] = (taps[i] as number) / sum;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    let acc = 0;
    for (let k = -half; k <= half; k++) {
      const j = i + k;
      if (j >= 0 && j < samples.length) acc += (samples[j] as number) * (taps[k + half] as number);
    }
    out[i] = acc;
  }
  return out;
}

/** Resamples mono audio by linear interpolation, low-passing first when going down. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (fromRate === toRate) return samples;
  // Keep below the new Nyquist with some room for the filter's roll-off (3.6 kHz at 8 kHz).
  const src: ArrayLike<number> = toRate < fromRate ? lowPass(samples, (0.45 * toRate) / fromRate) : samples;
  const outLength = Math.floor((samples.length * toRate) / fromRate);
  const out = new Int16Array(outLength);
  const step = fromRate / toRate;
  for (let i = 0; i < outLength; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const frac = pos - j;
    const a = src[j] ?? 0;
    const b = src[j + 1] ?? a;
    const v = Math.round(a + (b - a) * frac);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Any supported WAV brought to 8 kHz mono 16-bit. */
export function toTelephonyAudio(wav: WavAudio): Int16Array {
  return resample(downmix(wav.samples, wav.channels), wav.sampleRate, TELEPHONY_RATE);
}

export async function readWavFile(path: string): Promise<WavAudio> {
  return parseWav(await readFile(path));
}

/** Builds a 16-bit PCM mono WAV (8 kHz unless told) with a 44-byte header. */
export function encodeWav(samples: Int16Array, sampleRate = TELEPHONY_RATE): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(1, 22); // channels
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] as number, 44 + i * 2);
  return buf;
}

export async function writeWavFile(path: string, samples: Int16Array, sampleRate = TELEPHONY_RATE): Promise<void> {
  await writeFile(path, encodeWav(samples, sampleRate));
}

/** Decodes WAV files to telephony audio once per path (prompts are played again and again). */
export class AudioCache {
  private readonly entries = new Map<string, { version: string; audio: Promise<Int16Array> }>();

  /**
   * The decoded audio of a WAV file. A file replaced since it was cached (an
   * admin uploaded a new version of a prompt) is read again: the cache is
   * keyed by path, size and modification time, at the cost of one stat().
   */
  async load(path: string): Promise<Int16Array> {
    const info = await stat(path);
    const version = `${info.size}:${info.mtimeMs}`;
    let entry = this.entries.get(path);
    if (!entry || entry.version !== version) {
      const audio = readWavFile(path).then(toTelephonyAudio);
      entry = { version, audio };
      // A failed read is not cached: the file may appear later.
      audio.catch(() => {
        if (this.entries.get(path)?.audio === audio) this.entries.delete(path);
      });
      this.entries.set(path, entry);
    }
    return entry.audio;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
