// A recording's waveform for the player: the WAV read as a stream (through the
// vault, so encrypted files work the same) and folded into `points` buckets,
// each holding the peak magnitude (0..1) of each channel over its span of the
// file: left = the customer, right = what the customer hears (the agent).
// Only the chunk in hand and the buckets are held, whatever the file's length.

import { TenorError } from '../../core/errors.js';

export interface Waveform {
  durationMs: number;
  sampleRate: number;
  channels: 2;
  /** How many buckets each channel has. */
  points: number;
  /** Peak magnitude per bucket, 0..1: the customer. */
  left: number[];
  /** Peak magnitude per bucket, 0..1: the agent (what the customer hears). */
  right: number[];
}

export const WAVEFORM_POINTS = { min: 100, max: 4000, default: 1000 } as const;

/** The chunks before the audio are small; a file whose header runs past this is not one Tenor wrote. */
const HEADER_LIMIT = 64 * 1024;
const FRAME_BYTES = 4; // 16-bit stereo

interface Layout {
  sampleRate: number;
  /** Where the samples start. */
  dataOffset: number;
  /** Frames of audio in the file. */
  frames: number;
}

/**
 * The layout of a call recording from the start of its file: 16-bit PCM
 * stereo (what the engines write), a data chunk whose declared size may be 0
 * or too large when the writer streamed it (then the file's size counts).
 * Undefined: the header is not all here yet.
 */
function layoutOf(head: Buffer, fileBytes: number, file: string): Layout | undefined {
  const damaged = (why: string) => new TenorError('TENOR_ERR_RECORDING_DAMAGED', [file, why]);
  if (head.length < 12) return undefined;
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') throw damaged('it is not a WAV file');
  let offset = 12;
  let format: { code: number; channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= head.length) {
    const id = head.toString('latin1', offset, offset + 4);
    const size = head.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw damaged('the data chunk comes before the fmt chunk');
      const declared = size === 0 ? Infinity : size;
      const dataBytes = Math.max(0, Math.min(declared, fileBytes - body));
      return { sampleRate: format.rate, dataOffset: body, frames: Math.floor(dataBytes / FRAME_BYTES) };
    }
    if (id === 'fmt ') {
      if (body + 16 > head.length) return undefined;
      format = { code: head.readUInt16LE(body), channels: head.readUInt16LE(body + 2), rate: head.readUInt32LE(body + 4), bits: head.readUInt16LE(body + 14) };
      if (format.code !== 1 || format.channels !== 2 || format.bits !== 16 || format.rate < 1000) {
        throw damaged(`a call recording is 16-bit PCM stereo; this is format ${format.code}, ${format.channels} channels, ${format.bits} bits at ${format.rate} Hz`);
      }
    }
    offset = body + size + (size & 1); // chunks are word-aligned
  }
  if (head.length >= HEADER_LIMIT) throw damaged('no data chunk in its first 64 KiB');
  return undefined;
}

/**
 * Folds a recording's WAV (as the vault streams it: `size` is the WAV's byte
 * count) into `points` buckets of per-channel peaks. `file` names it in errors.
 */
export async function waveformOf(wav: AsyncIterable<Buffer | Uint8Array> & { size: number }, points: number, file: string): Promise<Waveform> {
  const left = new Float32Array(points);
  const right = new Float32Array(points);
  let head: Buffer = Buffer.alloc(0);
  let layout: Layout | undefined;
  let frame = 0; // the next frame's index in the file
  let bucket = 0;
  let bucketEnd = 0; // the first frame of the next bucket
  let carry: Buffer = Buffer.alloc(0); // a frame split between two chunks
  let peakL = 0;
  let peakR = 0;

  const fold = (bytes: Buffer): void => {
    if (!layout) return;
    const usable = Math.min(bytes.length - (bytes.length % FRAME_BYTES), (layout.frames - frame) * FRAME_BYTES);
    if (usable <= 0) return;
    // An Int16Array needs an even offset: a chunk that starts odd is copied once.
    const aligned = bytes.byteOffset % 2 === 0 ? bytes : Buffer.from(bytes.subarray(0, usable));
    const samples = new Int16Array(aligned.buffer, aligned.byteOffset, usable / 2);
    for (let i = 0; i < samples.length; i += 2) {
      while (frame >= bucketEnd) {
        if (bucket > 0) { left[bucket - 1] = peakL; right[bucket - 1] = peakR; }
        peakL = 0; peakR = 0;
        bucket += 1;
        bucketEnd = Math.floor((bucket * layout.frames) / points);
      }
      const l = Math.abs(samples[i] as number);
      const r = Math.abs(samples[i + 1] as number);
      if (l > peakL) peakL = l;
      if (r > peakR) peakR = r;
      frame += 1;
    }
  };

  for await (const part of wav) {
    let chunk = Buffer.isBuffer(part) ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    if (!layout) {
      head = Buffer.concat([head, chunk]);
      layout = layoutOf(head, wav.size, file);
      if (!layout) continue;
      chunk = head.subarray(layout.dataOffset);
    }
    if (carry.length > 0) {
      const need = FRAME_BYTES - carry.length;
      carry = Buffer.concat([carry, chunk.subarray(0, need)]);
      chunk = chunk.subarray(need);
      if (carry.length === FRAME_BYTES) { fold(carry); carry = Buffer.alloc(0); }
    }
    const whole = chunk.length - (chunk.length % FRAME_BYTES);
    fold(chunk.subarray(0, whole));
    if (whole < chunk.length) carry = Buffer.from(chunk.subarray(whole));
    if (frame >= layout.frames) break;
  }
  if (!layout) throw new TenorError('TENOR_ERR_RECORDING_DAMAGED', [file, 'it ends inside its header']);
  if (bucket > 0) { left[bucket - 1] = peakL; right[bucket - 1] = peakR; }

  const scale = (peaks: Float32Array): number[] => Array.from(peaks, (p) => Math.round((p / 32768) * 1000) / 1000);
  return {
    durationMs: Math.round((layout.frames * 1000) / layout.sampleRate), sampleRate: layout.sampleRate, channels: 2, points, left: scale(left), right: scale(right),
  };
}
