// Tenor's own HTTP requests to other servers (webhooks, IVR data dips, script
// webhook actions, the SMS hook) go through here, so each one is bounded:
//   - no redirects: a 3xx answer is a failure naming where it pointed (a
//     redirect could send the request, and its headers, to an address the site
//     never configured — an internal admin page, a cloud metadata service);
//   - a response body larger than `maxResponseBytes` is cut off while it
//     streams (never buffered whole), and the request fails;
//   - the caller's AbortSignal (its timeout) stops connecting and reading alike.

export interface OutboundHttpLimits {
  /** The largest response body read, in bytes. */
  maxResponseBytes: number;
}

export const defaultOutboundHttpLimits: OutboundHttpLimits = { maxResponseBytes: 1024 * 1024 };

export interface OutboundResponse {
  status: number;
  headers: Headers;
  /** The body as UTF-8 text. */
  text: string;
}

/** Why a request got no usable answer (besides network errors and timeouts, which fetch reports). */
export class OutboundHttpError extends Error {
  readonly reason: 'redirect' | 'too-large';
  constructor(reason: 'redirect' | 'too-large', message: string) {
    super(message);
    this.name = 'OutboundHttpError';
    this.reason = reason;
  }
}

/** fetch without redirects and with a bounded body; throws OutboundHttpError, or what fetch throws. */
export async function boundedFetch(url: string, init: RequestInit, limits: OutboundHttpLimits = defaultOutboundHttpLimits): Promise<OutboundResponse> {
  const response = await fetch(url, { ...init, redirect: 'manual' });
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    const location = response.headers.get('location');
    throw new OutboundHttpError('redirect', `answered ${response.status} redirecting to ${location ?? '(no location)'}; redirects are not followed`);
  }
  const text = await readBounded(response, limits.maxResponseBytes);
  return { status: response.status, headers: response.headers, text };
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = () => new OutboundHttpError('too-large', `answer longer than ${maxBytes} bytes; cut off`);
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}
