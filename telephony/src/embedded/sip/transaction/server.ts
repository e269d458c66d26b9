// Server transactions (RFC 3261 §17.2, with the RFC 6026 "Accepted" state):
// INVITE (100 Trying unless the user agent answers first; timers G, H, I, L)
// and non-INVITE (timer J).
// Retransmitted requests are absorbed here and answered with the last response.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { HeaderField, SipRequest, SipResponse } from '../message.js';
import { createResponse } from '../headers.js';
import { randomHex } from '../random-tokens.js';
import type { InboundSource } from '../transport/common.js';
import type { TimerHandle } from '../timers.js';
import type { TransactionContext } from './context.js';
import { headerValue, tagOf } from './keys.js';

export type ServerTransactionState = 'trying' | 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface ServerTransactionEvents {
  /** A CANCEL matched this INVITE while it had no final response: 487 was sent. */
  cancelled: [SipRequest];
  /** The ACK for a non-2xx final response arrived. */
  ack: [SipRequest];
  /** Timer H: the ACK for a non-2xx final never came. */
  timeout: [];
  terminated: [];
}

export interface ResponseBody {
  contentType: string;
  body: Buffer | string;
}

export class ServerTransaction extends EventEmitter<ServerTransactionEvents> {
  readonly key: string;
  readonly request: SipRequest;
  readonly source: InboundSource;
  readonly isInvite: boolean;
  readonly callId: string | undefined;
  /** The To tag this UAS puts on its responses (unless the request already had one). */
  readonly localTag: string;
  #state: ServerTransactionState;
  #lastResponse: SipResponse | undefined;
  readonly #ctx: TransactionContext;
  #logger: Logger | undefined;
  readonly #reliable: boolean;
  #retransmit: TimerHandle | undefined;
  #timeout: TimerHandle | undefined;
  #linger: TimerHandle | undefined;
  /** An INVITE's deferred 100 Trying, sent if the user agent has not responded by then. */
  #trying: TimerHandle | undefined;
  #interval: number;
  /** Not yet settled: the user agent owes a final response (counted by the layer's pending cap). */
  #pending = true;

  constructor(key: string, request: SipRequest, source: InboundSource, ctx: TransactionContext) {
    super();
    this.key = key;
    this.request = request;
    this.source = source;
    this.isInvite = request.method === 'INVITE';
    this.callId = headerValue(request, 'Call-ID');
    this.localTag = tagOf(request, 'To') ?? randomHex(6);
    this.#ctx = ctx;
    this.#reliable = source.transport !== 'udp';
    this.#state = this.isInvite ? 'proceeding' : 'trying';
    this.#interval = ctx.config.t1;
  }

  /** Made on first use: most transactions never log, and a child logger per transaction was a measurable cost (issue 19). */
  get #log(): Logger {
    return (this.#logger ??= this.#ctx.logger.child({ callId: this.callId, method: this.request.method, tx: 'server' }));
  }

  get state(): ServerTransactionState {
    return this.#state;
  }

  get lastResponse(): SipResponse | undefined {
    return this.#lastResponse;
  }

  /** True once a final response went out (or the transaction ended). */
  get finalSent(): boolean {
    return this.#state !== 'trying' && this.#state !== 'proceeding';
  }

  /**
   * Called once by the layer. An INVITE gets its 100 Trying only if the user agent
   * has not responded within tryingDelay (§17.2.1: the 100 is owed "unless it knows
   * that the TU will generate a provisional or final response within 200 ms"). A
   * B2BUA whose far end answers at once, an IVR or a queue that answers the call
   * itself then sends one datagram fewer per call; a slower answer still gets its
   * 100 well before the client's first retransmission (T1).
   */
  start(): void {
    if (this.isInvite) {
      this.#trying = this.#ctx.timers.set(tryingDelay(this.#ctx.config.t1), () => {
        this.#trying = undefined;
        this.#sendTrying();
      });
      return;
    }
    // The client gives up on a non-INVITE after 64*T1 (timer F): a TU that has not answered
    // by then never will usefully, and the transaction must not outlive that.
    this.#timeout = this.#ctx.timers.set(64 * this.#ctx.config.t1, () => {
      this.#timeout = undefined;
      if (this.finalSent) return;
      this.#log.warn('no final response from the user agent within 64*T1: transaction dropped');
      this.terminate();
    });
  }

  /**
   * Builds and sends a response. Non-100 responses carry this transaction's To
   * tag, so provisional and final responses of one UAS agree.
   */
  respond(status: number, reason?: string, extra: HeaderField[] = [], body?: ResponseBody): SipResponse {
    const response = createResponse(this.request, status, reason, extra, { toTag: this.localTag });
    if (body) {
      response.headers.push({ name: 'Content-Type', value: body.contentType });
      response.body = typeof body.body === 'string' ? Buffer.from(body.body, 'utf8') : body.body;
    }
    this.send(response);
    return response;
  }

  /** Sends a response the caller built; it moves the state machine like respond(). */
  send(response: SipResponse): void {
    const status = response.status;
    const provisional = status < 200;
    if (this.isInvite) {
      if (this.#state === 'proceeding') {
        this.#cancelTrying();
        this.#transmit(response);
        if (provisional) return;
        if (status < 300) this.#enterAccepted();
        else this.#enterCompleted();
        return;
      }
      // RFC 6026 §7.1: the TU's 2xx retransmissions go out through the Accepted state.
      if (this.#state === 'accepted' && status >= 200 && status < 300) {
        this.#transmit(response);
        return;
      }
    } else if (this.#state === 'trying' || this.#state === 'proceeding') {
      this.#transmit(response);
      if (provisional) {
        this.#state = 'proceeding';
        return;
      }
      this.#state = 'completed';
      this.#settle();
      this.#ctx.timers.clear(this.#timeout);
      this.#timeout = undefined;
      // Timer J: absorb request retransmissions for 64*T1 on UDP.
      this.#linger = this.#ctx.timers.set(this.#reliable ? 0 : 64 * this.#ctx.config.t1, () => this.terminate());
      return;
    }
    this.#log.debug({ status, state: this.#state }, 'response not sent: transaction past that point');
  }

  /** The same request arrived again: resend the last response, or absorb it. */
  receiveRetransmission(): void {
    switch (this.#state) {
      case 'proceeding':
        // The client is retransmitting before our deferred 100 went out (a slow answer under load): send it now.
        if (this.#lastResponse) this.#transmit(this.#lastResponse);
        else if (this.isInvite) this.#sendTrying();
        return;
      case 'completed':
        if (this.#lastResponse) this.#transmit(this.#lastResponse);
        return;
      default:
        // Trying (nothing to resend yet), Accepted (RFC 6026: absorbed), Confirmed, Terminated.
        return;
    }
  }

  /**
   * An ACK matched to this INVITE transaction. Returns true when the transaction
   * absorbed it (ACK for a non-2xx final), false when it belongs to the TU (2xx).
   */
  receiveAck(ack: SipRequest): boolean {
    if (this.#state === 'completed') {
      this.#state = 'confirmed';
      this.#ctx.timers.clear(this.#retransmit);
      this.#ctx.timers.clear(this.#timeout);
      this.#retransmit = this.#timeout = undefined;
      // Timer I: absorb ACK retransmissions for T4 on UDP.
      this.#linger = this.#ctx.timers.set(this.#reliable ? 0 : this.#ctx.config.t4, () => this.terminate());
      this.emit('ack', ack);
      return true;
    }
    if (this.#state === 'confirmed') return true;
    return this.#state !== 'accepted';
  }

  /**
   * A CANCEL for this INVITE (§9.2). Answers 487 when no final response was sent
   * yet and tells the TU. Returns false when it was too late to cancel.
   */
  cancel(cancelRequest: SipRequest): boolean {
    if (!this.isInvite || this.#state !== 'proceeding') return false;
    this.respond(487, 'Request Terminated');
    this.#log.info('invite cancelled by the caller');
    this.emit('cancelled', cancelRequest);
    return true;
  }

  /** Ends the transaction now, clearing its timers (also used on stack shutdown). */
  terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#settle();
    const timers = this.#ctx.timers;
    timers.clear(this.#retransmit);
    timers.clear(this.#timeout);
    timers.clear(this.#linger);
    timers.clear(this.#trying);
    this.#retransmit = this.#timeout = this.#linger = this.#trying = undefined;
    this.#ctx.terminated(this.key, 'server');
    this.emit('terminated');
  }

  #sendTrying(): void {
    this.#cancelTrying();
    if (this.#state === 'proceeding' && !this.#lastResponse) this.send(createResponse(this.request, 100, 'Trying'));
  }

  #cancelTrying(): void {
    if (!this.#trying) return;
    this.#ctx.timers.clear(this.#trying);
    this.#trying = undefined;
  }

  #enterAccepted(): void {
    this.#state = 'accepted';
    this.#settle();
    // Timer L (RFC 6026): absorb INVITE retransmissions, let 2xx retransmissions and ACKs through.
    this.#linger = this.#ctx.timers.set(64 * this.#ctx.config.t1, () => this.terminate());
  }

  #enterCompleted(): void {
    this.#state = 'completed';
    this.#settle();
    const { t1 } = this.#ctx.config;
    if (!this.#reliable) this.#retransmit = this.#ctx.timers.set(this.#interval, () => this.#onTimerG());
    this.#timeout = this.#ctx.timers.set(64 * t1, () => {
      this.#timeout = undefined;
      this.#log.info('no ACK for the final response (timer H)');
      this.emit('timeout');
      this.terminate();
    });
  }

  #settle(): void {
    if (!this.#pending) return;
    this.#pending = false;
    this.#ctx.settled();
  }

  /** Timer G: resend the final response, doubling up to T2, until the ACK comes. */
  #onTimerG(): void {
    this.#retransmit = undefined;
    if (this.#state !== 'completed' || !this.#lastResponse) return;
    this.#ctx.retransmitted();
    this.#transmit(this.#lastResponse);
    this.#interval = Math.min(this.#interval * 2, this.#ctx.config.t2);
    this.#retransmit = this.#ctx.timers.set(this.#interval, () => this.#onTimerG());
  }

  #transmit(response: SipResponse): void {
    this.#lastResponse = response;
    this.#ctx.sendResponse(response, this.source).catch((err: unknown) => {
      // §17.2.4: the TU learns of it through the missing ACK/next request; nothing to retry here.
      this.#log.info({ err, status: response.status }, 'could not send response');
    });
  }
}

/**
 * How long an INVITE's 100 Trying waits for the user agent's own response: the 200 ms
 * of RFC 3261 §17.2.1, or less when T1 is shrunk (tests), so that it still goes out
 * before the client's first retransmission.
 */
function tryingDelay(t1: number): number {
  return Math.min(200, Math.floor(t1 / 2));
}
