// SipMessage → wire bytes: canonical header names, one line per header field,
// and a Content-Length that always matches the body (any given one is replaced).

import type { SipMessage } from './message.js';
import { canonicalName } from './names.js';

/**
 * @throws TypeError when a start-line part or header contains CR or LF: that
 * would let text smuggle extra headers onto the wire, and is a caller's bug.
 */
export function serializeMessage(m: SipMessage): Buffer {
  const startLine =
    m.kind === 'request' ? `${m.method} ${m.uri} SIP/2.0` : `SIP/2.0 ${String(m.status)} ${m.reason}`;
  assertSingleLine('start line', startLine);
  let head = startLine + '\r\n';
  for (const h of m.headers) {
    const name = canonicalName(h.name);
    if (name === 'Content-Length') continue;
    assertSingleLine(name, name + h.value);
    head += `${name}: ${h.value}\r\n`;
  }
  head += `Content-Length: ${String(m.body.length)}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), m.body]);
}

function assertSingleLine(what: string, text: string): void {
  if (/[\r\n]/.test(text)) throw new TypeError(`SIP ${what} contains CR or LF`);
}
