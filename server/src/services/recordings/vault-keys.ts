// The key file that encrypts recordings at rest (site file:
// recording.encryption.keyFile). JSON lines, one key a line, so adding a key
// is appending a line:
//
//   # Tenor recording keys
//   {"id":"2026-06","key":"<base64 of 32 random bytes>"}
//   {"id":"2026-12","key":"<base64 of 32 random bytes>","current":true}
//
// New recordings are encrypted with the `current` key (a file with a single
// key needs no mark); every other key stays to read the files it encrypted.
// The file must be readable by its owner only: a key another user can read
// protects nothing, so a looser mode is refused rather than silently changed
// (the file is the operator's, possibly outside the data folder).

import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SectionProblem } from '../../core/config-section.js';
import { TenorError } from '../../core/errors.js';

export const RECORDING_KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

export interface RecordingKey {
  id: string;
  key: Buffer;
}

export interface RecordingKeyRing {
  /** The key new recordings are encrypted with. */
  current: RecordingKey;
  /** Every key of the file by id, the current one included. */
  byId: ReadonlyMap<string, Buffer>;
}

function keyProblem(message: string): TenorError {
  return new TenorError('TENOR_ERR_RECORDING_KEY', [message]);
}

/** Reads and checks the key file; every problem names the file (and the line). */
export async function loadRecordingKeys(file: string): Promise<RecordingKeyRing> {
  let text: string;
  try {
    const info = await stat(file);
    if ((info.mode & 0o077) !== 0) {
      throw keyProblem(`${file} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); make it owner-only: chmod 600 ${file}`);
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if (err instanceof TenorError) throw err;
    throw keyProblem(`${file} cannot be read: ${(err as Error).message}`);
  }
  return parseRecordingKeys(text, file);
}

/** Parses the key file's text (see the format above). */
export function parseRecordingKeys(text: string, file: string): RecordingKeyRing {
  const keys: (RecordingKey & { current: boolean })[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const where = `${file}:${i + 1}`;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw keyProblem(`${where}: not a JSON object like {"id":"k1","key":"<base64>"}`);
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw keyProblem(`${where}: not a JSON object`);
    const { id, key, current, ...extra } = entry as Record<string, unknown>;
    const unknown = Object.keys(extra);
    if (unknown.length > 0) throw keyProblem(`${where}: unknown field '${unknown[0]}' (a key has id, key and current)`);
    if (typeof id !== 'string' || !KEY_ID.test(id)) throw keyProblem(`${where}: id must be 1 to 64 letters, digits, '.', '_' or '-'`);
    if (typeof key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw keyProblem(`${where}: key '${id}' must be base64`);
    const bytes = Buffer.from(key, 'base64');
    if (bytes.length !== RECORDING_KEY_BYTES) throw keyProblem(`${where}: key '${id}' is ${bytes.length} bytes; it must be ${RECORDING_KEY_BYTES} (openssl rand -base64 32)`);
    if (current !== undefined && typeof current !== 'boolean') throw keyProblem(`${where}: current must be true or false`);
    if (keys.some((k) => k.id === id)) throw keyProblem(`${where}: key id '${id}' appears twice`);
    keys.push({ id, key: bytes, current: current === true });
  }
  if (keys.length === 0) throw keyProblem(`${file} has no key`);
  const marked = keys.filter((k) => k.current);
  if (marked.length > 1) throw keyProblem(`${file} marks ${marked.length} keys current (${marked.map((k) => k.id).join(', ')}); mark one`);
  const only = keys.length === 1 ? keys[0] : undefined;
  const current = marked[0] ?? only;
  if (!current) throw keyProblem(`${file} has ${keys.length} keys and none is marked "current": true`);
  return { current: { id: current.id, key: current.key }, byId: new Map(keys.map((k) => [k.id, k.key])) };
}

/**
 * The site file's `recording.encryption` checked as `tenor check-config` and
 * start-up do: the key file exists, is owner-only and parses. Relative paths
 * are from the site file's folder (`baseDir`), as the vault reads them.
 */
export function validateRecordingEncryption(encryption: { keyFile: string } | undefined, baseDir: string): SectionProblem[] {
  if (encryption === undefined) return [];
  const file = path.resolve(baseDir, encryption.keyFile);
  const problem = (message: string): SectionProblem[] => [{ path: 'recording.encryption.keyFile', message }];
  let text: string;
  try {
    const info = statSync(file);
    if ((info.mode & 0o077) !== 0) return problem(`${file} can be read by other users (mode ${(info.mode & 0o777).toString(8)}); make it owner-only: chmod 600 ${file}`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return problem(`${file} cannot be read: ${(err as Error).message}`);
  }
  try {
    parseRecordingKeys(text, file);
    return [];
  } catch (err) {
    return problem((err as Error).message.replace(/^Recording encryption key problem: /, ''));
  }
}
