// A 16-bit PCM WAV written as it goes, for recordings that may last an hour:
// the header goes first with empty sizes, audio is appended as it comes, and
// finish() patches the sizes in. A file cut short (a crash) still reads: the
// reader in wav.ts takes a data size of 0 as "up to the end of the file".

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { WAVE_FORMAT_PCM } from './wav.js';

const HEADER_BYTES = 44;

export interface WavWriterOptions {
  channels: number;
  sampleRate: number;
}

/** The canonical 44-byte header of a 16-bit PCM WAV holding `dataBytes` of audio. */
export function wavHeader(opts: WavWriterOptions, dataBytes: number): Buffer {
  const blockAlign = opts.channels * 2;
  const buf = Buffer.alloc(HEADER_BYTES);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(opts.channels, 22);
  buf.writeUInt32LE(opts.sampleRate, 24);
  buf.writeUInt32LE(opts.sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  return buf;
}

export class WavFileWriter {
  private readonly opts: WavWriterOptions;
  private readonly file: FileHandle;
  /** Writes run one after another, in order; the chain never rejects (the first error is kept). */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private bytes = 0;
  private finished: Promise<number> | undefined;

  private constructor(file: FileHandle, opts: WavWriterOptions) {
    this.file = file;
    this.opts = opts;
  }

  /** Creates (or truncates) the file and writes its header. Rejects if the file cannot be written. */
  static async create(path: string, opts: WavWriterOptions): Promise<WavFileWriter> {
    const file = await open(path, 'w');
    try {
      await file.write(wavHeader(opts, 0), 0, HEADER_BYTES, 0);
    } catch (err) {
      await file.close();
      throw err;
    }
    return new WavFileWriter(file, opts);
  }

  /** Bytes of audio handed to append() so far. */
  get dataBytes(): number {
    return this.bytes;
  }

  /** The first write error, if any (appends after it are dropped). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Queues interleaved 16-bit little-endian samples; the buffer must not be reused by the caller. */
  append(data: Buffer): void {
    if (this.finished || data.length === 0) return;
    const at = HEADER_BYTES + this.bytes;
    this.bytes += data.length;
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        await this.file.write(data, 0, data.length, at);
      } catch (err) {
        this.failure = err instanceof Error ? err : new Error(String(err));
      }
    });
  }

  /** Waits for the queued writes, patches the sizes, closes. Resolves the data bytes; rejects on a write error. Idempotent. */
  finish(): Promise<number> {
    this.finished ??= (async () => {
      await this.chain;
      try {
        if (!this.failure) await this.file.write(wavHeader(this.opts, this.bytes), 0, HEADER_BYTES, 0);
      } finally {
        await this.file.close();
      }
      if (this.failure) throw this.failure;
      return this.bytes;
    })();
    return this.finished;
  }
}
