// The server side of digest authentication. One authenticator serves a realm:
// it writes challenges (one per offered algorithm, in order) and checks credentials.
//
// No enumeration: an unknown user and a wrong password go down the same path
// (a hash is computed against a throw-away secret) and get the same challenge.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CredentialStore, StoredCredential } from './credentials.js';
import {
  computeDigestResponse, computeHa1, formatDigestParams, normalizeAlgorithm,
  parseDigestParams, type DigestAlgorithm,
} from './digest.js';
import { NonceIssuer } from './nonce.js';
import { NonceCounts, parseNonceCount } from './nonce-counts.js';

export interface DigestAuthenticatorOptions {
  realm: string;
  credentials: CredentialStore;
  /** How long a nonce stays good; after that the client is told stale=true. Default 5 minutes. */
  nonceTtlMs?: number;
  nonceSecret?: Buffer;
  now?: () => number;
  /**
   * Algorithms offered, one challenge each, in this order; answers in others are refused.
   * Default MD5 only: many deployed phones (baresip, SIPp, older hardware) give up when
   * any challenge is not MD5 (RFC 8760 clients pick SHA-256 when it is offered); the
   * registrar falls back to MD5 for those (algorithm-fallback.ts).
   */
  algorithms?: readonly DigestAlgorithm[];
}

export const DEFAULT_OFFERED_ALGORITHMS: readonly DigestAlgorithm[] = ['MD5'];

export type AuthOutcome =
  | { ok: true; user: string; algorithm: DigestAlgorithm }
  /** stale: the credentials were right but the nonce had expired. */
  | { ok: false; stale: boolean; user?: string; reason: 'missing' | 'malformed' | 'bad-credentials' | 'stale-nonce' | 'wrong-realm' | 'replayed' };

const BARE_IN_CHALLENGE = new Set(['algorithm', 'stale']);

export class DigestAuthenticator {
  readonly realm: string;
  readonly #credentials: CredentialStore;
  readonly #nonces: NonceIssuer;
  /** Nonce-counts accepted so far: each answer is good once. */
  readonly #counts: NonceCounts;
  readonly #algorithms: readonly DigestAlgorithm[];
  /** A random secret that stands in for unknown users' passwords, so their path costs the same. */
  readonly #decoyPassword = randomBytes(16).toString('hex');

  constructor(opts: DigestAuthenticatorOptions) {
    this.realm = opts.realm;
    this.#credentials = opts.credentials;
    this.#algorithms = opts.algorithms && opts.algorithms.length > 0 ? opts.algorithms : DEFAULT_OFFERED_ALGORITHMS;
    const ttlMs = opts.nonceTtlMs ?? 300_000;
    this.#counts = new NonceCounts({ ttlMs, ...(opts.now ? { now: opts.now } : {}) });
    this.#nonces = new NonceIssuer({
      ttlMs,
      ...(opts.nonceSecret ? { secret: opts.nonceSecret } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
  }

  /** The algorithms offered, in order. */
  get algorithms(): readonly DigestAlgorithm[] {
    return this.#algorithms;
  }

  /**
   * The algorithms offered to `user`'s device, in order: those of ours its stored credential
   * lists (an admin marked an older phone MD5 only), else all of ours. An unknown user gets
   * all of ours, exactly as a known one at the default, so a challenge does not tell them apart.
   */
  async offeredTo(user: string): Promise<readonly DigestAlgorithm[]> {
    const chosen = (await this.#credentials.lookup(user))?.algorithms;
    const offered = chosen ? this.#algorithms.filter((a) => chosen.includes(a)) : [];
    return offered.length > 0 ? offered : this.#algorithms;
  }

  /** Challenge header values, one per offered algorithm (or those given, a subset), sharing one nonce. */
  challenges(stale = false, algorithms: readonly DigestAlgorithm[] = this.#algorithms): string[] {
    const nonce = this.#nonces.issue();
    return algorithms.filter((a) => this.#algorithms.includes(a)).map((algorithm) => {
      const params: Array<[string, string]> = [
        ['realm', this.realm], ['nonce', nonce], ['algorithm', algorithm], ['qop', 'auth'],
      ];
      if (stale) params.push(['stale', 'true']);
      return formatDigestParams(params, BARE_IN_CHALLENGE);
    });
  }

  /**
   * Check Authorization (or Proxy-Authorization) header values for a request.
   * The first Digest credentials for our realm are used.
   */
  async verify(authorizations: string[], method: string): Promise<AuthOutcome> {
    const all = authorizations.map(parseDigestParams).filter((p): p is Record<string, string> => p !== undefined);
    if (all.length === 0) return { ok: false, stale: false, reason: 'missing' };
    const creds = all.find((p) => p.realm === this.realm);
    if (!creds) return { ok: false, stale: false, reason: 'wrong-realm' };
    const { username, nonce, uri, response } = creds;
    const algorithm = normalizeAlgorithm(creds.algorithm);
    if (!username || !nonce || !uri || !response || !algorithm || !this.#algorithms.includes(algorithm)) {
      return { ok: false, stale: false, reason: 'malformed' };
    }
    const qop = creds.qop;
    if (qop !== undefined && qop !== 'auth') return { ok: false, stale: false, user: username, reason: 'malformed' };
    if (qop === 'auth' && (!creds.nc || !creds.cnonce)) return { ok: false, stale: false, user: username, reason: 'malformed' };
    const count = parseNonceCount(creds.nc, qop);
    if (count === undefined) return { ok: false, stale: false, user: username, reason: 'malformed' };

    const stored = await this.#credentials.lookup(username);
    const ha1 = this.#ha1(stored, algorithm, username);
    const expected = computeDigestResponse({
      algorithm, ha1, method, uri, nonce,
      ...(qop === 'auth' ? { qop: 'auth' as const, nc: creds.nc, cnonce: creds.cnonce } : {}),
    });
    const matches = safeEqual(expected, response.toLowerCase()) && stored !== undefined;
    const nonceState = this.#nonces.check(nonce);
    if (nonceState === 'invalid') return { ok: false, stale: false, user: username, reason: 'bad-credentials' };
    if (!matches) return { ok: false, stale: false, user: username, reason: 'bad-credentials' };
    // Only a correct answer to an expired nonce earns stale=true (RFC 7616 §3.3):
    // the client then retries with the new nonce without asking the user again.
    if (nonceState === 'stale') return { ok: false, stale: true, user: username, reason: 'stale-nonce' };
    // Counted only after a right answer: wrong ones must not use up a real client's counts.
    if (!this.#counts.accept(nonce, count)) return { ok: false, stale: false, user: username, reason: 'replayed' };
    return { ok: true, user: username, algorithm };
  }

  /** The username the credentials for our realm claim, unchecked (to see whether it is locked before checking). */
  claimedUser(authorizations: string[]): string | undefined {
    for (const value of authorizations) {
      const params = parseDigestParams(value);
      if (params?.realm === this.realm && params.username) return params.username;
    }
    return undefined;
  }

  #ha1(stored: StoredCredential | undefined, algorithm: DigestAlgorithm, user: string): string {
    if (stored && 'password' in stored) return computeHa1(algorithm, user, this.realm, stored.password);
    const precomputed = stored?.passwordHash[algorithm];
    if (precomputed) return precomputed.toLowerCase();
    // Unknown user, or no hash for this algorithm: same work, certain failure.
    return computeHa1(algorithm, user, this.realm, this.#decoyPassword);
  }
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
