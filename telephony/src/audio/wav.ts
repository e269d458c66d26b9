// WAV files, the one reader and writer of them: the prompts people upload
// (whatever their editor saved), the prompts and music the engine plays, the
// recordings it writes, and the files tests make. What a G.711 call carries is
// 8 kHz, 16-bit, mono PCM.
//
// Read: PCM 8/16/24/32-bit, IEEE float 32-bit, G.711 µ-law and A-law, plain or
// WAVE_FORMAT_EXTENSIBLE, any channel count up to 8. Samples come out as
// floats in [-1, 1), channels interleaved, so resampling and mixing need no
// knowledge of the source encoding (or as 16-bit linear, for the engine).

import { open, readFile, writeFile } from 'node:fs/promises';
import { resample, resampleYielding } from './resample.js';

export const TELEPHONY_RATE = 8000;

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_FLOAT = 3;
export const WAVE_FORMAT_ALAW = 6;
export const WAVE_FORMAT_MULAW = 7;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

/** Why a file cannot be used; the message is meant for the person who uploaded it. */
export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export interface WavHeader {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** 'pcm', 'float', 'mulaw' or 'alaw'. */
  encoding: 'pcm' | 'float' | 'mulaw' | 'alaw';
  /** The format code (1 PCM, 3 float, 6 A-law, 7 µ-law; EXTENSIBLE files give their SubFormat's). */
  formatCode: number;
  /** Frames (one sample per channel) in the data chunk. */
  frames: number;
  durationMs: number;
}

export interface DecodedWav extends WavHeader {
  /** Interleaved samples in [-1, 1). */
  samples: Float32Array;
}

export interface WavAudio extends WavHeader {
  /** Decoded to 16-bit linear, channels interleaved. */
  samples: Int16Array;
}

interface Chunks {
  header: WavHeader;
  data: Uint8Array;
}

function encodingOf(code: number, bits: number): WavHeader['encoding'] {
  if (code === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bits)) return 'pcm';
  if (code === WAVE_FORMAT_FLOAT && bits === 32) return 'float';
  if (code === WAVE_FORMAT_MULAW && bits === 8) return 'mulaw';
  if (code === WAVE_FORMAT_ALAW && bits === 8) return 'alaw';
  const name = { [WAVE_FORMAT_PCM]: 'PCM', [WAVE_FORMAT_FLOAT]: 'float', [WAVE_FORMAT_ALAW]: 'A-law', [WAVE_FORMAT_MULAW]: 'µ-law' }[code] ?? `format code ${code}`;
  throw new WavError(`unsupported WAV encoding: ${name} with ${bits} bits per sample (use PCM 8/16/24/32-bit, float 32-bit, µ-law or A-law)`);
}

function readChunks(buf: Uint8Array): Chunks {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const tag = (at: number): string => String.fromCharCode(...buf.subarray(at, at + 4));
  if (buf.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new WavError('not a WAV file (no RIFF/WAVE header)');
  let offset = 12;
  let fmt: { code: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  while (offset + 8 <= buf.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new WavError('the fmt chunk is too short');
      let code = view.getUint16(body, true);
      // EXTENSIBLE keeps the real format in the first two bytes of its SubFormat GUID.
      if (code === WAVE_FORMAT_EXTENSIBLE && size >= 40 && body + 26 <= buf.length) code = view.getUint16(body + 24, true);
      fmt = { code, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      // A writer that streamed may leave the size at 0 or too big: take what is there.
      data = buf.subarray(body, size === 0 ? buf.length : Math.min(buf.length, body + size));
      break;
    }
    offset = body + size + (size & 1); // chunks are word-aligned
  }
  if (!fmt) throw new WavError('no fmt chunk: the file is not a complete WAV');
  if (!data) throw new WavError('no data chunk: the file holds no audio');
  if (fmt.channels < 1 || fmt.channels > 8) throw new WavError(`unsupported channel count ${fmt.channels}`);
  // Uploads are held to the rates convert.ts lists; the engine plays any file in this range.
  if (fmt.rate < 1000 || fmt.rate > 192000) throw new WavError(`unsupported sample rate ${fmt.rate} Hz (1000 to 192000)`);
  const encoding = encodingOf(fmt.code, fmt.bits);
  const frameBytes = (fmt.bits / 8) * fmt.channels;
  const frames = Math.floor(data.length / frameBytes);
  return {
    header: { sampleRate: fmt.rate, channels: fmt.channels, bitsPerSample: fmt.bits, encoding, formatCode: fmt.code, frames, durationMs: Math.round((frames * 1000) / fmt.rate) },
    data: data.subarray(0, frames * frameBytes),
  };
}

/** The header only: rate, channels, encoding and duration. Throws WavError. */
export function readWavHeader(buf: Uint8Array): WavHeader {
  return readChunks(buf).header;
}

/** Bytes read to find the header: the chunks before the audio are small. */
const HEADER_PROBE_BYTES = 64 * 1024;

/**
 * The header of a WAV file on disk, its length counted from the file's size:
 * reads only the start, so a long call recording costs nothing to measure.
 */
export async function readWavFileHeader(path: string): Promise<WavHeader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const probe = Buffer.alloc(Math.min(size, HEADER_PROBE_BYTES));
    const { bytesRead } = await file.read(probe, 0, probe.length, 0);
    const head = probe.subarray(0, bytesRead);
    const { header, data } = readChunks(head);
    const dataOffset = data.byteOffset - head.byteOffset;
    const declared = new DataView(head.buffer, head.byteOffset, head.byteLength).getUint32(dataOffset - 4, true);
    const dataBytes = declared === 0 ? size - dataOffset : Math.min(declared, size - dataOffset);
    const frames = Math.floor(dataBytes / ((header.bitsPerSample / 8) * header.channels));
    return { ...header, frames, durationMs: Math.round((frames * 1000) / header.sampleRate) };
  } finally {
    await file.close();
  }
}

/** G.711 µ-law byte to linear (ITU-T G.711), scaled to [-1, 1). */
function ulawToFloat(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return ((u & 0x80) !== 0 ? -magnitude : magnitude) / 32768;
}

function alawToFloat(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  let magnitude = (a & 0x0f) << 4;
  magnitude = exponent === 0 ? magnitude + 8 : (magnitude + 0x108) << (exponent - 1);
  return ((a & 0x80) !== 0 ? magnitude : -magnitude) / 32768;
}

/** Parses and decodes a WAV file's bytes. Throws WavError on anything it cannot read. */
export function decodeWav(buf: Uint8Array): DecodedWav {
  const { header, data } = readChunks(buf);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = header.frames * header.channels;
  const out = new Float32Array(n);
  switch (header.encoding) {
    case 'pcm':
      if (header.bitsPerSample === 8) for (let i = 0; i < n; i++) out[i] = ((data[i] as number) - 128) / 128;
      else if (header.bitsPerSample === 16) for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true) / 32768;
      else if (header.bitsPerSample === 24) {
        for (let i = 0; i < n; i++) {
          const at = i * 3;
          const v = (data[at] as number) | ((data[at + 1] as number) << 8) | ((data[at + 2] as number) << 16);
          out[i] = ((v << 8) >> 8) / 8388608; // sign-extend 24 bits
        }
      } else for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true) / 2147483648;
      break;
    case 'float':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'mulaw':
      for (let i = 0; i < n; i++) out[i] = ulawToFloat(data[i] as number);
      break;
    case 'alaw':
      for (let i = 0; i < n; i++) out[i] = alawToFloat(data[i] as number);
      break;
  }
  return { ...header, samples: out };
}

/** Averages interleaved channels into one. */
export function downmix(samples: Float32Array, channels: number): Float32Array {
  if (channels === 1) return samples;
  const out = new Float32Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c] as number;
    out[i] = sum / channels;
  }
  return out;
}

/** Floats in [-1, 1) to 16-bit, rounded and clipped. */
export function toInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.round((samples[i] as number) * 32768);
    out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
  }
  return out;
}

/** Parses and decodes a WAV file's bytes to 16-bit linear. Throws WavError on anything it cannot read. */
export function decodeWav16(buf: Uint8Array): WavAudio {
  const decoded = decodeWav(buf);
  return { ...decoded, samples: toInt16(decoded.samples) };
}

export async function readWavFile(path: string): Promise<WavAudio> {
  return decodeWav16(await readFile(path));
}

/** Any supported WAV brought to what a G.711 call carries: 8 kHz mono 16-bit. */
export function toTelephonyAudio(wav: WavAudio): Int16Array {
  const floats = Float32Array.from(wav.samples, (v) => v / 32768);
  return toInt16(resample(downmix(floats, wav.channels), wav.sampleRate, TELEPHONY_RATE));
}

/** The same, giving the event loop a turn while resampling: calls' media is paced every 20 ms. */
export async function toTelephonyAudioYielding(wav: WavAudio): Promise<Int16Array> {
  const floats = Float32Array.from(wav.samples, (v) => v / 32768);
  return toInt16(await resampleYielding(downmix(floats, wav.channels), wav.sampleRate, TELEPHONY_RATE));
}

/** Bytes of the canonical header wavHeader writes. */
export const WAV_HEADER_BYTES = 44;

/** The canonical 44-byte header of a 16-bit PCM WAV (channels interleaved) holding `dataBytes` of audio. */
export function wavHeader(opts: { channels: number; sampleRate: number }, dataBytes: number): Buffer {
  const blockAlign = opts.channels * 2;
  const buf = Buffer.alloc(WAV_HEADER_BYTES);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(opts.channels, 22);
  buf.writeUInt32LE(opts.sampleRate, 24);
  buf.writeUInt32LE(opts.sampleRate * blockAlign, 28); // byte rate
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

/** A 16-bit PCM mono WAV (8 kHz unless told) with the canonical 44-byte header. */
export function encodeWav(samples: Int16Array, sampleRate = TELEPHONY_RATE): Buffer {
  const buf = Buffer.alloc(WAV_HEADER_BYTES + samples.length * 2);
  wavHeader({ channels: 1, sampleRate }, samples.length * 2).copy(buf, 0);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] as number, WAV_HEADER_BYTES + i * 2);
  return buf;
}

export async function writeWavFile(path: string, samples: Int16Array, sampleRate = TELEPHONY_RATE): Promise<void> {
  await writeFile(path, encodeWav(samples, sampleRate));
}
