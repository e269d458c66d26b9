// The browser phone on FreeSWITCH: each /sip WebSocket Tenor accepted (web
// session, Origin, a webrtc agent) is relayed to FreeSWITCH's WebSocket
// binding on the loopback over one upstream WebSocket of its own (subprotocol
// "sip"), so FreeSWITCH sees one connection per browser, registers it there,
// rings it there and drops the registration when it closes. The browser's SIP
// is what JsSIP sends to the embedded engine; the relay changes only this:
//
// - identity: a REGISTER must be From and To the signed-in user, any other
//   request that starts something must be From that user, and a request
//   inside a dialog or transaction must belong to one seen on this connection;
//   anything else gets 403 here and never reaches FreeSWITCH;
// - credentials: the browser holds no SIP secret. FreeSWITCH challenges the
//   REGISTER (and a call from the browser); the relay answers the challenge
//   itself with the user's directory secret (relay-directory.ts), resending
//   the request with the next CSeq, and maps the answer back to the browser's
//   own branch and CSeq, so the browser never sees the challenge;
// - transport: FreeSWITCH's binding is plain ws on the loopback; a browser on
//   TLS says Via SIP/2.0/WSS, which FreeSWITCH would take as a wss contact it
//   cannot reach, so the top Via goes up as WS and comes back as the browser
//   wrote it.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { SipWebSocketPeer, SipWebSocketSink } from '../driver.js';
import { computeDigestResponse, formatDigestParams, parseDigestParams } from '../embedded/registrar/digest.js';
import {
  createResponse, getHeader, getHeaders, parseCSeq, parseNameAddr, removeHeader, setHeader, splitList,
} from '../embedded/sip/headers.js';
import type { SipMessage, SipRequest, SipResponse } from '../embedded/sip/message.js';
import { parseMessage } from '../embedded/sip/parse.js';
import { serializeMessage } from '../embedded/sip/serialize.js';
import type { RelayDirectory } from './relay-directory.js';

/** One SIP message per WebSocket message, as on the embedded engine. */
const MAX_MESSAGE = 64 * 1024;
/** Requests awaiting their final answer, and Call-IDs remembered, per connection: bounds against a flood. */
const MAX_PENDING = 256;
const MAX_CALL_IDS = 1024;
/** How long a browser's messages wait for the upstream connection before the socket is given up. */
const UPSTREAM_OPEN_MS = 10_000;
const CRLF_ONLY = /^[\r\n]+$/;
/** Sockets one user may have relayed at once (a few tabs); each holds a connection to FreeSWITCH. */
export const MAX_SOCKETS_PER_USER = 4;

export interface SipWsRelayOptions {
  /** FreeSWITCH's WebSocket binding, e.g. ws://127.0.0.1:40123. */
  url: string;
  directory: RelayDirectory;
  logger: Logger;
  /** Told when a browser's connection is gone, with the Call-IDs of the calls it carried (line lost). */
  onClosed?(user: string, callIds: readonly string[]): void;
}

/** A request sent upstream whose final answer has not come: what the browser sent, for the answer and a challenge. */
interface Pending {
  /** The request as sent upstream (a challenge resends it). */
  request: SipRequest;
  /** The browser's own top Via and CSeq number, restored on the answer. */
  browserVia: string;
  browserSeq: number;
  /** Already resent with credentials: a second challenge goes to the browser. */
  authenticated: boolean;
}

export class SipWsRelay {
  readonly #opts: SipWsRelayOptions;
  readonly #connections = new Set<RelayConnection>();

  constructor(opts: SipWsRelayOptions) {
    this.#opts = opts;
  }

  attach(peer: SipWebSocketPeer): SipWebSocketSink {
    const mine = [...this.#connections].filter((c) => c.user === peer.user).length;
    if (mine >= MAX_SOCKETS_PER_USER) {
      this.#opts.logger.warn({ user: peer.user, sockets: mine }, 'sip websocket refused: too many for this user');
      peer.close(1008, 'too many phone connections for this user');
      return { receive: () => undefined, closed: () => undefined };
    }
    const connection = new RelayConnection(peer, this.#opts, () => this.#connections.delete(connection));
    this.#connections.add(connection);
    return connection;
  }

  /** Closes every relayed connection (the driver stops). */
  close(): void {
    for (const connection of [...this.#connections]) connection.shutdown();
  }
}

class RelayConnection implements SipWebSocketSink {
  readonly #peer: SipWebSocketPeer;
  readonly #opts: SipWsRelayOptions;
  readonly #log: Logger;
  readonly #upstream: WebSocket;
  readonly #queue: string[] = [];
  readonly #forget: () => void;
  /** By the branch sent upstream. */
  readonly #pending = new Map<string, Pending>();
  /** The browser's branch → the one sent upstream after a challenge (its CANCEL and non-2xx ACK must follow). */
  readonly #branchAlias = new Map<string, string>();
  /** Added to the browser's CSeq numbers in a Call-ID, one per challenge answered in it. */
  readonly #cseqOffset = new Map<string, number>();
  /** Call-IDs of transactions and dialogs on this connection (in insertion order, for the bound). */
  readonly #callIds = new Set<string>();
  /** Call-IDs of INVITE dialogs on this connection: the calls a lost line ends. */
  readonly #calls = new Set<string>();
  #closed = false;

  get user(): string {
    return this.#peer.user;
  }

  constructor(peer: SipWebSocketPeer, opts: SipWsRelayOptions, forget: () => void) {
    this.#peer = peer;
    this.#opts = opts;
    this.#forget = forget;
    this.#log = opts.logger.child({ component: 'sip-ws-relay', user: peer.user });
    opts.directory.opened(peer.user);
    this.#upstream = new WebSocket(opts.url, 'sip', { maxPayload: MAX_MESSAGE, handshakeTimeout: UPSTREAM_OPEN_MS });
    this.#upstream.on('open', () => {
      for (const text of this.#queue.splice(0)) this.#upstream.send(text);
    });
    this.#upstream.on('message', (data) => {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      void this.#fromFreeSwitch(buffer).catch((err: unknown) => this.#log.error({ err }, 'relaying a message from FreeSWITCH failed'));
    });
    this.#upstream.on('error', (err) => this.#log.warn({ err }, 'upstream websocket to FreeSWITCH failed'));
    this.#upstream.on('close', (code) => {
      if (this.#closed) return;
      this.#log.warn({ code }, 'FreeSWITCH closed the relayed websocket: closing the browser\'s');
      this.#peer.close(1011, 'the telephony engine closed the connection');
      this.closed();
    });
  }

  receive(data: Buffer): void {
    if (this.#closed) return;
    void this.#fromBrowser(data).catch((err: unknown) => this.#log.error({ err }, 'relaying a message from the browser failed'));
  }

  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#forget();
    this.#opts.directory.closed(this.#peer.user);
    // FreeSWITCH drops the registration of a closed WebSocket ("socket-disconnection").
    this.#upstream.close(1000, 'browser gone');
    this.#log.info({ calls: this.#calls.size }, 'relayed sip websocket closed');
    this.#opts.onClosed?.(this.#peer.user, [...this.#calls]);
  }

  shutdown(): void {
    this.#peer.close(1001, 'server shutting down');
    this.closed();
  }

  #toUpstream(message: SipMessage): void {
    const text = serializeMessage(message).toString('utf8');
    if (this.#upstream.readyState === WebSocket.OPEN) this.#upstream.send(text);
    else if (this.#upstream.readyState === WebSocket.CONNECTING && this.#queue.length < MAX_PENDING) this.#queue.push(text);
    else this.#log.debug('upstream closed: message dropped');
  }

  #toBrowser(message: SipMessage): void {
    this.#peer.send(serializeMessage(message).toString('utf8'));
  }

  #remember(callId: string): void {
    this.#callIds.delete(callId);
    this.#callIds.add(callId);
    if (this.#callIds.size > MAX_CALL_IDS) {
      const oldest = this.#callIds.values().next().value;
      if (oldest !== undefined) this.#callIds.delete(oldest);
    }
  }

  async #fromBrowser(data: Buffer): Promise<void> {
    const text = data.toString('latin1');
    if (CRLF_ONLY.test(text)) {
      // RFC 5626 §4.4.1 over WebSocket: a CRLFCRLF ping gets a CRLF pong, here as on the embedded engine.
      if (text.length >= 4) this.#peer.send('\r\n');
      return;
    }
    const parsed = parseMessage(data, { maxSize: MAX_MESSAGE });
    if (!parsed.ok) {
      if ('error' in parsed) this.#log.info({ reason: parsed.error.reason }, 'malformed sip message from the browser dropped');
      return;
    }
    const message = parsed.message;
    const callId = getHeader(message, 'Call-ID');
    if (callId === undefined) return;
    if (message.kind === 'response') {
      // An answer to FreeSWITCH's request (its INVITE, BYE, ...): FreeSWITCH's Vias, nothing to change.
      if (!this.#callIds.has(callId)) return;
      this.#toUpstream(message);
      return;
    }
    const refusal = this.#refusal(message, callId);
    if (refusal !== undefined) {
      this.#log.warn({ method: message.method, callId, reason: refusal }, 'request from the browser refused');
      if (message.method !== 'ACK') this.#toBrowser(createResponse(message, 403, 'Forbidden'));
      return;
    }
    this.#remember(callId);
    if (message.method === 'INVITE' && !hasToTag(message)) this.#calls.add(callId);
    // Only the relay authenticates to FreeSWITCH.
    removeHeader(message, 'Authorization');
    removeHeader(message, 'Proxy-Authorization');
    const browserVia = topVia(message);
    const cseq = parseCSeq(getHeader(message, 'CSeq') ?? '');
    const offset = this.#cseqOffset.get(callId) ?? 0;
    if (offset !== 0) setHeader(message, 'CSeq', `${cseq.seq + offset} ${cseq.method}`);
    const branch = branchOf(browserVia);
    const alias = branch !== undefined && (message.method === 'CANCEL' || message.method === 'ACK') ? this.#branchAlias.get(branch) : undefined;
    setTopVia(message, upstreamVia(browserVia, alias));
    const upstreamBranch = alias ?? branch;
    if (message.method !== 'ACK' && upstreamBranch !== undefined) {
      if (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value ?? '');
      this.#pending.set(upstreamBranch, { request: message, browserVia, browserSeq: cseq.seq, authenticated: false });
    }
    this.#toUpstream(message);
  }

  /** Why a request from the browser may not go to FreeSWITCH, or undefined. */
  #refusal(request: SipRequest, callId: string): string | undefined {
    const user = this.#peer.user;
    let fromUser: string | undefined;
    let toUser: string | undefined;
    try {
      fromUser = parseNameAddr(getHeader(request, 'From') ?? '').uri.user;
      toUser = parseNameAddr(getHeader(request, 'To') ?? '').uri.user;
      parseCSeq(getHeader(request, 'CSeq') ?? '');
    } catch {
      return 'malformed From, To or CSeq';
    }
    if (request.method === 'REGISTER') {
      return fromUser === user && toUser === user ? undefined : `a REGISTER for another user (${String(toUser)})`;
    }
    // Inside a dialog or transaction already seen here (a BYE, an ACK, a CANCEL): the Call-ID says whose it is.
    if (hasToTag(request) || request.method === 'ACK' || request.method === 'CANCEL') {
      return this.#callIds.has(callId) ? undefined : 'not in a dialog of this connection';
    }
    return fromUser === user ? undefined : `From another user (${String(fromUser)})`;
  }

  async #fromFreeSwitch(data: Buffer): Promise<void> {
    const text = data.toString('latin1');
    if (CRLF_ONLY.test(text)) return;
    const parsed = parseMessage(data, { maxSize: MAX_MESSAGE });
    if (!parsed.ok) {
      if ('error' in parsed) this.#log.warn({ reason: parsed.error.reason }, 'malformed sip message from FreeSWITCH dropped');
      return;
    }
    const message = parsed.message;
    const callId = getHeader(message, 'Call-ID');
    if (callId === undefined) return;
    this.#remember(callId);
    if (message.kind === 'request') {
      if (message.method === 'INVITE' && !hasToTag(message)) this.#calls.add(callId);
      this.#toBrowser(message);
      return;
    }
    const branch = branchOf(topVia(message));
    const pending = branch !== undefined ? this.#pending.get(branch) : undefined;
    if (!pending) {
      this.#toBrowser(message);
      return;
    }
    if ((message.status === 401 || message.status === 407) && !pending.authenticated && await this.#answerChallenge(message, pending, branch ?? '', callId)) return;
    if (message.status >= 200 && branch !== undefined) this.#pending.delete(branch);
    // Back to the browser as it wrote its request: its branch and Via, its CSeq number.
    setTopVia(message, pending.browserVia);
    const cseq = parseCSeq(getHeader(message, 'CSeq') ?? '');
    setHeader(message, 'CSeq', `${pending.browserSeq} ${cseq.method}`);
    this.#toBrowser(message);
  }

  /** Resends a challenged request with the user's credentials; false when there are none (the challenge then goes to the browser). */
  async #answerChallenge(challenge: SipResponse, pending: Pending, branch: string, callId: string): Promise<boolean> {
    const user = this.#peer.user;
    const ha1 = await this.#opts.directory.ha1(user);
    const headerName = challenge.status === 401 ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    const params = getHeaders(challenge, headerName).map(parseDigestParams).find((p) => p !== undefined && (p.algorithm ?? 'MD5').toUpperCase() === 'MD5');
    if (ha1 === undefined || params === undefined) {
      this.#log.warn({ callId, status: challenge.status }, 'FreeSWITCH challenged a request the relay has no credentials for');
      return false;
    }
    const request = pending.request;
    if (request.method === 'INVITE') this.#toUpstream(ackFor(request, challenge));
    const offset = (this.#cseqOffset.get(callId) ?? 0) + 1;
    this.#cseqOffset.set(callId, offset);
    const cseq = parseCSeq(getHeader(request, 'CSeq') ?? '');
    const retry: SipRequest = { ...request, headers: request.headers.map((h) => ({ ...h })) };
    setHeader(retry, 'CSeq', `${cseq.seq + 1} ${cseq.method}`);
    const newBranch = `z9hG4bK${randomBytes(10).toString('hex')}`;
    setTopVia(retry, withBranch(topVia(retry), newBranch));
    const nonce = params.nonce ?? '';
    const qop = (params.qop ?? '').split(',').map((q) => q.trim()).includes('auth');
    const cnonce = randomBytes(8).toString('hex');
    const response = computeDigestResponse({
      algorithm: 'MD5', ha1, method: request.method, uri: request.uri, nonce, ...(qop ? { qop: 'auth' as const, nc: '00000001', cnonce } : {}),
    });
    const fields: Array<[string, string]> = [
      ['username', user], ['realm', params.realm ?? this.#opts.directory.realm], ['nonce', nonce], ['uri', request.uri], ['response', response], ['algorithm', 'MD5'],
    ];
    if (qop) fields.push(['qop', 'auth'], ['nc', '00000001'], ['cnonce', cnonce]);
    if (params.opaque !== undefined) fields.push(['opaque', params.opaque]);
    setHeader(retry, challenge.status === 401 ? 'Authorization' : 'Proxy-Authorization', formatDigestParams(fields, new Set(['algorithm', 'nc', 'qop'])));
    this.#pending.delete(branch);
    this.#pending.set(newBranch, { ...pending, request: retry, authenticated: true });
    const browserBranch = branchOf(pending.browserVia);
    if (browserBranch !== undefined) this.#branchAlias.set(browserBranch, newBranch);
    if (this.#branchAlias.size > MAX_PENDING) this.#branchAlias.delete(this.#branchAlias.keys().next().value ?? '');
    this.#log.debug({ callId, method: request.method }, 'challenge answered for the browser');
    this.#toUpstream(retry);
    return true;
  }
}

function hasToTag(message: SipMessage): boolean {
  return /;\s*tag=/i.test(getHeader(message, 'To') ?? '');
}

/** The top Via's value (the first element of the first Via field). */
function topVia(message: SipMessage): string {
  return getHeader(message, 'Via') ?? '';
}

function setTopVia(message: SipMessage, value: string): void {
  const at = message.headers.findIndex((h) => h.name === 'Via');
  const field = message.headers[at];
  if (!field) return;
  const rest = splitList(field.value).slice(1);
  field.value = [value, ...rest].join(', ');
}

function branchOf(via: string): string | undefined {
  return /;\s*branch=([^;,\s]+)/i.exec(via)?.[1];
}

function withBranch(via: string, branch: string): string {
  return via.replace(/(;\s*branch=)[^;,\s]+/i, `$1${branch}`);
}

/** The browser's top Via as FreeSWITCH's plain ws binding must see it (and with the branch of a challenged request resent). */
function upstreamVia(via: string, branch: string | undefined): string {
  const plain = via.replace(/^SIP\s*\/\s*2\.0\s*\/\s*WSS\b/i, 'SIP/2.0/WS');
  return branch !== undefined ? withBranch(plain, branch) : plain;
}

/** The ACK for a challenge to an INVITE (RFC 3261 §17.1.1.3): hop by hop, the browser never saw the challenge. */
function ackFor(invite: SipRequest, challenge: SipResponse): SipRequest {
  const copy = (name: string) => invite.headers.filter((h) => h.name === name).map((h) => ({ ...h }));
  const cseq = parseCSeq(getHeader(invite, 'CSeq') ?? '');
  return {
    kind: 'request', method: 'ACK', uri: invite.uri, body: Buffer.alloc(0),
    headers: [
      ...copy('Via').slice(0, 1).map((h) => ({ ...h, value: topVia(invite) })),
      { name: 'Max-Forwards', value: '70' },
      ...copy('From'),
      { name: 'To', value: getHeader(challenge, 'To') ?? getHeader(invite, 'To') ?? '' },
      ...copy('Call-ID'),
      { name: 'CSeq', value: `${cseq.seq} ACK` },
      ...copy('Route'),
    ],
  };
}
