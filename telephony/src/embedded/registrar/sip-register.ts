// Maps a REGISTER SipRequest onto the registrar's input, and the outcome back
// onto a response. Malformed headers give undefined (the caller answers 400).
import { createResponse, getHeader, getHeaders, parseCSeq, parseNameAddr } from '../sip/headers.js';
import { parseUri } from '../sip/uri.js';
import type { SipEndpoint, SipRequest, SipResponse } from '../sip/message.js';
import type { RegisterContact, RegisterInput, RegisterOutcome } from './registrar.js';

export function registerInputFromRequest(req: SipRequest, source: SipEndpoint & { identity?: string }): RegisterInput | undefined {
  try {
    const to = getHeader(req, 'To');
    const callId = getHeader(req, 'Call-ID');
    const cseqText = getHeader(req, 'CSeq');
    if (!to || !callId || !cseqText) return undefined;
    const user = parseNameAddr(to).uri.user;
    const contactValues = getHeaders(req, 'Contact');
    let contacts: RegisterContact[] | '*';
    if (contactValues.length === 1 && contactValues[0]?.trim() === '*') {
      contacts = '*';
    } else {
      contacts = contactValues.map((value) => {
        const addr = parseNameAddr(value);
        const expires = addr.params['expires'];
        // Keep the contact's URI text as the device wrote it inside <...>.
        const inner = /<([^>]*)>/.exec(value)?.[1] ?? value.split(';')[0]?.trim() ?? '';
        parseUri(inner);
        return { uri: inner, ...(expires ? { expires: toSeconds(expires) } : {}) };
      });
    }
    const expiresText = getHeader(req, 'Expires');
    const userAgent = getHeader(req, 'User-Agent');
    return {
      user, contacts,
      ...(expiresText !== undefined ? { expires: toSeconds(expiresText) } : {}),
      authorization: getHeaders(req, 'Authorization'),
      callId, cseq: parseCSeq(cseqText).seq, source,
      ...(userAgent !== undefined ? { userAgent } : {}),
      ...(source.identity !== undefined ? { authenticatedUser: source.identity } : {}),
    };
  } catch {
    // An unreadable REGISTER: the caller answers 400 Bad Request.
    return undefined;
  }
}

function toSeconds(text: string): number {
  const n = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(n) || n < 0) throw new RangeError(`bad expires ${text}`);
  return n;
}

export function responseForRegister(req: SipRequest, outcome: RegisterOutcome, toTag: string): SipResponse {
  return createResponse(req, outcome.status, outcome.reason, outcome.headers, { toTag });
}
