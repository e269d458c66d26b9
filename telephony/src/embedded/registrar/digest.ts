// Digest arithmetic shared by the registrar (server side) and trunks (client
// side): RFC 7616 with qop=auth, MD5 and SHA-256 (RFC 8760 for SIP).
import { createHash } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** Preference order when we offer challenges or pick one to answer: strongest first. */
export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  return createHash(algorithm === 'MD5' ? 'md5' : 'sha256').update(text, 'utf8').digest('hex');
}

export function normalizeAlgorithm(value: string | undefined): DigestAlgorithm | undefined {
  // RFC 7616: an absent algorithm means MD5.
  if (value === undefined) return 'MD5';
  const upper = value.toUpperCase();
  if (upper === 'MD5') return 'MD5';
  if (upper === 'SHA-256') return 'SHA-256';
  return undefined;
}

export function computeHa1(algorithm: DigestAlgorithm, user: string, realm: string, password: string): string {
  return digestHash(algorithm, `${user}:${realm}:${password}`);
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  ha1: string;
  method: string;
  uri: string;
  nonce: string;
  /** When qop is absent the RFC 2069 form is used (old peers). */
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

export function computeDigestResponse(input: DigestResponseInput): string {
  const ha2 = digestHash(input.algorithm, `${input.method}:${input.uri}`);
  if (input.qop === 'auth') {
    return digestHash(input.algorithm, `${input.ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:auth:${ha2}`);
  }
  return digestHash(input.algorithm, `${input.ha1}:${input.nonce}:${ha2}`);
}

/**
 * Parse the parameters of a Digest challenge or credentials header value
 * (`Digest realm="x", nonce="y", qop="auth"`). Returns undefined when the scheme is not Digest.
 * Names are lower-cased; quoted values are unquoted (with backslash escapes undone).
 */
export function parseDigestParams(value: string): Record<string, string> | undefined {
  const match = /^\s*digest\s+/i.exec(value);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  let i = match[0].length;
  const text = value;
  while (i < text.length) {
    while (i < text.length && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++;
    const nameStart = i;
    while (i < text.length && text[i] !== '=' && text[i] !== ',') i++;
    const name = text.slice(nameStart, i).trim().toLowerCase();
    if (text[i] !== '=') {
      if (name) params[name] = '';
      continue;
    }
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    let val = '';
    if (text[i] === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        val += text[i];
        i++;
      }
      i++;
    } else {
      const start = i;
      while (i < text.length && text[i] !== ',') i++;
      val = text.slice(start, i).trim();
    }
    if (name) params[name] = val;
  }
  return params;
}

/** Format Digest parameters; names in `bare` are written unquoted (algorithm, nc, qop in credentials, stale). */
export function formatDigestParams(params: Array<[string, string]>, bare: ReadonlySet<string>): string {
  const parts = params.map(([name, val]) =>
    bare.has(name) ? `${name}=${val}` : `${name}="${val.replace(/(["\\])/g, '\\$1')}"`);
  return `Digest ${parts.join(', ')}`;
}
