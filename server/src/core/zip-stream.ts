// A ZIP archive written as a stream, for exports that carry audio files too
// large to hold in memory. Small entries (JSON) are deflated whole; streamed
// entries (WAV audio, which deflate barely shrinks) are stored as they come,
// their CRC and size following them in a data descriptor, so nothing is read
// twice. Readers (unzip, Python, Windows) take sizes from the central
// directory at the end. No ZIP64: an archive stops with an error before it
// would pass 4 GiB, rather than writing one a reader cannot open.

import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  /** Path in the archive, '/'-separated, no leading '/' or '..'. */
  name: string;
  /** Whole bytes (deflated) or a stream of them (stored). */
  data: Buffer | (() => AsyncIterable<Buffer>);
  modified?: Date;
}

const LIMIT = 0xffff_ffff;
const UTF8_NAMES = 0x0800;
const HAS_DESCRIPTOR = 0x0008;

interface Written {
  name: Buffer;
  flags: number;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

function dosTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getUTCFullYear());
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

function checkName(name: string): Buffer {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.split('/').some((part) => part === '..' || part === '')) {
    throw new Error(`'${name}' cannot be a path in a zip archive`);
  }
  return Buffer.from(name, 'utf8');
}

function localHeader(e: Omit<Written, 'offset'>): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(e.flags, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.time, 10);
  h.writeUInt16LE(e.date, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.compressed, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(e.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, e.name]);
}

function centralHeader(e: Written): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(e.flags, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(e.time, 12);
  h.writeUInt16LE(e.date, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.compressed, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(e.name.length, 28);
  // extra, comment, disk, internal attributes: 0; external attributes: a 0600 file
  h.writeUInt32LE((0o100600 << 16) >>> 0, 38);
  h.writeUInt32LE(e.offset, 42);
  return Buffer.concat([h, e.name]);
}

/** The archive's bytes, entry by entry; `entries` is read lazily, so audio streams open one at a time. */
export async function* zipStream(entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>): AsyncGenerator<Buffer> {
  const written: Written[] = [];
  let offset = 0;
  const room = (bytes: number): void => {
    if (offset + bytes > LIMIT) throw new Error('the archive would pass 4 GiB, which this writer does not support');
  };
  for await (const entry of entries) {
    const name = checkName(entry.name);
    const { time, date } = dosTime(entry.modified ?? new Date());
    if (Buffer.isBuffer(entry.data)) {
      const body = deflateRawSync(entry.data);
      const e = { name, flags: UTF8_NAMES, method: 8, time, date, crc: crc32(entry.data), compressed: body.length, size: entry.data.length };
      const header = localHeader(e);
      room(header.length + body.length);
      written.push({ ...e, offset });
      offset += header.length + body.length;
      yield header;
      yield body;
      continue;
    }
    const e = { name, flags: UTF8_NAMES | HAS_DESCRIPTOR, method: 0, time, date, crc: 0, compressed: 0, size: 0 };
    const header = localHeader(e);
    const start = offset;
    room(header.length);
    offset += header.length;
    yield header;
    let crc = 0;
    let size = 0;
    for await (const piece of entry.data()) {
      room(piece.length + 16);
      crc = crc32(piece, crc);
      size += piece.length;
      offset += piece.length;
      yield piece;
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    offset += descriptor.length;
    yield descriptor;
    written.push({ ...e, crc, compressed: size, size, offset: start });
  }
  if (written.length > 0xffff) throw new Error('the archive would have more than 65535 entries');
  const central = Buffer.concat(written.map(centralHeader));
  room(central.length + 22);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(written.length, 8);
  end.writeUInt16LE(written.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  yield central;
  yield end;
}
