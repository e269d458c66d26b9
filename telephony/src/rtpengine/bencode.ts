// Bencode, the encoding of rtpengine's ng control protocol: integers `i42e`,
// byte strings `4:spam`, lists `l…e`, dictionaries `d…e`. Replies come from a
// UDP socket, so decoding is strict and bounded: a malformed, truncated,
// oversized or too deeply nested input is a BencodeError, never a crash or an
// unbounded allocation. Strings are UTF-8 (SDP, call ids, tags and flags are
// all text in the ng protocol).

export type BencodeValue = string | number | BencodeValue[] | BencodeDict;
export interface BencodeDict { readonly [key: string]: BencodeValue }

export class BencodeError extends Error {
  constructor(message: string) {
    super(`bencode: ${message}`);
    this.name = 'BencodeError';
  }
}

/** Limits on what decode accepts; the defaults fit any ng reply (a UDP datagram). */
export interface DecodeLimits {
  /** Longest input accepted, in bytes. Default 65,535 (one UDP datagram). */
  readonly maxBytes?: number;
  /** Deepest nesting of lists and dictionaries. Default 32. */
  readonly maxDepth?: number;
}

const COLON = 0x3a;
const LOWER_E = 0x65;
const LOWER_I = 0x69;
const LOWER_L = 0x6c;
const LOWER_D = 0x64;
const ZERO = 0x30;
const NINE = 0x39;

/** Encodes a value; dictionary keys are written in sorted order, as bencode requires. */
export function encode(value: BencodeValue): Buffer {
  const parts: Buffer[] = [];
  write(value, parts, 0);
  return Buffer.concat(parts);
}

function write(value: BencodeValue, parts: Buffer[], depth: number): void {
  if (depth > 64) throw new BencodeError('value nested too deeply to encode');
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    parts.push(Buffer.from(`${bytes.length}:`, 'latin1'), bytes);
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new BencodeError(`cannot encode ${value}: only safe integers`);
    parts.push(Buffer.from(`i${value}e`, 'latin1'));
  } else if (Array.isArray(value)) {
    parts.push(Buffer.from('l', 'latin1'));
    for (const item of value) write(item, parts, depth + 1);
    parts.push(Buffer.from('e', 'latin1'));
  } else {
    parts.push(Buffer.from('d', 'latin1'));
    const keys = Object.keys(value).sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    for (const key of keys) {
      const item = value[key];
      if (item === undefined) continue;
      write(key, parts, depth + 1);
      write(item, parts, depth + 1);
    }
    parts.push(Buffer.from('e', 'latin1'));
  }
}

/** Decodes exactly one value filling the whole input. */
export function decode(input: Buffer, limits: DecodeLimits = {}): BencodeValue {
  const maxBytes = limits.maxBytes ?? 65_535;
  if (input.length > maxBytes) throw new BencodeError(`input of ${input.length} bytes exceeds ${maxBytes}`);
  if (input.length === 0) throw new BencodeError('empty input');
  const reader = new Reader(input, limits.maxDepth ?? 32);
  const value = reader.value(0);
  if (reader.pos !== input.length) throw new BencodeError(`${input.length - reader.pos} bytes after the value`);
  return value;
}

class Reader {
  pos = 0;
  constructor(private readonly input: Buffer, private readonly maxDepth: number) {}

  value(depth: number): BencodeValue {
    if (depth > this.maxDepth) throw new BencodeError(`nested deeper than ${this.maxDepth}`);
    const byte = this.peek();
    if (byte === LOWER_I) return this.integer();
    if (byte === LOWER_L) return this.list(depth);
    if (byte === LOWER_D) return this.dict(depth);
    if (byte >= ZERO && byte <= NINE) return this.string();
    throw new BencodeError(`unexpected byte 0x${byte.toString(16)} at ${this.pos}`);
  }

  private peek(): number {
    const byte = this.input[this.pos];
    if (byte === undefined) throw new BencodeError('truncated input');
    return byte;
  }

  /** Digits up to `end`, with an optional leading minus; no leading zeros, no "-0". */
  private digits(end: number, signed: boolean): number {
    const start = this.pos;
    const stop = this.input.indexOf(end, start);
    if (stop < 0) throw new BencodeError('truncated input');
    const text = this.input.toString('latin1', start, stop);
    const pattern = signed ? /^(0|-?[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)$/;
    if (!pattern.test(text) || text.length > 17) throw new BencodeError(`bad number "${text.slice(0, 20)}" at ${start}`);
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new BencodeError(`number ${text} out of range`);
    this.pos = stop + 1;
    return value;
  }

  private integer(): number {
    this.pos++;
    return this.digits(LOWER_E, true);
  }

  private string(): string {
    const length = this.digits(COLON, false);
    if (length > this.input.length - this.pos) throw new BencodeError(`string of ${length} bytes runs past the input`);
    const text = this.input.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  private list(depth: number): BencodeValue[] {
    this.pos++;
    const items: BencodeValue[] = [];
    while (this.peek() !== LOWER_E) items.push(this.value(depth + 1));
    this.pos++;
    return items;
  }

  private dict(depth: number): BencodeDict {
    this.pos++;
    // A null-prototype object: a key such as "__proto__" is a plain key, never a prototype.
    const entries: Record<string, BencodeValue> = Object.create(null) as Record<string, BencodeValue>;
    while (this.peek() !== LOWER_E) {
      const at = this.pos;
      const keyByte = this.peek();
      if (keyByte < ZERO || keyByte > NINE) throw new BencodeError(`dictionary key at ${at} is not a string`);
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(entries, key)) throw new BencodeError(`duplicate key "${key}" at ${at}`);
      entries[key] = this.value(depth + 1);
    }
    this.pos++;
    return entries;
  }
}

export function isDict(value: BencodeValue | undefined): value is BencodeDict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
