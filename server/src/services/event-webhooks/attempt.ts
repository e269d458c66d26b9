// One delivery attempt: POST the stored body, signed, with a deadline
// (core/outbound-http.ts: no redirects, a bounded answer). The result says
// whether a later attempt may succeed: network errors, timeouts, 5xx and 429
// are worth retrying (429/503 with the receiver's Retry-After); any other
// answer (4xx, a redirect, an answer too large) is the receiver's final word.

import { boundedFetch, OutboundHttpError, type OutboundHttpLimits } from '../../core/outbound-http.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';

export type AttemptResult =
  | { ok: true; status: number }
  | { ok: false; retry: boolean; error: string; retryAfterMs?: number };

export async function attemptDelivery(
  target: { url: string; secret: string },
  delivery: { id: string; type: string; body: string },
  opts: { timeoutMs: number; limits: OutboundHttpLimits; now: number; stop: AbortSignal },
): Promise<AttemptResult> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Tenor-Webhooks/1',
    [SIGNATURE_HEADER]: signatureHeader(target.secret, delivery.body, Math.floor(opts.now / 1000)),
    [DELIVERY_HEADER]: delivery.id,
    [EVENT_HEADER]: delivery.type,
  };
  try {
    const response = await boundedFetch(target.url, { method: 'POST', body: delivery.body, headers, signal: AbortSignal.any([AbortSignal.timeout(opts.timeoutMs), opts.stop]) }, opts.limits);
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    const retry = response.status >= 500 || response.status === 429;
    const retryAfterMs = retry ? parseRetryAfter(response.headers.get('retry-after'), opts.now) : undefined;
    return { ok: false, retry, error: `answered ${response.status}`, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  } catch (err) {
    if (err instanceof OutboundHttpError) return { ok: false, retry: false, error: err.message };
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') return { ok: false, retry: true, error: `no answer within ${opts.timeoutMs} ms` };
    return { ok: false, retry: true, error: e.cause?.code ?? e.cause?.message ?? e.message };
  }
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** The delay before attempt `attempts + 1`: base × 2^(attempts−1), at most max, ±20 % jitter (so delays still grow). */
export function backoffMs(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const plain = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(plain * (0.8 + 0.4 * random()));
}
