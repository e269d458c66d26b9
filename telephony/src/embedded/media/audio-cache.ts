// Prompts and music decoded once per file: they are played again and again.

import { stat } from 'node:fs/promises';
import { readWavFile, toTelephonyAudioYielding } from '../../audio/index.js';

/** Decodes WAV files to telephony audio once per path (prompts are played again and again). */
export class AudioCache {
  private readonly entries = new Map<string, { version: string; audio: Promise<Int16Array> }>();

  /**
   * The decoded audio of a WAV file. A file replaced since it was cached (an
   * admin uploaded a new version of a prompt) is read again: the cache is
   * keyed by path, size and modification time, at the cost of one stat().
   */
  async load(path: string): Promise<Int16Array> {
    const info = await stat(path);
    const version = `${info.size}:${info.mtimeMs}`;
    let entry = this.entries.get(path);
    if (!entry || entry.version !== version) {
      const audio = readWavFile(path).then(toTelephonyAudioYielding);
      entry = { version, audio };
      // A failed read is not cached: the file may appear later. The caller
      // gets the failure through the promise returned below.
      audio.catch(() => {
        if (this.entries.get(path)?.audio === audio) this.entries.delete(path);
      });
      this.entries.set(path, entry);
    }
    return entry.audio;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
