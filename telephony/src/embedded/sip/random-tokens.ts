// Random identifiers for SIP (branches, tags, Call-IDs) from a pool of
// cryptographically strong bytes. Each call takes a dozen or so of them; one
// randomBytes() per identifier was a measurable share of a call's CPU (issue 19
// profile: crypto/random ~3 %). The pool is filled by randomFillSync, the same
// generator, and every byte is used once, so the identifiers are as
// unpredictable as before (a branch or a tag must not be guessable: a guessed
// tag forges an in-dialog BYE).

import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

function take(bytes: number): Buffer {
  if (bytes > POOL_BYTES) throw new RangeError(`at most ${POOL_BYTES} random bytes at once`);
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const start = used;
  used += bytes;
  return pool.subarray(start, used);
}

/** `bytes` random bytes as lowercase hex (2 characters a byte). */
export function randomHex(bytes: number): string {
  return take(bytes).toString('hex');
}

/** `bytes` random bytes as base64url (4 characters per 3 bytes, no padding). */
export function randomBase64url(bytes: number): string {
  return take(bytes).toString('base64url');
}
