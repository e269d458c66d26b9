// Falling back to MD5 for phones that cannot answer a SHA-256 challenge.
//
// RFC 8760 has the registrar offer SHA-256 first and MD5 after it, and a
// client answer the first it supports. Some clients do not: libre-based phones
// (baresip 1.0.0) give up on a 401 that names any algorithm but MD5 ("Function
// not implemented"), and SIPp 3.6 tries only the first challenge. Such a
// client comes back later (its retry timer) with a REGISTER that again answers
// nothing. When a user's phone at an address was offered SHA-256 and returns
// without having answered it, that user at that address is offered MD5 alone
// from then on (remembered for `rememberMs`, renewed by each registration),
// so it registers on its retry and at once after that.

import type { DigestAlgorithm } from './digest.js';

export interface AlgorithmFallbackOptions {
  /** How long an offer of SHA-256 waits for its answer (the nonce lifetime). */
  pendingMs: number;
  /** How long a phone found to need MD5 is remembered. Default 24 h. */
  rememberMs?: number;
  maxEntries?: number;
  now?: () => number;
}

interface PhoneState {
  /** When SHA-256 was last offered and not yet answered (0: nothing pending). */
  offeredAt: number;
  /** Until when this phone is offered MD5 only (0: not). */
  md5OnlyUntil: number;
}

export class AlgorithmFallback {
  readonly #phones = new Map<string, PhoneState>();
  readonly #pendingMs: number;
  readonly #rememberMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(opts: AlgorithmFallbackOptions) {
    this.#pendingMs = opts.pendingMs;
    this.#rememberMs = opts.rememberMs ?? 24 * 3600_000;
    this.#maxEntries = opts.maxEntries ?? 100_000;
    this.#now = opts.now ?? Date.now;
  }

  /** The algorithms to offer this user at this address, in order. */
  offerFor(user: string, address: string, configured: readonly DigestAlgorithm[]): readonly DigestAlgorithm[] {
    const state = this.#phones.get(key(user, address));
    if (state && state.md5OnlyUntil > this.#now() && configured.includes('MD5')) return ['MD5'];
    return configured;
  }

  /** A challenge went out to this user at this address. */
  challenged(user: string, address: string, offered: readonly DigestAlgorithm[]): void {
    if (offered[0] === 'MD5') return;
    this.#state(user, address).offeredAt = this.#now();
  }

  /** A REGISTER came without an answer: a phone that was offered SHA-256 and did not answer needs MD5. */
  unanswered(user: string, address: string): void {
    const state = this.#phones.get(key(user, address));
    const now = this.#now();
    if (!state || state.offeredAt === 0 || now - state.offeredAt > this.#pendingMs) return;
    state.offeredAt = 0;
    state.md5OnlyUntil = now + this.#rememberMs;
  }

  /** The phone authenticated: nothing is pending; a phone on MD5 is remembered a while longer. */
  answered(user: string, address: string, algorithm: DigestAlgorithm): void {
    const k = key(user, address);
    const state = this.#phones.get(k);
    if (!state) return;
    state.offeredAt = 0;
    if (algorithm === 'MD5' && state.md5OnlyUntil > 0) state.md5OnlyUntil = this.#now() + this.#rememberMs;
    else this.#phones.delete(k);
  }

  /** True when this user at this address is offered MD5 only now. */
  needsMd5(user: string, address: string): boolean {
    return (this.#phones.get(key(user, address))?.md5OnlyUntil ?? 0) > this.#now();
  }

  #state(user: string, address: string): PhoneState {
    const k = key(user, address);
    let state = this.#phones.get(k);
    if (!state) {
      while (this.#phones.size >= this.#maxEntries) {
        const oldest = this.#phones.keys().next();
        if (oldest.done) break;
        this.#phones.delete(oldest.value);
      }
      state = { offeredAt: 0, md5OnlyUntil: 0 };
      this.#phones.set(k, state);
    }
    return state;
  }
}

function key(user: string, address: string): string {
  return `${user}\n${address}`;
}
