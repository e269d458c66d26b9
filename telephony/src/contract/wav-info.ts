// Read a WAV file's format and length, enough for the contract suite to check
// a recording's duration whatever engine wrote it.
import { readFile } from 'node:fs/promises';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  durationMs: number;
}

export async function readWavInfo(file: string): Promise<WavInfo> {
  const buf = await readFile(file);
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file}: not a WAV file`);
  }
  let offset = 12;
  let fmt: Omit<WavInfo, 'durationMs'> | undefined;
  let blockAlign = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      fmt = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bitsPerSample: buf.readUInt16LE(body + 14) };
      blockAlign = buf.readUInt16LE(body + 12);
    } else if (id === 'data' && fmt) {
      // A writer that crashed may leave the size unset: count what is there.
      const bytes = Math.min(size, buf.length - body);
      return { ...fmt, durationMs: (bytes / blockAlign / fmt.sampleRate) * 1000 };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}
