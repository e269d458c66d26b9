// What an endpoint must answer, or drop, before processing a parsed message
// (RFC 3261 §8.2 and §8.1.3.3, with the cases of the RFC 4475 torture tests).
// parse.ts only frames; here the headers a UA relies on are read strictly.

import type { HeaderField, SipRequest, SipResponse } from './message.js';
import { getHeader, getHeaders, parseCSeq, parseNameAddr, parseParams, parseVia } from './headers.js';
import { canonicalName, sameHeaderName } from './names.js';
import { parseUri, quoteInput, SipSyntaxError } from './uri.js';

/** A response the endpoint must send instead of processing the request. */
export interface Rejection {
  status: number;
  reason: string;
  /** Headers the response must carry (Unsupported on 420, Accept on 415). */
  headers?: HeaderField[];
}

export interface ValidateOptions {
  /** Request-URI schemes we serve; others get 416. Default sip, sips, tel. */
  schemes?: string[];
  /** Option tags we implement; a Require naming another gets 420. Default none. */
  extensions?: string[];
  /** Body types accepted on INVITE; others get 415. Default application/sdp. */
  bodyTypes?: string[];
}

const DEFAULT_SCHEMES = ['sip', 'sips', 'tel'];
const DEFAULT_BODY_TYPES = ['application/sdp'];
const REQUIRED = ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
// Headers that must appear at most once (RFC 3261 §7.3.1: not "#" lists).
const SINGLE_VALUE = ['From', 'To', 'Call-ID', 'CSeq', 'Max-Forwards', 'Content-Length', 'Content-Type'];
// delta-seconds are 32-bit (RFC 3261 §25.1 says "2**32 - 1" for Expires and Retry-After).
const MAX_DELTA_SECONDS = 2 ** 32 - 1;

const bad = (reason: string): Rejection => ({ status: 400, reason });

const COUNTED = new Set([...REQUIRED, ...SINGLE_VALUE]);

/** How many fields each required or single-valued header has, in one pass (was a pass per name: issue 19 profile). */
function countFields(headers: HeaderField[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const h of headers) {
    // Every counted name is a known one, so its canonical spelling covers case and compact variants.
    const name = canonicalName(h.name);
    if (COUNTED.has(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return counts;
}

/** A reason text for a syntax error, or rethrow anything that is not one. */
function syntaxReason(err: unknown, header: string): string {
  if (err instanceof SipSyntaxError) return `Malformed ${header}: ${err.message}`;
  throw err;
}

/** Why a delta-seconds value is unacceptable, or undefined. */
function deltaSecondsProblem(value: string, what: string): string | undefined {
  if (!/^\d+$/.test(value)) return `${what} is not a number`;
  const digits = value.replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > MAX_DELTA_SECONDS) return `${what} is too large`;
  return undefined;
}

/** Problems shared by requests and responses: required, single and scalar headers. */
function commonProblem(headers: HeaderField[]): string | undefined {
  const counts = countFields(headers);
  for (const name of REQUIRED) if (!counts.has(name)) return `Missing ${name} header`;
  for (const name of SINGLE_VALUE) if ((counts.get(name) ?? 0) > 1) return `Multiple ${name} headers`;
  const msg = { headers };
  try {
    for (const value of getHeaders(msg, 'Via')) {
      for (const via of parseVia(value)) {
        if (via.protocol !== 'SIP/2.0') return `Via protocol ${via.protocol} is not SIP/2.0`;
      }
    }
  } catch (err) {
    return syntaxReason(err, 'Via');
  }
  for (const name of ['From', 'To']) {
    try {
      parseNameAddr(getHeader(msg, name) ?? '');
    } catch (err) {
      return syntaxReason(err, name);
    }
  }
  try {
    parseCSeq(getHeader(msg, 'CSeq') ?? '');
  } catch (err) {
    return syntaxReason(err, 'CSeq');
  }
  const callId = getHeader(msg, 'Call-ID') ?? '';
  if (callId === '' || /\s/.test(callId)) return 'Malformed Call-ID';
  const maxForwards = getHeader(msg, 'Max-Forwards');
  if (maxForwards !== undefined) {
    const digits = maxForwards.replace(/^0+(?=\d)/, '');
    if (!/^\d{1,3}$/.test(digits) || Number(digits) > 255) return 'Max-Forwards must be a number from 0 to 255';
  }
  for (const name of ['Expires', 'Retry-After', 'Min-Expires']) {
    const value = getHeader(msg, name);
    if (value === undefined) continue;
    // Retry-After may carry a comment and parameters after the number.
    const number = name === 'Retry-After' ? (/^[^\s;(]*/.exec(value)?.[0] ?? '') : value;
    const problem = deltaSecondsProblem(number, name);
    if (problem) return problem;
  }
  return undefined;
}

function contactProblem(req: SipRequest): string | undefined {
  for (const value of getHeaders(req, 'Contact')) {
    if (value === '*') {
      if (req.method === 'REGISTER') continue;
      return 'Contact "*" is only allowed in REGISTER';
    }
    try {
      const contact = parseNameAddr(value);
      const expires = contact.params['expires'];
      if (expires !== undefined) {
        const problem = deltaSecondsProblem(expires ?? '', 'Contact expires parameter');
        if (problem) return problem;
      }
    } catch (err) {
      return syntaxReason(err, 'Contact');
    }
  }
  return undefined;
}

/** "application/SDP; charset=x" → "application/sdp"; undefined when malformed. */
function mediaType(value: string): string | undefined {
  const m = /^\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*(;.*)?$/s.exec(value);
  if (!m) return undefined;
  try {
    parseParams(m[3] ?? '');
  } catch (err) {
    if (err instanceof SipSyntaxError) return undefined;
    throw err;
  }
  return `${(m[1] ?? '').toLowerCase()}/${(m[2] ?? '').toLowerCase()}`;
}

/** Whether an Accept entry ("*\/*", "application/*", "application/sdp;q=1") admits `type`. */
function acceptAdmits(entry: string, type: string): boolean {
  const range = mediaType(entry);
  if (range === undefined) return false;
  const [want, sub] = range.split('/');
  const [main, subType] = type.split('/');
  return (want === '*' || want === main) && (sub === '*' || sub === subType);
}

/**
 * The response an endpoint must send before processing `req`, or undefined when
 * the request may be processed. Order: malformed (400), Request-URI scheme
 * (416), Require (420), body type (415), Accept (406). The SIP version is
 * checked by parseMessage (505), as SipRequest does not carry it.
 */
export function validateRequest(req: SipRequest, opts: ValidateOptions = {}): Rejection | undefined {
  const problem = commonProblem(req.headers) ?? contactProblem(req);
  if (problem) return bad(problem);
  const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '');
  if (cseq.method !== req.method) return bad(`CSeq method ${cseq.method} does not match ${req.method}`);

  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(req.uri);
  if (!schemeMatch) return bad('Request-URI has no scheme');
  const scheme = (schemeMatch[1] ?? '').toLowerCase();
  if (!(opts.schemes ?? DEFAULT_SCHEMES).includes(scheme)) {
    return { status: 416, reason: 'Unsupported URI Scheme' };
  }
  try {
    const uri = parseUri(req.uri);
    if (Object.keys(uri.headers).length > 0) return bad('Request-URI must not contain headers');
  } catch (err) {
    return bad(syntaxReason(err, 'Request-URI'));
  }

  // RFC 3261 §8.2.2.3: Require is not checked on ACK and CANCEL.
  if (req.method !== 'ACK' && req.method !== 'CANCEL') {
    const supported = new Set((opts.extensions ?? []).map((t) => t.toLowerCase()));
    const unknown = getHeaders(req, 'Require').filter((tag) => !supported.has(tag.toLowerCase()));
    if (unknown.length > 0) {
      return { status: 420, reason: 'Bad Extension', headers: [{ name: 'Unsupported', value: unknown.join(', ') }] };
    }
  }

  if (req.method === 'INVITE') {
    const bodyTypes = (opts.bodyTypes ?? DEFAULT_BODY_TYPES).map((t) => t.toLowerCase());
    const acceptValue = bodyTypes.join(', ');
    if (req.body.length > 0) {
      const contentType = getHeader(req, 'Content-Type');
      const type = contentType === undefined ? undefined : mediaType(contentType);
      if (type === undefined || !bodyTypes.includes(type)) {
        return { status: 415, reason: 'Unsupported Media Type', headers: [{ name: 'Accept', value: acceptValue }] };
      }
    }
    // An Accept header, even an empty one, lists every type the caller can take
    // in our answer; our answer is SDP, so it must be among them.
    if (req.headers.some((h) => sameHeaderName(h.name, 'Accept'))) {
      const accepted = getHeaders(req, 'Accept');
      if (!bodyTypes.some((type) => accepted.some((entry) => acceptAdmits(entry, type)))) {
        return { status: 406, reason: 'Not Acceptable', headers: [{ name: 'Accept', value: acceptValue }] };
      }
    }
  }
  return undefined;
}

export interface ValidateResponseOptions {
  /**
   * A proxy forwards responses with several Vias; a user agent must drop them
   * (RFC 3261 §8.1.3.3). Default false: we are the user agent.
   */
  proxy?: boolean;
}

const BROADCAST_RE = /^(255\.255\.255\.255|0\.0\.0\.0)$/;

/**
 * Why a received response must be dropped silently, or undefined when it may
 * be passed to the transaction layer: a status outside 100-699, malformed or
 * overlarge scalars, several Vias at a user agent, a broadcast Via address.
 */
export function validateResponse(res: SipResponse, opts: ValidateResponseOptions = {}): { reason: string } | undefined {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 699) {
    return { reason: `status code ${String(res.status)} is outside 100-699` };
  }
  const problem = commonProblem(res.headers);
  if (problem) return { reason: problem };
  const vias = getHeaders(res, 'Via').flatMap((v) => parseVia(v));
  if (!opts.proxy && vias.length > 1) return { reason: 'a response to a user agent must carry exactly one Via' };
  for (const via of vias) {
    const targets = [via.host, via.params['received'], via.params['maddr']];
    if (targets.some((t) => t !== undefined && t !== null && BROADCAST_RE.test(t))) {
      return { reason: 'Via names a broadcast address' };
    }
  }
  for (const value of getHeaders(res, 'Warning')) {
    if (!/^\d{3}\s/.test(value)) return { reason: `malformed Warning ${quoteInput(value, 40)}` };
  }
  return undefined;
}
