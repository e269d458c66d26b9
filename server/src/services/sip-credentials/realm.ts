// The registrar's digest realm. Unless the site sets sip.realm, every install
// gets a random one on first start, kept in the data folder: a digest response
// captured at one Tenor (or a secret table copied from one) is worth nothing at
// another, and a guesser cannot precompute anything for "tenor".

import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REALM_FILE = 'sip-realm';
const REALM = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function installationRealm(dataDir: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const file = path.join(dataDir, REALM_FILE);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (REALM.test(kept)) return kept;
  } catch {
    // first start: make one below
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const realm = `tenor-${randomBytes(8).toString('hex')}`;
  writeFileSync(file, `${realm}\n`, { mode: 0o600 });
  return realm;
}
