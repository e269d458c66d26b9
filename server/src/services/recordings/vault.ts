// Recordings at rest. The engine writes a call's WAV to `<root>/incoming/`;
// when it is finished the vault files it under `<root>/YYYY/MM/DD/` (the UTC
// date the recording started), encrypted with the key file's current key when
// one is configured (vault-format.ts), and gives the WAV back as a stream for
// playback, download and export. Every path the vault takes from outside is
// checked against the shape it makes, so a stored path from a changed database
// row cannot reach a file outside the recordings folder.

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { TenorError } from '../../core/errors.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../../core/private-files.js';
import { encryptedFileBytes, isEncryptedRecording, readDecrypted, readHeader, writeEncrypted } from './vault-format.js';
import { loadRecordingKeys, type RecordingKeyRing } from './vault-keys.js';

export interface RecordingVaultOptions {
  /** `<dataDir>/recordings` */
  root: string;
  /** Encryption at rest: the key file (see docs/recording-at-rest.md) or undefined for plain WAV files. */
  keyFile?: string;
}

export interface StoredRecording {
  /** Relative to the root, `YYYY/MM/DD/<id>.wav` (plain) or `YYYY/MM/DD/<id>.wav.enc` (encrypted). */
  path: string;
  /** The key that encrypted the file; null: a plain WAV. */
  keyId: string | null;
  /** The WAV's size: what a download of it gives (the encrypted file is a little larger). */
  bytes: number;
}

/** The vault's options from the site file: `<dataDir>/recordings`, the key file relative to the site file's folder. */
export function recordingVaultOptions(dataDir: string, baseDir: string, encryption?: { keyFile: string }): RecordingVaultOptions {
  return {
    root: path.join(dataDir, 'recordings'),
    ...(encryption !== undefined ? { keyFile: path.resolve(baseDir, encryption.keyFile) } : {}),
  };
}

const RECORDING_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STORED_PATH = /^\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9_-]{1,64}\.wav(\.enc)?$/;
const INCOMING = 'incoming';

export class RecordingVault {
  readonly #root: string;
  readonly #keyFile: string | undefined;
  #keys: RecordingKeyRing | undefined;
  #opened = false;

  constructor(opts: RecordingVaultOptions) {
    this.#root = path.resolve(opts.root);
    this.#keyFile = opts.keyFile;
  }

  /** Loads keys; throws a clear error (TENOR_ERR_RECORDING_KEY) for an unreadable/invalid key file. */
  async open(): Promise<void> {
    if (this.#keyFile !== undefined) this.#keys = await loadRecordingKeys(this.#keyFile);
    ensurePrivateDir(this.#root);
    ensurePrivateDir(path.join(this.#root, INCOMING));
    this.#opened = true;
  }

  /** The id of the key new recordings are encrypted with; null when recordings are stored plain. */
  get currentKeyId(): string | null {
    return this.#keys?.current.id ?? null;
  }

  /** Where the engine writes a recording in progress: `<root>/incoming/<id>.wav` (folder created). */
  incomingPath(id: string): string {
    checkId(id);
    const folder = path.join(this.#root, INCOMING);
    ensurePrivateDir(folder);
    return path.join(folder, `${id}.wav`);
  }

  /**
   * Moves a finished WAV under `<root>/YYYY/MM/DD/` (date of `startedAt`, UTC), encrypting it
   * when a key is configured, removes the incoming file, and returns the stored path
   * (relative to root), the key id used (null: plain) and the WAV's size.
   */
  async store(id: string, startedAt: Date): Promise<StoredRecording> {
    this.#checkOpen();
    const incoming = this.incomingPath(id);
    const info = await stat(incoming);
    const day = dayFolder(startedAt);
    ensurePrivateDir(path.join(this.#root, day));
    const keys = this.#keys;
    if (!keys) {
      const relative = `${day}/${id}.wav`;
      await rename(incoming, this.#absolute(relative));
      return { path: relative, keyId: null, bytes: info.size };
    }
    const relative = `${day}/${id}.wav.enc`;
    await this.#writeEncryptedFile(relative, fileChunks(incoming), info.size);
    await unlink(incoming);
    return { path: relative, keyId: keys.current.id, bytes: info.size };
  }

  /** The WAV bytes of a stored recording (decrypted), as a stream, for playback/download. */
  async read(stored: string): Promise<Readable & { size: number }> {
    this.#checkOpen();
    const file = this.#absolute(stored);
    const handle = await open(file, 'r');
    try {
      const start = Buffer.alloc(8);
      await handle.read(start, 0, start.length, 0);
      if (!isEncryptedRecording(start)) {
        const { size } = await handle.stat();
        await handle.close();
        return Object.assign(createReadStream(file), { size });
      }
      const header = await readHeader(handle, stored);
      const key = this.#keys?.byId.get(header.keyId);
      if (!key) {
        throw new TenorError('TENOR_ERR_RECORDING_KEY', [
          this.#keyFile === undefined
            ? `${stored} is encrypted with key '${header.keyId}' but no key file is configured (recording.encryption.keyFile)`
            : `${stored} is encrypted with key '${header.keyId}', which ${this.#keyFile} does not have`,
        ]);
      }
      const { size } = await handle.stat();
      if (size !== encryptedFileBytes(header)) {
        throw new TenorError('TENOR_ERR_RECORDING_DAMAGED', [stored, `it is ${size} bytes; its header says ${encryptedFileBytes(header)}`]);
      }
      const stream = Readable.from(readDecrypted(handle, header, key, stored), { objectMode: false });
      // 'close' comes after the end, an error or a reader dropping the stream (even before its first read).
      stream.once('close', () => void handle.close().catch(() => undefined));
      return Object.assign(stream, { size: header.plainBytes });
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Deletes a stored recording's file (retention, erasure). Missing file: no error. */
  async remove(stored: string): Promise<void> {
    const file = this.#absolute(stored);
    try {
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  /**
   * Encrypts a stored recording again with the current key (a plain one is
   * encrypted for the first time), replacing the file only once the new one is
   * complete. Returns the new location and key, or undefined when the file
   * already uses the current key. A plain file gets a new path (`.wav.enc`);
   * the plain one is left for the caller to remove once nothing points to it.
   */
  async rekey(stored: string): Promise<StoredRecording | undefined> {
    this.#checkOpen();
    const keys = this.#keys;
    if (!keys) throw new TenorError('TENOR_ERR_RECORDING_KEY', ['no key file is configured (recording.encryption.keyFile), so there is no key to encrypt with']);
    const old = this.#absolute(stored);
    const handle = await open(old, 'r');
    let usesCurrent: boolean;
    try {
      const start = Buffer.alloc(8);
      await handle.read(start, 0, start.length, 0);
      usesCurrent = isEncryptedRecording(start) && (await readHeader(handle, stored)).keyId === keys.current.id;
    } finally {
      await handle.close();
    }
    if (usesCurrent) return undefined;
    const plain = await this.read(stored);
    const relative = stored.endsWith('.enc') ? stored : `${stored}.enc`;
    await this.#writeEncryptedFile(relative, plain as AsyncIterable<Buffer>, plain.size);
    return { path: relative, keyId: keys.current.id, bytes: plain.size };
  }

  /** Writes beside the destination, then renames over it: a reader never sees half a file. */
  async #writeEncryptedFile(relative: string, source: AsyncIterable<Buffer>, plainBytes: number): Promise<void> {
    const keys = this.#keys as RecordingKeyRing;
    const destination = this.#absolute(relative);
    const temporary = `${destination}.${randomBytes(6).toString('hex')}.tmp`;
    const out = await open(temporary, 'wx', PRIVATE_FILE_MODE);
    try {
      await writeEncrypted(out, source, plainBytes, keys.current);
      await out.sync();
      await out.close();
      await rename(temporary, destination);
    } catch (err) {
      await out.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
      throw err;
    }
  }

  #absolute(stored: string): string {
    if (!STORED_PATH.test(stored)) throw new TenorError('TENOR_ERR_VALIDATION', [`'${stored}' is not a stored recording's path`]);
    return path.join(this.#root, stored);
  }

  #checkOpen(): void {
    if (!this.#opened) throw new TenorError('TENOR_ERR_INTERNAL', ['the recording vault was used before open()']);
  }
}

function checkId(id: string): void {
  if (!RECORDING_ID.test(id)) throw new TenorError('TENOR_ERR_VALIDATION', [`'${id}' is not a recording id (1 to 64 letters, digits, '_' or '-')`]);
}

/** `YYYY/MM/DD` of a date in UTC. */
function dayFolder(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new TenorError('TENOR_ERR_VALIDATION', ['the recording has no valid start time']);
  const iso = at.toISOString();
  return `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`;
}

async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  for await (const piece of createReadStream(file)) yield piece as Buffer;
}


