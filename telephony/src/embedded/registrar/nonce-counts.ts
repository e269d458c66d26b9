// Nonce-count tracking: a digest answer is good once (RFC 7616 §3.4, RFC 3261
// §22.4). The nonces themselves stay stateless (nonce.ts); what is remembered
// is, for each nonce that has authenticated a request, the highest nonce-count
// accepted with it. A replay (same or lower count) is refused, so a REGISTER
// captured on the wire cannot be sent again, with another Contact, to steal
// the user's calls. An answer without qop (RFC 2069 form) has no count: its
// nonce is good for one request.
//
// Entries live as long as the nonce can be valid (after that it is stale and
// refused anyway); at most `maxEntries` are kept, the oldest forgotten first.

export interface NonceCountsOptions {
  /** How long a nonce stays valid (the authenticator's nonce TTL). */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  count: number;
  forgetAt: number;
}

/** Slack for the clock: a nonce is remembered a little longer than it can be valid. */
const SLACK_MS = 10_000;

export class NonceCounts {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(opts: NonceCountsOptions) {
    this.#ttlMs = opts.ttlMs;
    this.#maxEntries = opts.maxEntries ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  /**
   * Accepts `count` for `nonce` when it is higher than every count accepted
   * with that nonce before (0 for an answer without qop); false for a replay.
   */
  accept(nonce: string, count: number): boolean {
    const now = this.#now();
    this.#forgetExpired(now);
    const entry = this.#entries.get(nonce);
    if (entry && count <= entry.count) return false;
    if (entry) {
      entry.count = count;
      return true;
    }
    while (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
    this.#entries.set(nonce, { count, forgetAt: now + this.#ttlMs + SLACK_MS });
    return true;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Entries are in first-use order, so expired ones are at the front. */
  #forgetExpired(now: number): void {
    for (const [nonce, entry] of this.#entries) {
      if (entry.forgetAt > now) break;
      this.#entries.delete(nonce);
    }
  }
}

/** The nonce-count of an answer: 8 hex digits with qop, 0 without; undefined when malformed. */
export function parseNonceCount(nc: string | undefined, qop: string | undefined): number | undefined {
  if (qop === undefined) return 0;
  if (nc === undefined || !/^[0-9a-fA-F]{1,8}$/.test(nc)) return undefined;
  return parseInt(nc, 16);
}
