// Wire bytes → SipMessage. Framing only: the start line, header lines (unfolded,
// names canonicalised, values raw) and the body bounded by Content-Length.
// Structured header values are checked later (validate.ts), so a message with
// one odd header can still be answered. Never throws: every failure is a value.

import type { HeaderField, SipMessage, SipRequest, SipResponse } from './message.js';
import { canonicalName, TOKEN_RE } from './names.js';
import { quoteInput, tryParseUri } from './uri.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024;

export interface ParseOptions {
  /** Largest accepted message (headers and body), in bytes. Default 64 KiB. */
  maxSize?: number;
  /**
   * Stream transport (TCP, TLS): `buf` may hold a partial message or several;
   * Content-Length is required. Default false: `buf` is one UDP datagram.
   */
  stream?: boolean;
}

export interface SipParseError {
  /** Human text naming the part or header at fault. */
  reason: string;
  /**
   * Status to answer a request with when `partial` is present: 400 for syntax,
   * 505 for another SIP version, 513 for an oversized message.
   */
  status: number;
  /**
   * Present for a request whose method and Via, From, To, Call-ID and CSeq were
   * readable: a request holding only those headers (as received, in wire order)
   * and an empty body, enough for createResponse to address an error back.
   */
  partial?: SipRequest;
}

export type ParseResult =
  | { ok: true; message: SipMessage; consumed: number }
  /** Stream mode only: the message is not complete yet; keep the bytes, read more. */
  | { ok: false; incomplete: true }
  /**
   * Only CRLFs before any message (RFC 5626 keep-alive "\r\n\r\n", or stray line
   * ends): drop `consumed` bytes. A stream transport answers a double CRLF ping
   * with a single CRLF pong.
   */
  | { ok: false; keepAlive: true; consumed: number }
  | { ok: false; error: SipParseError };

const MAX_CONTENT_LENGTH = 2 ** 32 - 1;
const CR = 0x0d;
const LF = 0x0a;
const SIP_VERSION = 'SIP/2.0';
const VERSION_RE = /^SIP\/(\d+)\.(\d+)$/i;
const ADDRESSING_HEADERS = new Set(['Via', 'From', 'To', 'Call-ID', 'CSeq']);

/** Index just past the empty line that ends the header section, or -1. */
function findHeaderEnd(buf: Buffer, from: number, limit: number): number {
  let i = from;
  while (i < limit) {
    const lf = buf.indexOf(LF, i);
    if (lf < 0 || lf >= limit) return -1;
    // Accept CRLF CRLF and, from sloppy peers, bare LF line ends.
    if (buf[lf + 1] === LF) return lf + 2;
    if (buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
    i = lf + 1;
  }
  return -1;
}

interface Head {
  startLine: string;
  headers: HeaderField[];
  /** First problem found in the header lines, if any. */
  problem?: string;
}

/** Split and unfold the header section (text up to, not including, the empty line). */
function splitHead(text: string): Head {
  const lines = text.split(/\r?\n/);
  const startLine = lines[0] ?? '';
  const headers: HeaderField[] = [];
  let problem: string | undefined;
  let current: { name: string; value: string } | undefined;
  const flush = (): void => {
    if (current) headers.push({ name: current.name, value: current.value.trim() });
    current = undefined;
  };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    if (line.includes('\r')) {
      // A CR not ending a line would reach the wire again in a 4xx built from these headers.
      problem ??= `header line ${i + 1} contains a bare CR`;
      flush();
      continue;
    }
    if (line[0] === ' ' || line[0] === '\t') {
      // LWS continuation: the fold is equivalent to a single SP.
      if (current) current.value += ' ' + line.trim();
      else problem ??= `line ${i + 1} is a continuation with no header before it`;
      continue;
    }
    flush();
    const colon = line.indexOf(':');
    if (colon < 0) {
      problem ??= `header line ${i + 1} has no colon: ${quoteInput(line, 60)}`;
      continue;
    }
    const rawName = line.slice(0, colon).trimEnd();
    if (!TOKEN_RE.test(rawName)) {
      problem ??= `header line ${i + 1} has an invalid name ${quoteInput(rawName, 60)}`;
      continue;
    }
    current = { name: canonicalName(rawName), value: line.slice(colon + 1) };
  }
  flush();
  const head: Head = { startLine, headers };
  if (problem !== undefined) head.problem = problem;
  return head;
}

function partialOf(method: string, uri: string, headers: HeaderField[]): SipRequest | undefined {
  const kept = headers.filter((h) => ADDRESSING_HEADERS.has(h.name));
  for (const name of ADDRESSING_HEADERS) if (!kept.some((h) => h.name === name)) return undefined;
  return { kind: 'request', method, uri, headers: kept, body: Buffer.alloc(0) };
}

type StartLine =
  | { kind: 'request'; method: string; uri: string }
  | { kind: 'response'; status: number; reason: string }
  | { kind: 'bad'; reason: string; status: number; method?: string; uri?: string };

function parseStartLine(line: string): StartLine {
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(line)) return { kind: 'bad', status: 400, reason: 'control character in the start line' };
  if (/^SIP\//i.test(line)) {
    const m = /^(SIP\/\d+\.\d+) (\d+) ?(.*)$/i.exec(line);
    if (!m) return { kind: 'bad', status: 400, reason: `malformed status line ${quoteInput(line, 80)}` };
    if ((m[1] ?? '').toUpperCase() !== SIP_VERSION) {
      return { kind: 'bad', status: 505, reason: `unsupported SIP version ${m[1] ?? ''} in status line` };
    }
    const code = m[2] ?? '';
    // Keep absurd codes as numbers so validateResponse can say why it drops them.
    const status = code.length > 15 ? Number.MAX_SAFE_INTEGER : Number(code);
    return { kind: 'response', status, reason: m[3] ?? '' };
  }
  const parts = line.split(' ');
  const method = parts[0] ?? '';
  if (!TOKEN_RE.test(method)) return { kind: 'bad', status: 400, reason: `malformed request line ${quoteInput(line, 80)}` };
  if (parts.length !== 3 || parts.some((p) => p === '')) {
    return {
      kind: 'bad', status: 400, method, uri: parts[1] ?? '',
      reason: 'request line must be "Method SP Request-URI SP SIP-Version" with single spaces and no trailing space',
    };
  }
  const uri = parts[1] ?? '';
  const version = parts[2] ?? '';
  if (!VERSION_RE.test(version)) return { kind: 'bad', status: 400, method, uri, reason: `malformed SIP version ${quoteInput(version)}` };
  if (version.toUpperCase() !== SIP_VERSION) {
    return { kind: 'bad', status: 505, method, uri, reason: `unsupported SIP version ${version}` };
  }
  const uriProblem = requestUriProblem(uri);
  if (uriProblem) return { kind: 'bad', status: 400, method, uri, reason: uriProblem };
  return { kind: 'request', method, uri };
}

/** Why a Request-URI is unusable, or undefined. Unknown schemes are left to validate (416). */
function requestUriProblem(uri: string): string | undefined {
  if (uri.startsWith('<')) return 'Request-URI must not be enclosed in <>';
  if (/[\s"<>]/.test(uri)) return 'Request-URI contains whitespace, quotes or <>';
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):./.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return `Request-URI ${quoteInput(uri, 80)} has no scheme`;
  if (scheme !== 'sip' && scheme !== 'sips' && scheme !== 'tel') return undefined;
  const parsed = tryParseUri(uri);
  if (!parsed) return `malformed Request-URI ${quoteInput(uri, 80)}`;
  if (Object.keys(parsed.headers).length > 0) return 'Request-URI must not contain headers (?...)';
  return undefined;
}

/** The partial request readable from the complete lines of an oversized head. */
function partialOfTruncated(buf: Buffer, start: number, limit: number): SipRequest | undefined {
  const lastLf = buf.lastIndexOf(LF, limit - 1);
  if (lastLf <= start) return undefined;
  const head = splitHead(buf.toString('utf8', start, lastLf).replace(/\r$/, ''));
  const first = parseStartLine(head.startLine);
  if (first.kind === 'response' || first.method === undefined) return undefined;
  return partialOf(first.method, first.uri ?? '', head.headers);
}

function fail(reason: string, status: number, partial?: SipRequest): ParseResult {
  const error: SipParseError = { reason, status };
  if (partial) error.partial = partial;
  return { ok: false, error };
}

/** Resolve Content-Length: undefined when absent, a number, or a problem text. */
function contentLength(headers: HeaderField[]): number | undefined | { problem: string } {
  let found: number | undefined;
  for (const h of headers) {
    if (h.name !== 'Content-Length') continue;
    if (!/^\d+$/.test(h.value)) return { problem: `Content-Length ${quoteInput(h.value, 40)} is not a non-negative integer` };
    const digits = h.value.replace(/^0+(?=\d)/, '');
    // Beyond 32 bits is a malformed scalar (RFC 4475 §3.1.2.4: 400), not merely a big message (513).
    if (digits.length > 10 || Number(digits) > MAX_CONTENT_LENGTH) return { problem: `Content-Length ${digits.slice(0, 40)} is too large` };
    const n = Number(digits);
    if (found !== undefined && found !== n) return { problem: 'multiple differing Content-Length values' };
    found = n;
  }
  return found;
}

/**
 * Parse one SIP message from the start of `buf`. In stream mode the buffer may
 * hold a partial message (→ incomplete) or more than one (→ `consumed` says
 * where the next begins). Leading CRLFs (keep-alives) are skipped.
 */
export function parseMessage(buf: Buffer, opts: ParseOptions = {}): ParseResult {
  try {
    return parseUnsafe(buf, opts.maxSize ?? DEFAULT_MAX_MESSAGE_SIZE, opts.stream ?? false);
  } catch (err) {
    // Defence in depth: the code above is written not to throw, but a parser
    // bug must cost one message, never the process.
    return fail(`internal parser error: ${err instanceof Error ? err.message : String(err)}`, 400);
  }
}

function parseUnsafe(buf: Buffer, maxSize: number, stream: boolean): ParseResult {
  let start = 0;
  while (start < buf.length && (buf[start] === CR || buf[start] === LF)) start++;
  if (start === buf.length) {
    if (start === 0) return stream ? { ok: false, incomplete: true } : fail('empty datagram', 400);
    return { ok: false, keepAlive: true, consumed: start };
  }
  const limit = Math.min(buf.length, start + maxSize);
  const headEnd = findHeaderEnd(buf, start, limit);
  if (headEnd < 0) {
    if (buf.length - start >= maxSize) {
      return fail(`message exceeds the size limit of ${maxSize} bytes`, 513, partialOfTruncated(buf, start, limit));
    }
    if (stream) return { ok: false, incomplete: true };
    return fail('header section not terminated by an empty line', 400);
  }
  const headText = buf.toString('utf8', start, headEnd).replace(/\r?\n\r?\n$/, '');
  const head = splitHead(headText);
  const first = parseStartLine(head.startLine);
  const method = first.kind === 'request' ? first.method : first.kind === 'bad' ? first.method : undefined;
  const uri = first.kind === 'request' ? first.uri : first.kind === 'bad' ? first.uri : undefined;
  const partial = method !== undefined ? partialOf(method, uri ?? '', head.headers) : undefined;
  if (first.kind === 'bad') return fail(first.reason, first.status, partial);
  if (head.problem !== undefined) return fail(head.problem, 400, partial);

  const cl = contentLength(head.headers);
  if (typeof cl === 'object') return fail(cl.problem, 400, partial);
  let bodyEnd: number;
  if (cl === undefined) {
    if (stream) return fail('Content-Length is required on stream transports', 400, partial);
    bodyEnd = buf.length;
  } else {
    bodyEnd = headEnd + cl;
  }
  if (bodyEnd - start > maxSize) return fail(`message exceeds the size limit of ${maxSize} bytes`, 513, partial);
  if (bodyEnd > buf.length) {
    if (stream) return { ok: false, incomplete: true };
    return fail(`body is shorter than Content-Length (${buf.length - headEnd} of ${cl ?? 0} bytes)`, 400, partial);
  }
  // Copy: the caller's buffer (a TCP accumulator) may be reused.
  const body = Buffer.from(buf.subarray(headEnd, bodyEnd));
  const message: SipMessage =
    first.kind === 'request'
      ? ({ kind: 'request', method: first.method, uri: first.uri, headers: head.headers, body } satisfies SipRequest)
      : ({ kind: 'response', status: first.status, reason: first.reason, headers: head.headers, body } satisfies SipResponse);
  return { ok: true, message, consumed: bodyEnd };
}
