// A per-installation secret for signing links, made on first start and kept in
// the data folder (readable by Tenor only). Losing it invalidates issued links,
// nothing else.

import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensurePrivateDir, restrictFiles } from './private-files.js';

export function installationSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, 'secret.key');
  try {
    const existing = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (existing.length >= 32) return existing;
  } catch {
    // first start: make one below
  }
  ensurePrivateDir(dataDir);
  const secret = randomBytes(32);
  writeFileSync(file, `${secret.toString('base64')}\n`, { mode: 0o600 });
  restrictFiles(file);
  return secret;
}
