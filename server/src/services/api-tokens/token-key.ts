// The key API token secrets are hashed under (HMAC-SHA-256). It lives in the
// data folder beside the database, made 0600 on first use, so the stored
// hashes are useless without it. A fast keyed hash is enough here (unlike
// passwords): a token secret is 256 random bits, nothing to guess from a
// dictionary, and checking it must cost microseconds on every request.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, restrictFiles } from '../../core/private-files.js';

export const TOKEN_KEY_FILE = 'api-token.key';

/** The data folder's token key, made on first use (losing it invalidates every token, nothing else). */
export function apiTokenKey(dataDir: string): Buffer {
  const file = path.join(dataDir, TOKEN_KEY_FILE);
  try {
    const existing = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (existing.length >= 32) {
      restrictFiles(file);
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  ensurePrivateDir(dataDir);
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600 });
  restrictFiles(file);
  return key;
}
