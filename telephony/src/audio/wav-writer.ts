// A 16-bit PCM WAV written as it goes, for recordings that may last an hour:
// the header goes first with empty sizes, audio is appended as it comes, and
// finish() patches the sizes in. A file cut short (a crash) still reads: the
// reader in wav.ts takes a data size of 0 as "up to the end of the file".

import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { WAV_HEADER_BYTES as HEADER_BYTES, wavHeader } from './wav.js';

export interface WavWriterOptions {
  channels: number;
  sampleRate: number;
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
