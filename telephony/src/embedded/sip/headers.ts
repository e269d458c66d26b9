// Header access on HeaderField[] and parsers for the structured headers the
// stack relies on (Via, From/To/Contact, CSeq, authentication), plus
// createResponse. Values in messages stay raw; these parse on demand and throw
// SipSyntaxError on malformed text, so a caller can answer 400 naming it.

import type { CSeq, HeaderField, NameAddr, Params, SipRequest, SipResponse, Via } from './message.js';
import { canonicalName, headerNameMatcher, sameHeaderName, TOKEN_RE } from './names.js';
import { formatUri, parseUri, quoteInput, SipSyntaxError } from './uri.js';

/** Anything carrying header fields: a SipMessage, or a parse error's partial request. */
export interface HasHeaders {
  headers: HeaderField[];
}

// Headers whose value is a comma-separated list (RFC 3261 §7.3.1 "#" rules),
// so several lines and one line with commas mean the same. Authorization and
// friends, Date, From/To and the like are NOT lists: commas inside them are data.
const LIST_HEADERS = new Set(
  [
    'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow',
    'Allow-Events', 'Call-Info', 'Contact', 'Content-Encoding', 'Content-Language', 'Diversion',
    'Error-Info', 'History-Info', 'In-Reply-To', 'P-Asserted-Identity', 'P-Preferred-Identity',
    'Path', 'Proxy-Require', 'Reason', 'Record-Route', 'Reject-Contact', 'Require', 'Route',
    'Service-Route', 'Supported', 'Unsupported', 'Via', 'Warning',
  ].map((n) => n.toLowerCase()),
);

/** Whether a header's value is a comma-separated list. */
export function isListHeader(name: string): boolean {
  let list = LIST_BY_NAME.get(name);
  if (list === undefined) {
    list = LIST_HEADERS.has(canonicalName(name).toLowerCase());
    // The names asked for are mostly the code's own literals; a bound keeps a peer's names from growing it.
    if (LIST_BY_NAME.size < 512) LIST_BY_NAME.set(name, list);
  }
  return list;
}

/** isListHeader's answers by the name asked: asked several times for every message (issue 19 profile). */
const LIST_BY_NAME = new Map<string, boolean>();

/**
 * Split a list value on top-level commas: commas inside "quoted strings" (with
 * backslash escapes) and inside <...> do not split. Empty elements are dropped.
 */
export function splitList(value: string): string[] {
  if (!value.includes(',')) {
    const only = value.trim();
    return only === '' ? [] : [only];
  }
  const out: string[] = [];
  let current = '';
  let inQuotes = false;
  let inAngle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] ?? '';
    if (inQuotes) {
      current += ch;
      if (ch === '\\' && i + 1 < value.length) current += value[++i] ?? '';
      else if (ch === '"') inQuotes = false;
      continue;
    }
    if (ch === '"') inQuotes = true;
    else if (ch === '<') inAngle = true;
    else if (ch === '>') inAngle = false;
    else if (ch === ',' && !inAngle) {
      if (current.trim() !== '') out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}

/** All values of a header, in wire order; list headers are split on commas. */
export function getHeaders(msg: HasHeaders, name: string): string[] {
  const list = isListHeader(name);
  const matches = headerNameMatcher(name);
  const out: string[] = [];
  for (const h of msg.headers) {
    if (!matches(h.name)) continue;
    if (list) out.push(...splitList(h.value));
    else out.push(h.value);
  }
  return out;
}

/** The first value of a header (for a list header, its first element), or undefined. */
export function getHeader(msg: HasHeaders, name: string): string | undefined {
  // Read on every message many times over (issue 19 profile): stop at the first value, build no list.
  const list = isListHeader(name);
  const matches = headerNameMatcher(name);
  for (const h of msg.headers) {
    if (!matches(h.name)) continue;
    if (!list) return h.value;
    const first = splitList(h.value)[0];
    if (first !== undefined) return first;
  }
  return undefined;
}

/** Replace every field of `name` with one, where the first was (else at the end). */
export function setHeader(msg: HasHeaders, name: string, value: string): void {
  const canonical = canonicalName(name);
  const at = msg.headers.findIndex((h) => sameHeaderName(h.name, name));
  removeHeader(msg, name);
  const field = { name: canonical, value };
  if (at < 0) msg.headers.push(field);
  else msg.headers.splice(at, 0, field);
}

/** Add a field after all others. */
export function appendHeader(msg: HasHeaders, name: string, value: string): void {
  msg.headers.push({ name: canonicalName(name), value });
}

/** Add a field before all others (a new top Via, a Record-Route). */
export function prependHeader(msg: HasHeaders, name: string, value: string): void {
  msg.headers.unshift({ name: canonicalName(name), value });
}

/** Remove every field of `name`; returns how many were removed. */
export function removeHeader(msg: HasHeaders, name: string): number {
  const before = msg.headers.length;
  const matches = headerNameMatcher(name);
  msg.headers = msg.headers.filter((h) => !matches(h.name));
  return before - msg.headers.length;
}

// ---------------------------------------------------------------- parameters

const PARAM_VALUE_RE = /^[A-Za-z0-9\-.!%*_+`'~:[\]]+$/;

/** Read a "quoted string" starting at text[i] === '"'; returns its unescaped content and the index after it. */
function readQuoted(text: string, i: number, input: string): { value: string; end: number } {
  let value = '';
  for (let j = i + 1; j < text.length; j++) {
    const ch = text[j] ?? '';
    if (ch === '\\') {
      if (j + 1 >= text.length) break;
      value += text[++j] ?? '';
    } else if (ch === '"') {
      return { value, end: j + 1 };
    } else {
      value += ch;
    }
  }
  throw new SipSyntaxError('unterminated quoted string', input);
}

/**
 * Parse ";name=value;flag" parameters (a leading ';' is optional). LWS around
 * ';' and '=' is allowed; values are tokens, hosts or quoted strings (stored
 * unquoted). Names are lower-cased. A flag without value maps to null.
 * @throws SipSyntaxError on empty or malformed parameters
 */
export function parseParams(text: string): Params {
  const params: Params = {};
  let rest = text.trim();
  if (rest === '') return params;
  if (rest.startsWith(';')) rest = rest.slice(1);
  const input = text;
  for (;;) {
    rest = rest.trimStart();
    const nameMatch = /^[A-Za-z0-9\-.!%*_+`'~]+/.exec(rest);
    if (!nameMatch) throw new SipSyntaxError(`empty or malformed parameter in ${quoteInput(input, 80)}`, input);
    const name = nameMatch[0].toLowerCase();
    rest = rest.slice(nameMatch[0].length).trimStart();
    let value: string | null = null;
    if (rest.startsWith('=')) {
      rest = rest.slice(1).trimStart();
      if (rest.startsWith('"')) {
        const q = readQuoted(rest, 0, input);
        value = q.value;
        rest = rest.slice(q.end);
      } else {
        const v = /^[^\s;,]*/.exec(rest)?.[0] ?? '';
        if (v !== '' && !PARAM_VALUE_RE.test(v)) throw new SipSyntaxError(`bad value for parameter ${name}`, input);
        value = v;
        rest = rest.slice(v.length);
      }
    }
    params[name] = value;
    rest = rest.trimStart();
    if (rest === '') return params;
    if (!rest.startsWith(';')) throw new SipSyntaxError(`unexpected text after parameter ${name}: ${quoteInput(rest, 40)}`, input);
    rest = rest.slice(1);
  }
}

function quoteString(value: string): string {
  return '"' + value.replace(/(["\\])/g, '\\$1') + '"';
}

/** ";name=value" text; values that are not tokens or hosts are quoted. */
export function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) {
    out += ';' + name;
    if (value !== null) out += '=' + (PARAM_VALUE_RE.test(value) ? value : quoteString(value));
  }
  return out;
}

// ------------------------------------------------------------------------ Via

const VIA_RE = /^([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s*\/\s*([A-Za-z0-9\-.!%*_+`'~]+)\s+(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)(?:\s*:\s*(\d{1,5}))?\s*(;.*)?$/s;

/** A Via with its protocol (only "SIP/2.0" is valid on the wire; kept for checks). */
export interface ParsedVia extends Via {
  protocol: string;
}

/**
 * Parse a Via header value (one line, possibly holding several comma-separated
 * Vias) top first.
 * @throws SipSyntaxError on a malformed element
 */
export function parseVia(value: string): ParsedVia[] {
  const vias: ParsedVia[] = [];
  for (const element of splitList(value)) {
    const m = VIA_RE.exec(element);
    if (!m) throw new SipSyntaxError(`malformed Via ${quoteInput(element, 80)}`, value);
    const via: ParsedVia = {
      protocol: `${(m[1] ?? '').toUpperCase()}/${m[2] ?? ''}`,
      transport: (m[3] ?? '').toUpperCase(),
      host: m[4] ?? '',
      params: parseParams(m[6] ?? ''),
    };
    if (m[5] !== undefined) {
      const port = Number(m[5]);
      if (port > 65535) throw new SipSyntaxError('Via port out of range', value);
      via.port = port;
    }
    vias.push(via);
  }
  if (vias.length === 0) throw new SipSyntaxError('empty Via', value);
  return vias;
}

/** "SIP/2.0/UDP host:port;branch=..." */
export function formatVia(via: Via): string {
  const port = via.port !== undefined ? `:${String(via.port)}` : '';
  return `SIP/2.0/${via.transport.toUpperCase()} ${via.host}${port}${formatParams(via.params)}`;
}

// ------------------------------------------------------------------- NameAddr

const DISPLAY_TOKENS_RE = /^[A-Za-z0-9\-.!%*_+`'~]+(?:\s+[A-Za-z0-9\-.!%*_+`'~]+)*$/;

/**
 * Parse a From/To/Contact/Route style value: `"Display" <uri>;params`,
 * `Display Name <uri>;params` or a bare addr-spec `uri;params` (whose
 * parameters then belong to the header, RFC 3261 §20.10).
 * @throws SipSyntaxError on malformed text
 */
export function parseNameAddr(value: string): NameAddr {
  const text = value.trim();
  let displayName: string | undefined;
  let rest = text;
  if (text.startsWith('"')) {
    const q = readQuoted(text, 0, value);
    displayName = q.value;
    rest = text.slice(q.end).trimStart();
    if (!rest.startsWith('<')) throw new SipSyntaxError('quoted display name not followed by <uri>', value);
  } else {
    const lt = text.indexOf('<');
    if (lt > 0) {
      const dn = text.slice(0, lt).trim();
      if (dn !== '' && !DISPLAY_TOKENS_RE.test(dn)) {
        throw new SipSyntaxError(`display name ${quoteInput(dn, 40)} must be tokens or a quoted string`, value);
      }
      if (dn !== '') displayName = dn;
      rest = text.slice(lt);
    }
  }
  let uriText: string;
  let paramText: string;
  if (rest.startsWith('<')) {
    const gt = rest.indexOf('>');
    if (gt < 0) throw new SipSyntaxError('missing > after the URI', value);
    uriText = rest.slice(1, gt);
    paramText = rest.slice(gt + 1);
  } else {
    // A bare addr-spec ends at the first ';': what follows are header parameters.
    const semi = rest.indexOf(';');
    uriText = (semi < 0 ? rest : rest.slice(0, semi)).trim();
    paramText = semi < 0 ? '' : rest.slice(semi);
    if (/[?,]/.test(uriText)) throw new SipSyntaxError('a URI with "?" or "," must be enclosed in <>', value);
  }
  const uri = parseUri(uriText);
  const trimmedParams = paramText.trim();
  if (trimmedParams !== '' && !trimmedParams.startsWith(';')) {
    throw new SipSyntaxError(`unexpected text after the address: ${quoteInput(trimmedParams, 40)}`, value);
  }
  const result: NameAddr = { uri, params: parseParams(trimmedParams) };
  if (displayName !== undefined) result.displayName = displayName;
  return result;
}

/** `"Display" <uri>;params` (the URI always in <>, which is always safe). */
export function formatNameAddr(addr: NameAddr): string {
  const display = addr.displayName !== undefined && addr.displayName !== '' ? quoteString(addr.displayName) + ' ' : '';
  return `${display}<${formatUri(addr.uri)}>${formatParams(addr.params)}`;
}

// ----------------------------------------------------------------------- CSeq

/** Largest valid CSeq number (RFC 3261 §8.1.1.5: less than 2^31). */
export const MAX_CSEQ = 2 ** 31 - 1;

/**
 * "0009 INVITE" → { seq: 9, method: 'INVITE' }.
 * @throws SipSyntaxError when malformed or the number is 2^31 or more
 */
export function parseCSeq(value: string): CSeq {
  const m = /^(\d+)\s+(\S+)$/.exec(value.trim());
  if (!m || !TOKEN_RE.test(m[2] ?? '')) throw new SipSyntaxError(`malformed CSeq ${quoteInput(value, 60)}`, value);
  const digits = (m[1] ?? '').replace(/^0+(?=\d)/, '');
  const seq = digits.length > 10 ? Number.POSITIVE_INFINITY : Number(digits);
  if (seq > MAX_CSEQ) throw new SipSyntaxError('CSeq number is 2^31 or more', value);
  return { seq, method: m[2] ?? '' };
}

export function formatCSeq(cseq: CSeq): string {
  return `${String(cseq.seq)} ${cseq.method}`;
}

// ------------------------------------------------------------- authentication

/** WWW-Authenticate / Authorization / Proxy-* value: scheme and its parameters. */
export interface AuthHeader {
  /** as received, e.g. "Digest" */
  scheme: string;
  /** names lower-cased; quoted values unquoted */
  params: Record<string, string>;
}

/**
 * `Digest realm="x", nonce="y", qop="auth,auth-int", algorithm=MD5` → scheme
 * and params. Commas inside quoted values do not split.
 * @throws SipSyntaxError on malformed text
 */
export function parseAuthHeader(value: string): AuthHeader {
  const text = value.trim();
  const m = /^([A-Za-z0-9\-.!%*_+`'~]+)(?:\s+([\s\S]*))?$/.exec(text);
  if (!m) throw new SipSyntaxError('malformed authentication header', value);
  const params: Record<string, string> = {};
  let rest = (m[2] ?? '').trim();
  while (rest !== '') {
    const nm = /^([A-Za-z0-9\-.!%*_+`'~]+)\s*=\s*/.exec(rest);
    if (!nm) throw new SipSyntaxError(`malformed authentication parameter ${quoteInput(rest, 40)}`, value);
    rest = rest.slice(nm[0].length);
    let paramValue: string;
    if (rest.startsWith('"')) {
      const q = readQuoted(rest, 0, value);
      paramValue = q.value;
      rest = rest.slice(q.end);
    } else {
      paramValue = /^[^\s,]*/.exec(rest)?.[0] ?? '';
      rest = rest.slice(paramValue.length);
    }
    params[(nm[1] ?? '').toLowerCase()] = paramValue;
    rest = rest.trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
    else if (rest !== '') throw new SipSyntaxError(`expected "," in authentication header near ${quoteInput(rest, 40)}`, value);
  }
  return { scheme: m[1] ?? '', params };
}

// Digest parameters written as bare tokens (RFC 2617 / 7616); all others are quoted.
const UNQUOTED_ALWAYS = new Set(['algorithm', 'nc', 'stale']);

/**
 * Text of an authentication header. `kind` decides qop's form: a challenge lists
 * options in quotes (qop="auth"), credentials name one bare token (qop=auth).
 */
export function formatAuthHeader(auth: AuthHeader, kind: 'challenge' | 'credentials' = 'credentials'): string {
  const parts = Object.entries(auth.params).map(([name, value]) => {
    const bare = UNQUOTED_ALWAYS.has(name) || (name === 'qop' && kind === 'credentials');
    return `${name}=${bare ? value : quoteString(value)}`;
  });
  return parts.length === 0 ? auth.scheme : `${auth.scheme} ${parts.join(', ')}`;
}

// ----------------------------------------------------------------- responses

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued',
  183: 'Session Progress', 199: 'Early Dialog Terminated',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden',
  404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 410: 'Gone',
  412: 'Conditional Request Failed', 413: 'Request Entity Too Large', 414: 'Request-URI Too Long',
  415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme', 417: 'Unknown Resource-Priority',
  420: 'Bad Extension', 421: 'Extension Required', 422: 'Session Interval Too Small',
  423: 'Interval Too Brief', 428: 'Use Identity Header', 429: 'Provide Referrer Identity',
  430: 'Flow Failed', 433: 'Anonymity Disallowed', 436: 'Bad Identity-Info',
  437: 'Unsupported Certificate', 438: 'Invalid Identity Header', 439: 'First Hop Lacks Outbound Support',
  440: 'Max-Breadth Exceeded', 469: 'Bad Info Package', 470: 'Consent Needed',
  480: 'Temporarily Unavailable', 481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected',
  483: 'Too Many Hops', 484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here',
  487: 'Request Terminated', 488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending',
  493: 'Undecipherable', 494: 'Security Agreement Required',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway',
  503: 'Service Unavailable', 504: 'Server Time-out', 505: 'Version Not Supported',
  513: 'Message Too Large', 555: 'Push Notification Service Not Supported',
  580: 'Precondition Failure',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
  607: 'Unwanted', 608: 'Rejected',
};

/** The standard reason phrase of a status code, or a generic one for its class. */
export function reasonPhrase(status: number): string {
  const known = REASONS[status];
  if (known !== undefined) return known;
  const generic: Record<number, string> = { 1: 'Trying', 2: 'OK', 3: 'Redirect', 4: 'Client Error', 5: 'Server Error', 6: 'Global Failure' };
  return generic[Math.floor(status / 100)] ?? 'Unknown';
}

export interface CreateResponseOptions {
  /** Tag to add to To when it has none (a UAS creating or confirming a dialog). Not added to 100. */
  toTag?: string;
}

/**
 * A response to `req` (RFC 3261 §8.2.6): copies every Via in order, From, To,
 * Call-ID and CSeq (and Timestamp on 100); `extra` headers follow. Accepts a
 * parse error's partial request too.
 */
export function createResponse(
  req: Pick<SipRequest, 'headers'>,
  status: number,
  reason?: string,
  extra: HeaderField[] = [],
  opts: CreateResponseOptions = {},
): SipResponse {
  const headers: HeaderField[] = [];
  const copied = status === 100 ? ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Timestamp'] : ['Via', 'From', 'To', 'Call-ID', 'CSeq'];
  for (const name of copied) {
    for (const h of req.headers) {
      if (!sameHeaderName(h.name, name)) continue;
      let value = h.value;
      if (name === 'To' && opts.toTag !== undefined && status !== 100 && !hasTag(value)) {
        value = `${value};tag=${opts.toTag}`;
      }
      headers.push({ name, value });
    }
  }
  for (const h of extra) headers.push({ name: canonicalName(h.name), value: h.value });
  return { kind: 'response', status, reason: reason ?? reasonPhrase(status), headers, body: Buffer.alloc(0) };
}

function hasTag(nameAddrValue: string): boolean {
  try {
    return parseNameAddr(nameAddrValue).params['tag'] !== undefined;
  } catch (err) {
    if (!(err instanceof SipSyntaxError)) throw err;
    // Unparseable To: a textual check is the best we can do without inventing one.
    return /;\s*tag\s*=/i.test(nameAddrValue);
  }
}
