// Signed self-service links: who the customer is (optional) and which script,
// with an expiry, signed with HMAC-SHA256 so a link cannot be altered or forged.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { TenorError } from '../../core/errors.js';

export interface LinkClaims {
  scriptId: string;
  /** Absent: the page asks for the customer's phone number. */
  customerId?: number;
  /** Unix seconds. */
  expiresAt: number;
}

export function signLink(secret: Buffer, claims: LinkClaims): string {
  const payload = Buffer.from(JSON.stringify({ s: claims.scriptId, c: claims.customerId, e: claims.expiresAt })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function verifyLink(secret: Buffer, token: string, now = new Date()): LinkClaims {
  const [payload, signature] = token.split('.');
  if (!payload || !signature) throw new TenorError('TENOR_ERR_LINK_INVALID');
  const expected = Buffer.from(mac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new TenorError('TENOR_ERR_LINK_INVALID');
  const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { s: string; c?: number; e: number };
  if (data.e * 1000 < now.getTime()) throw new TenorError('TENOR_ERR_LINK_INVALID');
  return { scriptId: data.s, ...(data.c !== undefined ? { customerId: data.c } : {}), expiresAt: data.e };
}

function mac(secret: Buffer, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}
