// A stereo 8 kHz 16-bit WAV with a different tone on each side: the shape of
// a call recording, for the recordings-at-rest tests.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';

export function stereoWav(seconds: number, leftHz = 440, rightHz = 1000): Buffer {
  const rate = 8000;
  const frames = Math.round(seconds * rate);
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) {
    data.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * leftHz * i) / rate)), i * 4);
    data.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * rightHz * i) / rate)), i * 4 + 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(2, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 4, 28);
  header.writeUInt16LE(4, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** Writes a key file (mode 0600) with the given ids, the last one current; returns the keys. */
export function writeKeyFile(file: string, ids: readonly string[], currentId = ids[ids.length - 1]): Map<string, string> {
  const keys = new Map(ids.map((id) => [id, randomBytes(32).toString('base64')]));
  const lines = [...keys].map(([id, key]) => JSON.stringify(id === currentId && ids.length > 1 ? { id, key, current: true } : { id, key }));
  writeFileSync(file, `# test keys\n${lines.join('\n')}\n`, { mode: 0o600 });
  return keys;
}

/** True when `haystack` contains any `window`-byte run of `needle` taken every `step` bytes. */
export function containsRunOf(haystack: Buffer, needle: Buffer, window = 32, step = 997): boolean {
  for (let at = 0; at + window <= needle.length; at += step) {
    if (haystack.includes(needle.subarray(at, at + window))) return true;
  }
  return false;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part));
  return Buffer.concat(parts);
}
