// Password hashing with scrypt (memory-hard, in Node's crypto, no native add-on).
// Stored as `scrypt$N$r$p$salt$hash`: the parameters travel with each hash, so
// hashes made with older, weaker parameters still verify and are replaced on
// the next successful login (see needsRehash and UsersService.authenticate).

import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The cost of new hashes: N = 2^17, r = 8, p = 1 is OWASP's minimum for scrypt
 * (128 MiB and a few hundred milliseconds per hash).
 */
export const scryptParameters = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
/** Refuse absurd parameters read from a stored hash (a corrupted row must not ask for gigabytes). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

interface StoredHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseHash(stored: string): StoredHash | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || rest.length > 0) return undefined;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  const powerOfTwo = Number.isSafeInteger(N) && N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !Number.isSafeInteger(R) || R < 1 || R > MAX_R || !Number.isSafeInteger(P) || P < 1 || P > MAX_P) return undefined;
  return { N, r: R, p: P, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

/**
 * At most this many scrypt runs at once. Each takes 128 MiB and a libuv pool thread (4 by
 * default, shared with file reads): a burst of logins must neither exhaust memory nor leave
 * prompt and recording I/O waiting behind password checks. Further runs queue.
 */
const MAX_CONCURRENT_SCRYPT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function scrypt(password: string, salt: Buffer, keylen: number, params: { N: number; r: number; p: number }): Promise<Buffer> {
  // A slot is taken here, or handed over by the run that finishes (so none is taken twice).
  if (running < MAX_CONCURRENT_SCRYPT) running++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    // scrypt needs 128·N·r·p bytes; Node refuses anything above maxmem (32 MiB by default), so allow twice that.
    const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r * params.p };
    return await new Promise<Buffer>((resolve, reject) => {
      scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
    });
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p } = scryptParameters;
  const key = await scrypt(password, salt, KEY_LENGTH, scryptParameters);
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed || parsed.hash.length === 0) return false;
  const key = await scrypt(password, parsed.salt, parsed.hash.length, parsed);
  return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
}

/** True when a stored hash was made with weaker parameters than new hashes get (re-hash it after a good login). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const want = scryptParameters;
  return parsed.N < want.N || parsed.r < want.r || parsed.p < want.p || parsed.hash.length < KEY_LENGTH;
}

/** A password for the first admin when none is configured: 18 random bytes, URL-safe. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
