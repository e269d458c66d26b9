// Placing an INVITE (or any out-of-dialog request) and seeing it through:
// provisional responses, a digest challenge answered once, CANCEL on timeout
// or abort, and the final outcome as a 2xx or a contract hangup cause.
import type { Logger } from 'pino';
import type { HangupCause } from '../../driver.js';
import { answerDigestChallenge, type DigestClientCredentials } from '../registrar/digest-client.js';
import { getHeaders, removeHeader } from '../sip/headers.js';
import { randomHex } from '../sip/random-tokens.js';
import type { HeaderField, SipEndpoint, SipRequest, SipResponse } from '../sip/message.js';
import type { SipStack } from '../sip/stack.js';
import type { ClientTransaction } from '../sip/transaction/client.js';
import { causeForStatus } from './causes.js';

export function newTag(): string {
  return randomHex(6);
}

export function newCallId(host: string): string {
  return `${randomHex(12)}@${host}`;
}

export interface NewRequestInit {
  method: string;
  uri: string;
  from: string;
  to: string;
  callId: string;
  cseq: number;
  contact?: string;
  headers?: HeaderField[];
  body?: { contentType: string; text: string };
}

export function newRequest(init: NewRequestInit): SipRequest {
  const headers: HeaderField[] = [
    { name: 'From', value: init.from },
    { name: 'To', value: init.to },
    { name: 'Call-ID', value: init.callId },
    { name: 'CSeq', value: `${init.cseq} ${init.method}` },
  ];
  if (init.contact) headers.push({ name: 'Contact', value: init.contact });
  headers.push(...(init.headers ?? []));
  let body = Buffer.alloc(0);
  if (init.body) {
    headers.push({ name: 'Content-Type', value: init.body.contentType });
    body = Buffer.from(init.body.text, 'utf8');
  }
  return { kind: 'request', method: init.method, uri: init.uri, headers, body };
}

/**
 * The same request again with the next CSeq and credentials for the challenge
 * in `response` (401 → Authorization, 407 → Proxy-Authorization). undefined
 * when the challenge cannot be answered.
 */
export function withCredentials(request: SipRequest, response: SipResponse, credentials: DigestClientCredentials): SipRequest | undefined {
  const proxy = response.status === 407;
  const challenges = getHeaders(response, proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate');
  const answer = answerDigestChallenge(challenges, { method: request.method, uri: request.uri }, credentials);
  if (!answer) return undefined;
  const next: SipRequest = { ...request, headers: request.headers.map((h) => ({ ...h })) };
  removeHeader(next, 'Via');
  removeHeader(next, proxy ? 'Proxy-Authorization' : 'Authorization');
  for (const h of next.headers) {
    if (h.name === 'CSeq') {
      const [seq, method] = h.value.trim().split(/\s+/);
      h.value = `${Number(seq) + 1} ${method ?? request.method}`;
    }
  }
  next.headers.push({ name: proxy ? 'Proxy-Authorization' : 'Authorization', value: answer.value });
  return next;
}

export type InviteOutcome =
  | { kind: 'answered'; tx: ClientTransaction; response: SipResponse; lateFor?: HangupCause }
  | { kind: 'failed'; cause: HangupCause; status: number };

export interface PlaceInviteOptions {
  stack: SipStack;
  request: SipRequest;
  destination: SipEndpoint;
  credentials?: DigestClientCredentials;
  timeoutMs: number;
  signal?: AbortSignal;
  log: Logger;
  onProvisional?: (response: SipResponse) => void;
  /** Told of each transaction as it starts (the first, then the authenticated retry). */
  onTransaction?: (tx: ClientTransaction) => void;
}

export async function placeInvite(opts: PlaceInviteOptions): Promise<InviteOutcome> {
  let request = opts.request;
  let authenticated = false;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const tx = opts.stack.sendRequest(request, opts.destination);
    opts.onTransaction?.(tx);
    if (opts.onProvisional) tx.on('provisional', opts.onProvisional);
    let giveUp: HangupCause | undefined;
    const stop = (cause: HangupCause): void => {
      if (giveUp) return;
      giveUp = cause;
      opts.log.info({ cause }, 'cancelling outbound INVITE');
      tx.cancel();
    };
    const timer = setTimeout(() => stop('no-answer'), Math.max(0, deadline - Date.now()));
    const onAbort = (): void => stop('cancelled');
    if (opts.signal?.aborted) onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    // A CANCEL sent before any provisional response waits for one (§9.1); if none
    // ever comes, Timer B ends the transaction with a synthetic 408.
    const response = await tx.response;
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);

    if (response.status >= 200 && response.status < 300) {
      // Answered as we gave up (the 200 crossed our CANCEL): the caller ACKs and hangs up.
      return giveUp ? { kind: 'answered', tx, response, lateFor: giveUp } : { kind: 'answered', tx, response };
    }
    if ((response.status === 401 || response.status === 407) && opts.credentials && !authenticated && !giveUp) {
      const retry = withCredentials(request, response, opts.credentials);
      if (retry) {
        authenticated = true;
        request = retry;
        opts.log.debug({ status: response.status }, 'answering digest challenge');
        continue;
      }
    }
    // The WebSocket of the phone we were ringing closed: its line is lost, which the application
    // treats otherwise than a phone that is absent or refuses (the ACD's break "line lost").
    const cause = giveUp ?? (tx.connectionLost ? 'line-lost' : causeForStatus(response.status));
    return { kind: 'failed', cause, status: response.status };
  }
}
