// A single byte Range of a stream whose size is known (browsers' <audio>
// elements seek with it). The stream is read from the start, because an
// encrypted recording decrypts in order; the bytes before the range are
// dropped as they pass.

import { Transform, type Readable } from 'node:stream';

export type RangeAnswer =
  | { kind: 'whole' }
  | { kind: 'part'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/** "bytes=a-b", "bytes=a-" or the last n bytes "bytes=-n"; anything else: the whole file. */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  const range = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!range || (range[1] === '' && range[2] === '')) return { kind: 'whole' };
  const start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start > end || start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'part', start, end };
}

/** The bytes start..end (inclusive) of `source`. */
export function sliceStream(source: NodeJS.ReadableStream, start: number, end: number): Readable {
  let offset = 0;
  const slice = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      if (to > from) this.push(chunk.subarray(from, to));
      done();
    },
  });
  source.on('error', (err: Error) => slice.destroy(err));
  source.pipe(slice);
  return slice;
}
