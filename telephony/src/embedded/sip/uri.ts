// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966): parse, format, compare.
// Other schemes are kept with their scheme and the rest as an opaque string in
// `host`, so an unknown scheme in a From or Contact is carried, not refused.

import type { Params, SipUri } from './message.js';

/** Thrown by parseUri (and other strict parsers here) on text that is not valid syntax. */
export class SipSyntaxError extends Error {
  override readonly name = 'SipSyntaxError';
  constructor(message: string, readonly input?: string) {
    super(message);
  }
}

/**
 * A piece of untrusted input for an error text: quoted, cut to `max` characters,
 * control characters shown as "?" (reasons may end up in a reason phrase or a log line).
 */
export function quoteInput(text: string, max = 60): string {
  const cut = text.length > max ? text.slice(0, max) + '…' : text;
  return `"${cut.replace(/[\x00-\x1f\x7f]/g, '?')}"`;
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):/;
// hostname / IPv4: alphanumerics, dots and dashes; IPv6 references in brackets.
const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV6_RE = /^\[[0-9A-Fa-f:.]+\]$/;
// Characters that may appear unescaped, per part (RFC 3261 §25.1).
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_SAFE = new RegExp(`[${UNRESERVED}&=+$,;?/]`);
const PASSWORD_SAFE = new RegExp(`[${UNRESERVED}&=+$,]`);
const PARAM_SAFE = new RegExp(`[${UNRESERVED}\\[\\]/:&+$]`);
const HEADER_SAFE = new RegExp(`[${UNRESERVED}\\[\\]/?:+$]`);
// What a part may contain on the wire (its safe set plus %HH escapes).
const USER_WIRE = new RegExp(`^(?:[${UNRESERVED}&=+$,;?/]|%[0-9A-Fa-f]{2})+$`);
const PASSWORD_WIRE = new RegExp(`^(?:[${UNRESERVED}&=+$,]|%[0-9A-Fa-f]{2})*$`);
const PARAM_WIRE = new RegExp(`^(?:[${UNRESERVED}\\[\\]/:&+$]|%[0-9A-Fa-f]{2})+$`);
const HEADER_WIRE = new RegExp(`^(?:[${UNRESERVED}\\[\\]/?:+$]|%[0-9A-Fa-f]{2})*$`);
const TEL_SUBSCRIBER_RE = /^\+?[0-9A-Fa-f*#\-.()]+$/;

/** %HH → character; a '%' not followed by two hex digits is kept literally. */
export function unescapeText(text: string): string {
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x25 && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      for (const b of Buffer.from(text[i] ?? '', 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function escapeWith(text: string, safe: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (safe.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function parseParamList(text: string, input: string): Params {
  const params: Params = {};
  for (const part of text.split(';')) {
    if (part === '') throw new SipSyntaxError('empty URI parameter', input);
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (!PARAM_WIRE.test(name) || (value !== null && value !== '' && !PARAM_WIRE.test(value))) {
      throw new SipSyntaxError(`bad URI parameter ${quoteInput(part)}`, input);
    }
    params[unescapeText(name).toLowerCase()] = value === null ? null : unescapeText(value);
  }
  return params;
}

function parseSipUri(scheme: string, rest: string, input: string): SipUri {
  let headersText: string | undefined;
  let main = rest;
  const at = main.lastIndexOf('@');
  // '?' is legal inside the user part, so only a '?' after the host starts headers.
  const q = main.indexOf('?', at + 1);
  if (q >= 0) {
    headersText = main.slice(q + 1);
    main = main.slice(0, q);
  }
  let user: string | undefined;
  let password: string | undefined;
  let hostPart = main;
  if (at >= 0) {
    const userinfo = main.slice(0, at);
    hostPart = main.slice(at + 1);
    const colon = userinfo.indexOf(':');
    const userText = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (!USER_WIRE.test(userText)) throw new SipSyntaxError('bad user part', input);
    user = unescapeText(userText);
    if (colon >= 0) {
      const pw = userinfo.slice(colon + 1);
      if (!PASSWORD_WIRE.test(pw)) throw new SipSyntaxError('bad password', input);
      password = unescapeText(pw);
    }
  }
  const semi = hostPart.indexOf(';');
  const hostport = semi < 0 ? hostPart : hostPart.slice(0, semi);
  const params = semi < 0 ? {} : parseParamList(hostPart.slice(semi + 1), input);
  let host = hostport;
  let port: number | undefined;
  const portMatch = /^(.*?):(\d{1,5})$/.exec(hostport);
  if (portMatch && !hostport.endsWith(']')) {
    host = portMatch[1] ?? '';
    port = Number(portMatch[2]);
    if (port > 65535) throw new SipSyntaxError('port out of range', input);
  }
  if (!HOSTNAME_RE.test(host) && !IPV6_RE.test(host)) throw new SipSyntaxError(`bad host ${quoteInput(host)}`, input);
  const headers: Record<string, string> = {};
  if (headersText !== undefined) {
    for (const pair of headersText.split('&')) {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      const value = eq < 0 ? '' : pair.slice(eq + 1);
      if (name === '' || !HEADER_WIRE.test(name) || !HEADER_WIRE.test(value)) {
        throw new SipSyntaxError(`bad URI header ${quoteInput(pair)}`, input);
      }
      headers[unescapeText(name)] = unescapeText(value);
    }
  }
  const uri: SipUri = { scheme, host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (port !== undefined) uri.port = port;
  return uri;
}

function parseTelUri(rest: string, input: string): SipUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  if (!TEL_SUBSCRIBER_RE.test(number)) throw new SipSyntaxError('bad telephone number', input);
  const params = semi < 0 ? {} : parseParamList(rest.slice(semi + 1), input);
  return { scheme: 'tel', user: number, host: '', params, headers: {} };
}

/**
 * Parse a URI (no surrounding <>, no whitespace). sip/sips/tel are parsed into
 * parts; other schemes keep the text after "scheme:" as `host`.
 * @throws SipSyntaxError on invalid syntax
 */
export function parseUri(text: string): SipUri {
  if (/[\s<>"]/.test(text)) throw new SipSyntaxError('URI contains whitespace, quotes or <>', text);
  const m = SCHEME_RE.exec(text);
  if (!m) throw new SipSyntaxError('URI has no scheme', text);
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = text.slice(m[0].length);
  if (rest === '') throw new SipSyntaxError('URI is empty after the scheme', text);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, text);
  if (scheme === 'tel') return parseTelUri(rest, text);
  return { scheme, host: rest, params: {}, headers: {} };
}

/** parseUri that returns undefined instead of throwing. */
export function tryParseUri(text: string): SipUri | undefined {
  try {
    return parseUri(text);
  } catch (err) {
    if (err instanceof SipSyntaxError) return undefined;
    throw err;
  }
}

function formatParams(params: Params): string {
  let out = '';
  for (const [name, value] of Object.entries(params)) {
    out += ';' + escapeWith(name, PARAM_SAFE);
    if (value !== null) out += '=' + escapeWith(value, PARAM_SAFE);
  }
  return out;
}

/** Text form of a URI, escaping what must be escaped in each part. */
export function formatUri(uri: SipUri): string {
  if (uri.scheme === 'tel') return `tel:${uri.user ?? ''}${formatParams(uri.params)}`;
  if (uri.scheme !== 'sip' && uri.scheme !== 'sips') return `${uri.scheme}:${uri.host}`;
  let out = uri.scheme + ':';
  if (uri.user !== undefined) {
    out += escapeWith(uri.user, USER_SAFE);
    if (uri.password !== undefined) out += ':' + escapeWith(uri.password, PASSWORD_SAFE);
    out += '@';
  }
  out += uri.host;
  if (uri.port !== undefined) out += ':' + String(uri.port);
  out += formatParams(uri.params);
  const headers = Object.entries(uri.headers);
  if (headers.length > 0) {
    out += '?' + headers.map(([n, v]) => `${escapeWith(n, HEADER_SAFE)}=${escapeWith(v, HEADER_SAFE)}`).join('&');
  }
  return out;
}

// A user, ttl, method or maddr parameter present in only one URI makes them differ
// (RFC 3261 §19.1.4); so does transport, per that section's rule on explicit
// defaults and its example (sip:bob@biloxi.com vs ;transport=udp). Other
// one-sided parameters are ignored.
const PARAMS_THAT_MUST_BOTH_APPEAR = new Set(['user', 'ttl', 'method', 'maddr', 'transport']);

function paramsEqual(a: Params, b: Params): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const name of names) {
    const inA = Object.hasOwn(a, name);
    const inB = Object.hasOwn(b, name);
    if (inA && inB) {
      if ((a[name] ?? '').toLowerCase() !== (b[name] ?? '').toLowerCase()) return false;
    } else if (PARAMS_THAT_MUST_BOTH_APPEAR.has(name)) {
      return false;
    }
  }
  return true;
}

function headersEqual(a: Record<string, string>, b: Record<string, string>): boolean {
  const lower = (h: Record<string, string>): Map<string, string> =>
    new Map(Object.entries(h).map(([n, v]) => [n.toLowerCase(), v.toLowerCase()]));
  const la = lower(a);
  const lb = lower(b);
  if (la.size !== lb.size) return false;
  for (const [n, v] of la) if (lb.get(n) !== v) return false;
  return true;
}

/** tel numbers compare without visual separators (RFC 3966 §4). */
function telDigits(user: string | undefined): string {
  return (user ?? '').replace(/[-.()]/g, '').toLowerCase();
}

/**
 * URI equality per RFC 3261 §19.1.4: user and password case-sensitive after
 * unescaping, host and parameters case-insensitive, an explicit port never
 * equals an omitted one, user/ttl/method/maddr/transport must appear in both, other
 * parameters count only when in both, headers must all match.
 * Limit: parts are stored unescaped, so an escaped reserved character
 * ("%3B") equals its literal form, which the RFC would tell apart.
 */
export function uriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme.toLowerCase() !== b.scheme.toLowerCase()) return false;
  const scheme = a.scheme.toLowerCase();
  if (scheme === 'tel') return telDigits(a.user) === telDigits(b.user) && paramsEqual(a.params, b.params);
  if (scheme !== 'sip' && scheme !== 'sips') return a.host === b.host;
  return (
    a.user === b.user &&
    a.password === b.password &&
    a.host.toLowerCase() === b.host.toLowerCase() &&
    a.port === b.port &&
    paramsEqual(a.params, b.params) &&
    headersEqual(a.headers, b.headers)
  );
}
