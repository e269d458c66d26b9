// The encrypted recording file, version 1. A recording can be an hour long,
// so it is encrypted in chunks that are written and read one at a time:
//
//   header  "TNRREC" | version (1 byte, 1) | key id length (1 byte) | key id (UTF-8)
//           | salt (16 bytes) | chunk size (u32 BE) | WAV size (u64 BE)
//   chunks  ceil(WAV size / chunk size) of them (at least one): AES-256-GCM
//           ciphertext of `chunk size` bytes (the last one shorter) + 16-byte tag
//
// Each file gets its own key, HKDF-SHA256(the named key, salt), so the chunk
// nonce can simply be the chunk's index (never reused under one file key).
// Every chunk authenticates the whole header as associated data, and its index
// through the nonce: a chunk moved, a header field changed (key id, size) or a
// file cut short at a chunk boundary (the size says how many chunks there
// must be) fails the check instead of playing something else.

import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { TenorError } from '../../core/errors.js';

const MAGIC = Buffer.from('TNRREC', 'latin1');
const VERSION = 1;
const SALT_BYTES = 16;
const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const HKDF_INFO = Buffer.from('tenor recording v1', 'utf8');
export const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface EncryptedHeader {
  keyId: string;
  salt: Buffer;
  chunkBytes: number;
  plainBytes: number;
  /** The header as written: every chunk's associated data. */
  raw: Buffer;
}

/** True when `start` (the first bytes of a file) begins an encrypted recording. */
export function isEncryptedRecording(start: Buffer): boolean {
  return start.length >= MAGIC.length && start.subarray(0, MAGIC.length).equals(MAGIC);
}

function fileKey(key: Buffer, salt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, HKDF_INFO, 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(NONCE_BYTES);
  n.writeBigUInt64BE(BigInt(index), NONCE_BYTES - 8);
  return n;
}

function chunkCount(header: Pick<EncryptedHeader, 'plainBytes' | 'chunkBytes'>): number {
  return Math.max(1, Math.ceil(header.plainBytes / header.chunkBytes));
}

/** The size of the encrypted file for a header: what a reader checks against the file's size. */
export function encryptedFileBytes(header: EncryptedHeader): number {
  return header.raw.length + header.plainBytes + chunkCount(header) * TAG_BYTES;
}

function makeHeader(keyId: string, plainBytes: number, chunkBytes: number): EncryptedHeader {
  const id = Buffer.from(keyId, 'utf8');
  const salt = randomBytes(SALT_BYTES);
  const fixed = Buffer.alloc(4 + 8);
  fixed.writeUInt32BE(chunkBytes, 0);
  fixed.writeBigUInt64BE(BigInt(plainBytes), 4);
  const raw = Buffer.concat([MAGIC, Buffer.from([VERSION, id.length]), id, salt, fixed]);
  return { keyId, salt, chunkBytes, plainBytes, raw };
}

/**
 * Encrypts `plainBytes` bytes from `source` into `out` (written from offset 0).
 * The source must yield exactly that many bytes: a recording that changed size
 * while being stored is an error, not a silently short file.
 */
export async function writeEncrypted(
  out: FileHandle,
  source: AsyncIterable<Buffer>,
  plainBytes: number,
  key: { id: string; key: Buffer },
  chunkBytes = DEFAULT_CHUNK_BYTES,
): Promise<void> {
  const header = makeHeader(key.id, plainBytes, chunkBytes);
  const k = fileKey(key.key, header.salt);
  let position = 0;
  const write = async (data: Buffer): Promise<void> => {
    await out.write(data, 0, data.length, position);
    position += data.length;
  };
  await write(header.raw);
  let index = 0;
  let seen = 0;
  const sealChunk = async (plain: Buffer): Promise<void> => {
    const cipher = createCipheriv('aes-256-gcm', k, nonce(index));
    cipher.setAAD(header.raw);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    await write(Buffer.concat([body, cipher.getAuthTag()]));
    index++;
  };
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    seen += piece.length;
    if (seen > plainBytes) throw new Error(`the recording grew while it was stored (more than ${plainBytes} bytes)`);
    pending.push(piece);
    pendingBytes += piece.length;
    while (pendingBytes >= chunkBytes) {
      const all = Buffer.concat(pending);
      await sealChunk(all.subarray(0, chunkBytes));
      const rest = all.subarray(chunkBytes);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    }
  }
  if (seen !== plainBytes) throw new Error(`the recording has ${seen} bytes, ${plainBytes} were expected`);
  // The last, shorter chunk; an empty recording is one empty chunk, so even it is authenticated.
  if (pendingBytes > 0 || index === 0) await sealChunk(Buffer.concat(pending));
}

/** Reads and checks the header at the start of an encrypted file. */
export async function readHeader(file: FileHandle, name: string): Promise<EncryptedHeader> {
  const damaged = (why: string): TenorError => new TenorError('TENOR_ERR_RECORDING_DAMAGED', [name, why]);
  const start = Buffer.alloc(MAGIC.length + 2);
  const { bytesRead } = await file.read(start, 0, start.length, 0);
  if (bytesRead < start.length || !isEncryptedRecording(start)) throw damaged('it does not start with an encrypted recording header');
  const version = start[MAGIC.length];
  if (version !== VERSION) throw damaged(`its format version ${version ?? '?'} is not one this Tenor reads (${VERSION})`);
  const idLength = start[MAGIC.length + 1] ?? 0;
  const restLength = idLength + SALT_BYTES + 12;
  const rest = Buffer.alloc(restLength);
  const more = await file.read(rest, 0, restLength, start.length);
  if (more.bytesRead < restLength) throw damaged('its header is cut short');
  const keyId = rest.subarray(0, idLength).toString('utf8');
  const salt = Buffer.from(rest.subarray(idLength, idLength + SALT_BYTES));
  const chunkBytes = rest.readUInt32BE(idLength + SALT_BYTES);
  const plainBytes = Number(rest.readBigUInt64BE(idLength + SALT_BYTES + 4));
  if (chunkBytes === 0 || !Number.isSafeInteger(plainBytes)) throw damaged('its header is malformed');
  return { keyId, salt, chunkBytes, plainBytes, raw: Buffer.concat([start, rest]) };
}

/**
 * The WAV bytes of an encrypted file, chunk by chunk, each checked before it is
 * given out. A chunk that fails its check ends the stream with
 * TENOR_ERR_RECORDING_DAMAGED naming the chunk.
 */
export async function* readDecrypted(file: FileHandle, header: EncryptedHeader, key: Buffer, name: string): AsyncGenerator<Buffer> {
  const k = fileKey(key, header.salt);
  const chunks = chunkCount(header);
  let position = header.raw.length;
  for (let index = 0; index < chunks; index++) {
    const plainLength = index < chunks - 1 ? header.chunkBytes : header.plainBytes - header.chunkBytes * (chunks - 1);
    const sealed = Buffer.alloc(plainLength + TAG_BYTES);
    const { bytesRead } = await file.read(sealed, 0, sealed.length, position);
    if (bytesRead < sealed.length) throw new TenorError('TENOR_ERR_RECORDING_DAMAGED', [name, `it is cut short in chunk ${index} of ${chunks}`]);
    position += sealed.length;
    const decipher = createDecipheriv('aes-256-gcm', k, nonce(index));
    decipher.setAAD(header.raw);
    decipher.setAuthTag(sealed.subarray(plainLength));
    try {
      yield Buffer.concat([decipher.update(sealed.subarray(0, plainLength)), decipher.final()]);
    } catch (err) {
      throw new TenorError('TENOR_ERR_RECORDING_DAMAGED', [name, `chunk ${index} of ${chunks} failed its integrity check (the file was altered, or key '${header.keyId}' is not the key that encrypted it)`], { cause: err });
    }
  }
}
