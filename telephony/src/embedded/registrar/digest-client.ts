// The client side of digest: answer a 401/407 challenge from a trunk or proxy.
import { randomBytes } from 'node:crypto';
import {
  DIGEST_ALGORITHMS, computeDigestResponse, computeHa1, formatDigestParams, normalizeAlgorithm,
  parseDigestParams, type DigestAlgorithm,
} from './digest.js';

export interface DigestClientCredentials {
  username: string;
  password: string;
}

export interface DigestAnswer {
  /** The header value to send (in Authorization for a 401, Proxy-Authorization for a 407). */
  value: string;
  algorithm: DigestAlgorithm;
  realm: string;
}

const BARE_IN_CREDENTIALS = new Set(['algorithm', 'nc', 'qop']);

/**
 * Pick the strongest challenge we support among the header values of a 401
 * (WWW-Authenticate) or 407 (Proxy-Authenticate) and answer it.
 * `nc` counts uses of the same nonce; pass 1 for a fresh challenge.
 */
export function answerDigestChallenge(
  challenges: string[],
  request: { method: string; uri: string },
  credentials: DigestClientCredentials,
  nc = 1,
): DigestAnswer | undefined {
  const parsed = challenges
    .map(parseDigestParams)
    .filter((p): p is Record<string, string> => p !== undefined)
    .map((p) => ({ params: p, algorithm: normalizeAlgorithm(p.algorithm) }))
    .filter((c): c is { params: Record<string, string>; algorithm: DigestAlgorithm } => c.algorithm !== undefined);
  const chosen = DIGEST_ALGORITHMS
    .map((algorithm) => parsed.find((c) => c.algorithm === algorithm))
    .find((c) => c !== undefined);
  if (!chosen) return undefined;
  const { params, algorithm } = chosen;
  const realm = params.realm ?? '';
  const nonce = params.nonce ?? '';
  const qops = (params.qop ?? '').split(',').map((q) => q.trim());
  const useQop = qops.includes('auth');
  const ncText = nc.toString(16).padStart(8, '0');
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = computeHa1(algorithm, credentials.username, realm, credentials.password);
  const response = computeDigestResponse({
    algorithm, ha1, method: request.method, uri: request.uri, nonce,
    ...(useQop ? { qop: 'auth' as const, nc: ncText, cnonce } : {}),
  });
  const out: Array<[string, string]> = [
    ['username', credentials.username], ['realm', realm], ['nonce', nonce], ['uri', request.uri],
    ['response', response], ['algorithm', algorithm],
  ];
  if (useQop) out.push(['qop', 'auth'], ['nc', ncText], ['cnonce', cnonce]);
  if (params.opaque !== undefined) out.push(['opaque', params.opaque]);
  return { value: formatDigestParams(out, BARE_IN_CREDENTIALS), algorithm, realm };
}
