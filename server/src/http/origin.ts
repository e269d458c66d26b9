// Cross-site request checks. Browsers send `Origin` on cross-origin requests
// and on every POST/PUT/PATCH/DELETE; a value naming another site means the
// request was made by that site's page, and is refused. Requests without
// `Origin` come from tools (curl, scripts) or same-origin GETs.

import type { FastifyRequest } from 'fastify';

export interface OriginPolicy {
  /** Trust X-Forwarded-Host / -Proto from the proxy in front. */
  trustProxy: boolean;
  /** Further origins allowed to call the API with a session (e.g. a UI dev server), as `scheme://host:port`. */
  allowedOrigins: readonly string[];
}

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isStateChanging(method: string): boolean {
  return UNSAFE_METHODS.has(method.toUpperCase());
}

/** The host the client addressed (host:port), as the browser saw it. */
export function requestHost(headers: FastifyRequest['headers'], trustProxy: boolean): string | undefined {
  const forwarded = trustProxy ? headers['x-forwarded-host'] : undefined;
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() ?? headers.host;
  return host?.toLowerCase();
}

/** True when `Origin` is absent, the request's own site, or explicitly allowed. */
export function originAllowed(headers: FastifyRequest['headers'], policy: OriginPolicy): boolean {
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (policy.allowedOrigins.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    // "null" (sandboxed frames, file:) or garbage: never our own page.
    return false;
  }
  return host !== '' && host === requestHost(headers, policy.trustProxy);
}
