// Secrets Tenor must be able to read back (SIP device secrets, trunk passwords)
// are kept in the database sealed with AES-256-GCM under a key that lives in a
// file of the data folder (mode 0600), never in the database: a copy of the
// database alone reveals none of them.
//
// A sealed value names the key that sealed it, so the key can rotate: the key
// file lists every key, newest first; new values are sealed with the newest,
// older values still open with the key they name.
//
//   key file:     one line per key, "<id> <base64 32 bytes>", newest first
//   sealed value: "sealed:v1:<key id>:<iv>:<ciphertext>:<tag>" (base64url parts)

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const PREFIX = 'sealed:v1:';
const KEY_FILE = 'sealing.key';
const KEY_BYTES = 32;
const IV_BYTES = 12;

export class SealedBox {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #currentId: string;

  /** `keys` newest first: the first one seals. */
  constructor(keys: readonly { id: string; key: Buffer }[]) {
    const first = keys[0];
    if (!first) throw new Error('a sealed box needs at least one key');
    for (const k of keys) if (k.key.length !== KEY_BYTES) throw new Error(`sealing key '${k.id}' is not ${KEY_BYTES} bytes`);
    this.#keys = new Map(keys.map((k) => [k.id, k.key]));
    this.#currentId = first.id;
  }

  /** The id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.#currentId;
  }

  seal(plaintext: string): string {
    const key = this.#keys.get(this.#currentId) as Buffer;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a value cannot be moved under another key's name.
    cipher.setAAD(Buffer.from(this.#currentId, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${this.#currentId}:${iv.toString('base64url')}:${body.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}`;
  }

  /** The plaintext of a sealed value; throws when it is not one, its key is unknown, or it was altered. */
  open(sealed: string): string {
    if (!isSealed(sealed)) throw new Error('not a sealed value');
    const [id = '', iv = '', body = '', tag = ''] = sealed.slice(PREFIX.length).split(':');
    const key = this.#keys.get(id);
    if (!key) throw new Error(`sealed with key '${id}', which the key file does not have`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(id, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** True when `sealed` was sealed with an older key (seal it again to move it to the current one). */
  isStale(sealed: string): boolean {
    return !sealed.startsWith(`${PREFIX}${this.#currentId}:`);
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}

function keyFile(dataDir: string): string {
  return path.join(dataDir, KEY_FILE);
}

function readKeys(file: string): { id: string; key: Buffer }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [id = '', key = ''] = line.split(/\s+/);
      return { id, key: Buffer.from(key, 'base64') };
    });
}

function writeKeys(file: string, keys: readonly { id: string; key: Buffer }[]): void {
  const lines = keys.map((k) => `${k.id} ${k.key.toString('base64')}`);
  writeFileSync(file, `# Tenor sealing keys, newest first. Losing this file loses the SIP device secrets and trunk passwords.\n${lines.join('\n')}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

function newKey(): { id: string; key: Buffer } {
  return { id: randomBytes(4).toString('hex'), key: randomBytes(KEY_BYTES) };
}

/** The data folder's sealed box; the key file is made (0600) on first use. */
export function openSealedBox(dataDir: string): SealedBox {
  const file = keyFile(dataDir);
  const keys = readKeys(file);
  if (keys.length > 0) {
    // A key file copied without its mode (a restore, an editor) is put back to owner-only.
    chmodSync(file, 0o600);
    return new SealedBox(keys);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const first = [newKey()];
  writeKeys(file, first);
  return new SealedBox(first);
}

/** Add a new newest key to the data folder's key file (older keys stay, to open what they sealed). */
export function rotateSealingKey(dataDir: string): SealedBox {
  const file = keyFile(dataDir);
  const keys = [newKey(), ...readKeys(file)];
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeKeys(file, keys);
  return new SealedBox(keys);
}
