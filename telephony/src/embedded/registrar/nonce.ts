// Stateless nonces: the issue time and a random salt, signed with an HMAC
// secret held by this process. Nothing is stored per challenge, so a flood of
// REGISTERs cannot grow memory, and an old nonce is recognised as stale (its
// signature is still good) rather than as forged.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceCheck = 'valid' | 'stale' | 'invalid';

export class NonceIssuer {
  readonly #secret: Buffer;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: { ttlMs: number; secret?: Buffer; now?: () => number }) {
    this.#secret = opts.secret ?? randomBytes(32);
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  issue(): string {
    const body = `${this.#now().toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.#sign(body)}`;
  }

  check(nonce: string): NonceCheck {
    const lastDot = nonce.lastIndexOf('.');
    if (lastDot <= 0) return 'invalid';
    const body = nonce.slice(0, lastDot);
    const given = Buffer.from(nonce.slice(lastDot + 1));
    const expected = Buffer.from(this.#sign(body));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    const issuedAt = parseInt(body.slice(0, body.indexOf('.')), 36);
    if (!Number.isFinite(issuedAt)) return 'invalid';
    const age = this.#now() - issuedAt;
    if (age < -5_000) return 'invalid';
    return age > this.#ttlMs ? 'stale' : 'valid';
  }

  #sign(body: string): string {
    return createHmac('sha256', this.#secret).update(body).digest('base64url').slice(0, 22);
  }
}
