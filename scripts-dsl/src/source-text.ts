/**
 * Positions in the XML source: turning string offsets into 1-based line and
 * column, and decoding attribute values while remembering where each decoded
 * character came from, so an error inside an expression points into the file.
 */
import type { Position } from './model.js';

export type Locate = (offset: number) => Position;

/** A function from a string offset to its line and column (both 1-based). */
export function lineLocator(source: string): Locate {
  const lineStarts = [0];
  for (let i = 0; i < source.length; i++) {
    if (source.charCodeAt(i) === 10) lineStarts.push(i + 1);
  }
  return (offset) => {
    // Binary search for the last line start at or before the offset.
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
  };
}

/** A decoded text and, for each decoded character, its offset in the source. */
export interface MappedText {
  value: string;
  /** offsets[i] is the source offset of value[i]; one extra entry marks the end. */
  offsets: number[];
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/**
 * Decode entity and character references in raw XML text starting at
 * `start` in the source. Saxes has already checked well-formedness, so an
 * unknown reference cannot occur here; it is kept verbatim all the same.
 * In attribute values XML turns each tab and line break into a space.
 */
export function decodeXmlText(raw: string, start: number, isAttribute: boolean): MappedText {
  let value = '';
  const offsets: number[] = [];
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i] ?? '';
    if (ch === '&') {
      const semi = raw.indexOf(';', i);
      const name = semi > i ? raw.slice(i + 1, semi) : '';
      const decoded = decodeReference(name);
      if (decoded !== undefined) {
        for (const c of decoded) {
          value += c;
          offsets.push(start + i);
        }
        i = semi + 1;
        continue;
      }
    }
    if (ch === '\r' && raw[i + 1] === '\n') {
      i++;
      continue;
    }
    value += isAttribute && (ch === '\t' || ch === '\n' || ch === '\r') ? ' ' : ch;
    offsets.push(start + i);
    i++;
  }
  offsets.push(start + raw.length);
  return { value, offsets };
}

function decodeReference(name: string): string | undefined {
  if (name.startsWith('#x')) return fromCodePoint(Number.parseInt(name.slice(2), 16));
  if (name.startsWith('#')) return fromCodePoint(Number.parseInt(name.slice(1), 10));
  return NAMED_ENTITIES[name];
}

function fromCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** A locator for offsets into a mapped text, in terms of the source file. */
export function locateIn(text: MappedText, locate: Locate): (index: number) => Position {
  return (index) => {
    const clamped = Math.max(0, Math.min(index, text.offsets.length - 1));
    return locate(text.offsets[clamped] ?? 0);
  };
}
