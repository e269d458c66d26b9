// Signed self-service links: who the customer is (optional) and which script,
// with an id (to revoke it), the time it was made and its expiry, signed with
// HMAC-SHA256 so a link cannot be altered or forged. The signing key comes from
// services/scripts/link-keys.ts: rotating it invalidates every link out there.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TenorError } from '../../core/errors.js';

export interface LinkClaims {
  scriptId: string;
  /** Absent: the page asks for the customer's phone number. */
  customerId?: number;
  /** Unix seconds. */
  expiresAt: number;
  /** Unix seconds; absent on links made before links carried it. */
  issuedAt?: number;
  /** For the revocation list; absent on links made before links carried one. */
  id?: string;
}

/** A new link id: 96 random bits, URL-safe. */
export function newLinkId(): string {
  return randomBytes(12).toString('base64url');
}

export function signLink(key: Buffer, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ s: claims.scriptId, c: claims.customerId, e: claims.expiresAt, i: claims.issuedAt, j: claims.id })).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

/**
 * The claims of a link signed with `key`, unless it was altered, expired, or
 * lives longer than `maxLifetimeSeconds` (counted from when it was made, or
 * from now for a link that does not say when it was made).
 */
export function verifyLink(key: Buffer, token: string, opts: { now?: Date; maxLifetimeSeconds: number }): LinkClaims {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) throw new TenorError('TENOR_ERR_LINK_INVALID');
  const expected = Buffer.from(mac(key, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new TenorError('TENOR_ERR_LINK_INVALID');
  const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; c?: number; e: number; i?: number; j?: string };
  const nowSeconds = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (data.e < nowSeconds) throw new TenorError('TENOR_ERR_LINK_INVALID');
  if (data.e - (data.i ?? nowSeconds) > opts.maxLifetimeSeconds) throw new TenorError('TENOR_ERR_LINK_INVALID');
  return {
    scriptId: data.s,
    ...(data.c !== undefined ? { customerId: data.c } : {}),
    expiresAt: data.e,
    ...(data.i !== undefined ? { issuedAt: data.i } : {}),
    ...(data.j !== undefined ? { id: data.j } : {}),
  };
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
