// Transaction identity (RFC 3261 §17.1.3, §17.2.3) and branch generation.

import type { SipMessage, SipRequest, Via } from '../message.js';
import { randomBase64url } from '../random-tokens.js';
import { topVia } from '../transport/via.js';

export const MAGIC_COOKIE = 'z9hG4bK';

/** A fresh RFC 3261 branch: the magic cookie and 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomBase64url(12);
}

/**
 * A branch that starts with the magic cookie and carries something after it.
 * RFC 4475 §3.2.1 (badbranch.dat): a branch that is only the cookie cannot
 * identify a transaction, so it falls back to RFC 2543 matching.
 */
export function hasRfc3261Branch(via: Via | undefined): boolean {
  const branch = via?.params.branch;
  return typeof branch === 'string' && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length;
}

export function headerValue(message: SipMessage, name: string): string | undefined {
  return message.headers.find((h) => h.name === name)?.value;
}

/** The CSeq number and method, read leniently (validation happens elsewhere). */
export function cseqOf(message: SipMessage): { seq: number; method: string } | undefined {
  const value = headerValue(message, 'CSeq');
  const match = value === undefined ? null : /^\s*(\d+)\s+(\S+)\s*$/.exec(value);
  if (!match) return undefined;
  return { seq: Number(match[1]), method: match[2] ?? '' };
}

/** The tag parameter of a From or To header, read from its raw value. */
export function tagOf(message: SipMessage, name: 'From' | 'To'): string | undefined {
  const value = headerValue(message, name);
  if (value === undefined) return undefined;
  // Parameters after the address: skip a <...> part so URI parameters are not mistaken for header ones.
  const close = value.lastIndexOf('>');
  const params = close >= 0 ? value.slice(close + 1) : value;
  const match = /;\s*tag\s*=\s*([^;\s,]+)/i.exec(params);
  return match?.[1];
}

/** The part of a Via that identifies the hop: everything except what we stamp on receipt. */
function viaIdentity(via: Via | undefined): string {
  if (!via) return '';
  const params = Object.entries(via.params)
    .filter(([name]) => name !== 'received' && name !== 'rport')
    .map(([name, value]) => (value === null ? name : `${name}=${value}`))
    .sort()
    .join(';');
  return `${via.transport} ${via.host.toLowerCase()}:${via.port ?? ''};${params}`;
}

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/**
 * The key of the server transaction a request belongs to. ACK maps to its INVITE;
 * a CANCEL has its own transaction (see inviteKeyForCancel for its INVITE).
 *
 * With a magic-cookie branch: branch + sent-by + method (§17.2.3).
 * Without (RFC 2543, §17.2.3 last paragraphs): Request-URI, From tag, Call-ID,
 * CSeq number, top Via, and for non-INVITE requests the To tag. For INVITE/ACK
 * the To tag is left out of the key, because the ACK carries the tag of our
 * response; the layer checks that tag separately.
 */
export function serverKey(request: SipRequest, methodOverride?: string): string | undefined {
  const via = topVia(request);
  if (!via) return undefined;
  const method = methodOverride ?? (request.method === 'ACK' ? 'INVITE' : request.method);
  if (hasRfc3261Branch(via)) return `3261|${via.params.branch ?? ''}|${sentBy(via)}|${method}`;
  const cseq = cseqOf(request);
  const callId = headerValue(request, 'Call-ID');
  if (!cseq || callId === undefined) return undefined;
  const toTag = method === 'INVITE' ? '' : tagOf(request, 'To') ?? '';
  return `2543|${request.uri}|${tagOf(request, 'From') ?? ''}|${toTag}|${callId}|${cseq.seq}|${viaIdentity(via)}|${method}`;
}

/** The key of the INVITE server transaction a CANCEL targets (§9.2). */
export function inviteKeyForCancel(cancel: SipRequest): string | undefined {
  return serverKey(cancel, 'INVITE');
}

/** The key of the client transaction a response belongs to (§17.1.3): branch + CSeq method. */
export function clientKeyOfResponse(response: SipMessage): string | undefined {
  const via = topVia(response);
  const cseq = cseqOf(response);
  const branch = via?.params.branch;
  if (!cseq || typeof branch !== 'string') return undefined;
  const method = cseq.method === 'ACK' ? 'INVITE' : cseq.method;
  return `${branch}|${method}`;
}

export function clientKeyOfRequest(request: SipRequest): string | undefined {
  const branch = topVia(request)?.params.branch;
  if (typeof branch !== 'string') return undefined;
  return `${branch}|${request.method}`;
}
