// Dialogs (RFC 3261 §12): the state two user agents share after a 2xx to an
// INVITE, the requests sent inside it (§12.2.1), matching requests that arrive
// inside it (§12.2.2), and the UAS retransmission of its 2xx until the ACK
// arrives (§13.3.1.4).

import { EventEmitter } from 'node:events';
import type { HeaderField, SipEndpoint, SipMessage, SipRequest, SipResponse, SipUri } from './message.js';
import { getHeaders, parseNameAddr } from './headers.js';
import { parseUri } from './uri.js';
import type { SipTimerConfig, TimerHandle, TimerSet } from './timers.js';
import { cseqOf, headerValue, tagOf } from './transaction/keys.js';

export type DialogRole = 'uac' | 'uas';

export interface DialogEvents {
  /** The ACK for our 2xx (UAS) arrived. */
  ack: [SipRequest];
  /** UAS: no ACK came within 64*T1; the owner ends the call (BYE). */
  'ack-timeout': [];
  terminated: [reason: string];
}

export interface InDialogRequestOptions {
  body?: Buffer | string;
  contentType?: string;
  /** Extra headers (not Route, CSeq, From, To, Call-ID: the dialog sets those). */
  headers?: HeaderField[];
}

/** The key that identifies a dialog from our side: Call-ID, local tag, remote tag. */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}|${localTag}|${remoteTag}`;
}

/** The dialog an incoming request would belong to (our tag is in To). */
export function dialogKeyOfRequest(request: SipRequest): string | undefined {
  const callId = headerValue(request, 'Call-ID');
  const local = tagOf(request, 'To');
  // An RFC 2543 peer may send no From tag: its dialog is keyed with an empty remote tag.
  const remote = tagOf(request, 'From') ?? '';
  if (callId === undefined || local === undefined) return undefined;
  return dialogKey(callId, local, remote);
}

/** The dialog an incoming response would belong to (our tag is in From). */
export function dialogKeyOfResponse(response: SipResponse): string | undefined {
  const callId = headerValue(response, 'Call-ID');
  const local = tagOf(response, 'From');
  const remote = tagOf(response, 'To');
  if (callId === undefined || local === undefined || remote === undefined) return undefined;
  return dialogKey(callId, local, remote);
}

export class Dialog extends EventEmitter<DialogEvents> {
  readonly role: DialogRole;
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** From (as we send it), with our tag. */
  readonly local: string;
  /** To (as we send it), with the remote tag. */
  readonly remote: string;
  /** Our Contact, sent on target-refresh requests. */
  readonly localContact: string;
  /** Remote target URI (from the peer's Contact), refreshed by re-INVITE/UPDATE. */
  remoteTarget: string;
  /**
   * The connection the far end is reachable over, when it cannot be connected
   * to (a browser's WebSocket): in-dialog requests go there, not to the Contact.
   */
  flow: SipEndpoint | undefined = undefined;
  /** Route set, in the order to send (from Record-Route). */
  readonly routeSet: readonly string[];
  localSeq: number;
  remoteSeq: number | undefined;
  /** CSeq number of the INVITE this dialog came from (or of the latest re-INVITE we sent). */
  inviteSeq: number;
  #terminated = false;
  #lastAck: SipRequest | undefined;
  #retransmit: TimerHandle | undefined;
  #giveUp: TimerHandle | undefined;
  #timers: TimerSet | undefined;

  private constructor(fields: {
    role: DialogRole; callId: string; localTag: string; remoteTag: string; local: string; remote: string;
    localContact: string; remoteTarget: string; routeSet: string[]; localSeq: number; remoteSeq: number | undefined; inviteSeq: number;
  }) {
    super();
    this.role = fields.role;
    this.callId = fields.callId;
    this.localTag = fields.localTag;
    this.remoteTag = fields.remoteTag;
    this.local = fields.local;
    this.remote = fields.remote;
    this.localContact = fields.localContact;
    this.remoteTarget = fields.remoteTarget;
    this.routeSet = fields.routeSet;
    this.localSeq = fields.localSeq;
    this.remoteSeq = fields.remoteSeq;
    this.inviteSeq = fields.inviteSeq;
  }

  /** §12.1.2: the UAC side, from our INVITE and the 2xx (or 1xx with a tag) it got. */
  static asUac(invite: SipRequest, response: SipResponse, localContact: string): Dialog {
    const callId = required(headerValue(invite, 'Call-ID'), 'Call-ID');
    const seq = cseqOf(invite)?.seq ?? 1;
    return new Dialog({
      role: 'uac',
      callId,
      localTag: required(tagOf(invite, 'From'), 'From tag'),
      remoteTag: required(tagOf(response, 'To'), 'To tag'),
      local: required(headerValue(invite, 'From'), 'From'),
      remote: required(headerValue(response, 'To'), 'To'),
      localContact,
      remoteTarget: contactUri(response) ?? invite.uri,
      // The UAC reverses the Record-Route of the response.
      routeSet: getHeaders(response, 'Record-Route').reverse(),
      localSeq: seq,
      remoteSeq: undefined,
      inviteSeq: seq,
    });
  }

  /** §12.1.1: the UAS side, from the INVITE and the 2xx we answered it with. */
  static asUas(invite: SipRequest, response: SipResponse, localContact: string): Dialog {
    const callId = required(headerValue(invite, 'Call-ID'), 'Call-ID');
    const seq = cseqOf(invite)?.seq ?? 0;
    return new Dialog({
      role: 'uas',
      callId,
      localTag: required(tagOf(response, 'To'), 'To tag'),
      remoteTag: tagOf(invite, 'From') ?? '',
      local: required(headerValue(response, 'To'), 'To'),
      remote: required(headerValue(invite, 'From'), 'From'),
      localContact,
      remoteTarget: contactUri(invite) ?? required(headerValue(invite, 'From'), 'From'),
      routeSet: getHeaders(invite, 'Record-Route'),
      // §12.1.1: the local sequence starts empty; our first request picks any number.
      localSeq: Math.floor(Math.random() * 10_000),
      remoteSeq: seq,
      inviteSeq: seq,
    });
  }

  get key(): string {
    return dialogKey(this.callId, this.localTag, this.remoteTag);
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  /**
   * A request inside the dialog (§12.2.1.1): CSeq one higher than the last
   * (ACK and CANCEL reuse the INVITE's), Request-URI and Route from the remote
   * target and the route set. The caller adds Via (the stack does).
   */
  createRequest(method: string, options: InDialogRequestOptions = {}): SipRequest {
    let seq: number;
    if (method === 'ACK') seq = this.inviteSeq;
    else {
      this.localSeq += 1;
      seq = this.localSeq;
      if (method === 'INVITE') this.inviteSeq = seq;
    }
    const { requestUri, routes } = this.#routing();
    const headers: HeaderField[] = [
      ...routes.map((value) => ({ name: 'Route', value })),
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: this.local },
      { name: 'To', value: this.remote },
      { name: 'Call-ID', value: this.callId },
      { name: 'CSeq', value: `${seq} ${method}` },
    ];
    if (method === 'INVITE' || method === 'UPDATE' || method === 'SUBSCRIBE' || method === 'REFER' || method === 'NOTIFY') {
      headers.push({ name: 'Contact', value: this.localContact });
    }
    headers.push(...(options.headers ?? []));
    let body: Buffer = Buffer.alloc(0);
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body;
      headers.push({ name: 'Content-Type', value: options.contentType ?? 'application/sdp' });
    }
    return { kind: 'request', method, uri: requestUri, headers, body };
  }

  /** UAC: the ACK for a 2xx (§13.2.2.4), remembered so 2xx retransmissions get it again. */
  createAck(options: InDialogRequestOptions = {}): SipRequest {
    const ack = this.createRequest('ACK', options);
    this.#lastAck = ack;
    return ack;
  }

  /** UAC: the ACK to resend for a retransmitted 2xx with this CSeq, if we sent one. */
  ackFor(response: SipResponse): SipRequest | undefined {
    const seq = cseqOf(response)?.seq;
    const ack = this.#lastAck;
    if (!ack || seq === undefined || cseqOf(ack)?.seq !== seq) return undefined;
    return ack;
  }

  /** Where requests inside this dialog go: the first route, or the remote target. */
  nextHop(): SipEndpoint {
    if (this.flow) return { ...this.flow };
    const first = this.routeSet[0];
    const uri = first !== undefined ? parseNameAddr(first).uri : parseUri(stripAngles(this.remoteTarget));
    return endpointOf(uri);
  }

  /**
   * Checks an incoming in-dialog request (§12.2.2): a CSeq lower than the last
   * one is out of order (answer 500). Updates the remote sequence and, for a
   * target refresh, the remote target.
   */
  acceptRemoteRequest(request: SipRequest): boolean {
    const seq = cseqOf(request)?.seq;
    if (request.method === 'ACK' || request.method === 'CANCEL') return true;
    if (seq === undefined) return false;
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    if (request.method === 'INVITE' || request.method === 'UPDATE') {
      const target = contactUri(request);
      if (target !== undefined) this.remoteTarget = target;
    }
    return true;
  }

  /**
   * UAS: resend our 2xx every T1, doubling up to T2, until the ACK arrives; after
   * 64*T1 give up and emit 'ack-timeout' (§13.3.1.4).
   */
  retransmitAnswerUntilAck(send: () => void, timers: TimerSet, config: SipTimerConfig): void {
    this.#stopRetransmit();
    this.#timers = timers;
    let interval = config.t1;
    const fire = (): void => {
      this.#retransmit = undefined;
      if (this.#terminated) return;
      send();
      interval = Math.min(interval * 2, config.t2);
      this.#retransmit = timers.set(interval, fire);
    };
    this.#retransmit = timers.set(interval, fire);
    this.#giveUp = timers.set(64 * config.t1, () => {
      this.#giveUp = undefined;
      this.#stopRetransmit();
      this.emit('ack-timeout');
    });
  }

  /** The ACK for our 2xx: stop retransmitting. */
  receiveAck(ack: SipRequest): void {
    const seq = cseqOf(ack)?.seq;
    if (seq !== this.inviteSeq) return;
    const waiting = this.#retransmit !== undefined || this.#giveUp !== undefined;
    this.#stopRetransmit();
    if (waiting) this.emit('ack', ack);
  }

  /** True while our 2xx still waits for its ACK. */
  get awaitingAck(): boolean {
    return this.#giveUp !== undefined;
  }

  terminate(reason: string): void {
    if (this.#terminated) return;
    this.#terminated = true;
    this.#stopRetransmit();
    this.emit('terminated', reason);
  }

  #stopRetransmit(): void {
    this.#timers?.clear(this.#retransmit);
    this.#timers?.clear(this.#giveUp);
    this.#retransmit = this.#giveUp = undefined;
  }

  /** §12.2.1.1: loose routing when the first route has ;lr, strict routing otherwise. */
  #routing(): { requestUri: string; routes: string[] } {
    const target = stripAngles(this.remoteTarget);
    const first = this.routeSet[0];
    if (first === undefined) return { requestUri: target, routes: [] };
    const firstUri = parseNameAddr(first).uri;
    if ('lr' in firstUri.params) return { requestUri: target, routes: [...this.routeSet] };
    return { requestUri: stripAngles(first), routes: [...this.routeSet.slice(1), `<${target}>`] };
  }
}

/**
 * Destination for a SIP URI: its host and port, over the transport it names (UDP by
 * default; TLS for a sips: URI), at 5060 or 5061 for TLS.
 */
export function endpointOf(uri: SipUri): SipEndpoint {
  const named = uri.params.transport?.toLowerCase();
  const transport = uri.scheme === 'sips' || named === 'tls' ? 'tls' : named === 'tcp' ? 'tcp' : 'udp';
  const host = uri.params.maddr ?? uri.host;
  return { transport, address: host.replace(/^\[|\]$/g, ''), port: uri.port ?? (transport === 'tls' ? 5061 : 5060) };
}

/** The URI in the first Contact of a message, as text. */
function contactUri(message: SipMessage): string | undefined {
  const contact = getHeaders(message, 'Contact')[0];
  if (contact === undefined || contact.trim() === '*') return undefined;
  try {
    return extractUri(contact);
  } catch {
    // An unreadable Contact counts as none: the callers fall back to another target.
    return undefined;
  }
}

function extractUri(nameAddr: string): string {
  const lt = nameAddr.indexOf('<');
  if (lt >= 0) {
    const gt = nameAddr.indexOf('>', lt);
    return nameAddr.slice(lt + 1, gt < 0 ? undefined : gt).trim();
  }
  const semi = nameAddr.indexOf(';');
  return (semi < 0 ? nameAddr : nameAddr.slice(0, semi)).trim();
}

function stripAngles(value: string): string {
  return value.includes('<') ? extractUri(value) : value.trim();
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new Error(`cannot form a dialog: ${what} missing`);
  return value;
}
