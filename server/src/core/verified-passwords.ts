// A short memory of passwords that verified, so HTTP Basic clients (scripts
// calling the API on every request) do not cost a 128 MiB, few-hundred-ms scrypt
// run per request — which would also let anyone with one valid password tie up
// the server. Only successes are remembered, under an HMAC with a key made at
// start (never stored), together with the stored hash they matched: a changed
// password or a deleted user no longer matches, whichever process changed it.

import { createHmac, randomBytes } from 'node:crypto';

interface Entry {
  storedHash: string;
  expiresAt: number;
}

export class VerifiedPasswords {
  readonly #key = randomBytes(32);
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.#ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.#maxEntries = opts.maxEntries ?? 1000;
    this.#now = opts.now ?? Date.now;
  }

  /** True when this password verified against exactly this stored hash a short while ago. */
  matches(username: string, password: string, storedHash: string): boolean {
    const id = this.#id(username, password);
    const entry = this.#entries.get(id);
    if (!entry) return false;
    if (entry.expiresAt <= this.#now() || entry.storedHash !== storedHash) {
      this.#entries.delete(id);
      return false;
    }
    return true;
  }

  remember(username: string, password: string, storedHash: string): void {
    const id = this.#id(username, password);
    this.#entries.delete(id);
    this.#entries.set(id, { storedHash, expiresAt: this.#now() + this.#ttlMs });
    // Oldest first (maps keep insertion order).
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }

  #id(username: string, password: string): string {
    return createHmac('sha256', this.#key).update(username).update('\0').update(password).digest('base64');
  }
}
