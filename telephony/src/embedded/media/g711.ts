// G.711 µ-law (PCMU, PT 0) and A-law (PCMA, PT 8), by lookup tables built once
// at load from the reference algorithms (ITU-T G.711, as in Sun's g711.c).
// Encoding uses a 64 Ki-entry table per law indexed by the 16-bit sample, so
// a frame costs one array read per sample.

const ULAW_BIAS = 0x84;
const ULAW_CLIP = 32635;

function ulawEncodeSample(sample: number): number {
  let pcm = sample;
  const sign = pcm < 0 ? 0x80 : 0;
  if (sign) pcm = -pcm;
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP;
  pcm += ULAW_BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (pcm >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

function ulawDecodeSample(byte: number): number {
  const u = ~byte & 0xff;
  let t = ((u & 0x0f) << 3) + ULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? ULAW_BIAS - t : t - ULAW_BIAS;
}

const ALAW_SEG_END = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff];

function alawEncodeSample(sample: number): number {
  let pcm = sample >> 3; // A-law works on 13 bits
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  let seg = 0;
  while (seg < 8 && pcm > (ALAW_SEG_END[seg] as number)) seg++;
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (pcm >> 1) & 0x0f : (pcm >> seg) & 0x0f;
  return aval ^ mask;
}

function alawDecodeSample(byte: number): number {
  const a = byte ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

function buildEncodeTable(encode: (s: number) => number): Uint8Array {
  const table = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) table[i] = encode(i < 32768 ? i : i - 65536);
  return table;
}

function buildDecodeTable(decode: (b: number) => number): Int16Array {
  const table = new Int16Array(256);
  for (let i = 0; i < 256; i++) table[i] = decode(i);
  return table;
}

const ULAW_ENCODE = buildEncodeTable(ulawEncodeSample);
const ALAW_ENCODE = buildEncodeTable(alawEncodeSample);
const ULAW_DECODE = buildDecodeTable(ulawDecodeSample);
const ALAW_DECODE = buildDecodeTable(alawDecodeSample);

function buildTranscodeTable(decode: Int16Array, encode: Uint8Array): Uint8Array {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) table[i] = encode[(decode[i] as number) & 0xffff] as number;
  return table;
}

const ULAW_TO_ALAW = buildTranscodeTable(ULAW_DECODE, ALAW_ENCODE);
const ALAW_TO_ULAW = buildTranscodeTable(ALAW_DECODE, ULAW_ENCODE);

function encodeWith(table: Uint8Array, pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = table[(pcm[i] as number) & 0xffff] as number;
  return out;
}

function decodeWith(table: Int16Array, bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
  return out;
}

function decodeIntoWith(table: Int16Array, bytes: Uint8Array, out: Int16Array, offset: number): void {
  for (let i = 0; i < bytes.length; i++) out[offset + i] = table[bytes[i] as number] as number;
}

function mapWith(table: Uint8Array, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i] as number] as number;
  return out;
}

export const encodeUlaw = (pcm: Int16Array): Uint8Array => encodeWith(ULAW_ENCODE, pcm);
export const decodeUlaw = (bytes: Uint8Array): Int16Array => decodeWith(ULAW_DECODE, bytes);
export const encodeAlaw = (pcm: Int16Array): Uint8Array => encodeWith(ALAW_ENCODE, pcm);
export const decodeAlaw = (bytes: Uint8Array): Int16Array => decodeWith(ALAW_DECODE, bytes);
export const ulawToAlaw = (bytes: Uint8Array): Uint8Array => mapWith(ULAW_TO_ALAW, bytes);
export const alawToUlaw = (bytes: Uint8Array): Uint8Array => mapWith(ALAW_TO_ULAW, bytes);

export type G711Name = 'PCMU' | 'PCMA';

/** A G.711 codec as negotiated on a leg (static payload types 0 and 8, RFC 3551). */
export interface G711Codec {
  readonly name: G711Name;
  readonly payloadType: 0 | 8;
  readonly clockRate: 8000;
  /** The payload byte for digital silence. */
  readonly silenceByte: number;
  encode(pcm: Int16Array): Uint8Array;
  decode(payload: Uint8Array): Int16Array;
  /** Decodes into `out` at `offset` without allocating (out must have room). */
  decodeInto(payload: Uint8Array, out: Int16Array, offset: number): void;
}

export const PCMU: G711Codec = {
  name: 'PCMU',
  payloadType: 0,
  clockRate: 8000,
  silenceByte: 0xff,
  encode: encodeUlaw,
  decode: decodeUlaw,
  decodeInto: (bytes, out, offset) => decodeIntoWith(ULAW_DECODE, bytes, out, offset),
};

export const PCMA: G711Codec = {
  name: 'PCMA',
  payloadType: 8,
  clockRate: 8000,
  silenceByte: 0xd5,
  encode: encodeAlaw,
  decode: decodeAlaw,
  decodeInto: (bytes, out, offset) => decodeIntoWith(ALAW_DECODE, bytes, out, offset),
};

/** The G.711 codec for a payload type, or undefined for any other type. */
export function g711ForPayloadType(pt: number): G711Codec | undefined {
  if (pt === 0) return PCMU;
  if (pt === 8) return PCMA;
  return undefined;
}

/** Converts a payload from one G.711 law to another (a copy when they are the same). */
export function transcodeG711(payload: Uint8Array, from: G711Codec, to: G711Codec): Uint8Array {
  if (from === to) return payload;
  return from.name === 'PCMU' ? ulawToAlaw(payload) : alawToUlaw(payload);
}
