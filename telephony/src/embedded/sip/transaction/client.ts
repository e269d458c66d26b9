// Client transactions (RFC 3261 §17.1): INVITE (timers A, B, D; ACK for a
// non-2xx final generated here) and non-INVITE (timers E, F, K).
//
// A timeout or a transport failure ends the transaction with a synthetic final
// response (408 or 503) so the user of the transaction has a single outcome to
// wait for.

import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { SipEndpoint, SipRequest, SipResponse } from '../message.js';
import { createResponse } from '../headers.js';
import type { TimerHandle } from '../timers.js';
import type { TransactionContext } from './context.js';
import { cseqOf, headerValue } from './keys.js';
import { topViaText } from '../transport/via.js';

export type ClientTransactionState = 'calling' | 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface ClientTransactionEvents {
  /** A 1xx response. */
  provisional: [SipResponse];
  /** The final response, real or synthetic (408 timeout, 503 transport error). Emitted once. */
  final: [SipResponse];
  terminated: [];
}

export class ClientTransaction extends EventEmitter<ClientTransactionEvents> {
  readonly key: string;
  readonly request: SipRequest;
  readonly destination: SipEndpoint;
  readonly isInvite: boolean;
  /** Resolves with the final response (never rejects: failures are synthetic 408/503). */
  readonly response: Promise<SipResponse>;
  #state: ClientTransactionState;
  readonly #ctx: TransactionContext;
  #logger: Logger | undefined;
  readonly #reliable: boolean;
  #resolve: (response: SipResponse) => void = () => undefined;
  #retransmit: TimerHandle | undefined;
  #timeout: TimerHandle | undefined;
  #linger: TimerHandle | undefined;
  #interval: number;
  #ack: SipRequest | undefined;
  #gotProvisional = false;
  #cancelWanted = false;
  #finalSeen = false;
  /** Ended because its connection closed (abortTo): no answer can come any more, so the caller can tell a lost line from a busy or absent one. */
  #connectionLost = false;
  /** The layer sends the CANCEL it builds for us (a client transaction of its own). */
  onCancel: ((cancel: SipRequest) => void) | undefined;

  constructor(key: string, request: SipRequest, destination: SipEndpoint, ctx: TransactionContext) {
    super();
    this.key = key;
    this.request = request;
    this.destination = destination;
    this.isInvite = request.method === 'INVITE';
    this.#ctx = ctx;
    this.#reliable = destination.transport !== 'udp';
    this.#state = this.isInvite ? 'calling' : 'trying';
    this.#interval = ctx.config.t1;
    this.response = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Made on first use: most transactions never log, and a child logger per transaction was a measurable cost (issue 19). */
  get #log(): Logger {
    return (this.#logger ??= this.#ctx.logger.child({ callId: headerValue(this.request, 'Call-ID'), method: this.request.method, tx: 'client' }));
  }

  get state(): ClientTransactionState {
    return this.#state;
  }

  /** Sends the request and starts the timers. Called once by the layer. */
  start(): void {
    this.#transmit();
    const { t1 } = this.#ctx.config;
    if (!this.#reliable) this.#retransmit = this.#ctx.timers.set(this.#interval, () => this.#onRetransmitTimer());
    // Timer B (INVITE) or F (non-INVITE): 64*T1 to get a final (or, for INVITE, any) response.
    this.#timeout = this.#ctx.timers.set(64 * t1, () => this.#onTimeout());
  }

  /**
   * Cancels a pending INVITE (§9.1). The CANCEL goes out once a provisional
   * response has arrived (sending it earlier is not allowed); nothing happens if
   * a final response came first.
   */
  cancel(): void {
    if (!this.isInvite || this.#finalSeen || this.#cancelWanted) return;
    this.#cancelWanted = true;
    if (this.#gotProvisional) this.#sendCancel();
  }

  /** A response matched to this transaction by the layer. */
  receive(response: SipResponse): void {
    const provisional = response.status < 200;
    switch (this.#state) {
      case 'calling':
      case 'trying':
      case 'proceeding':
        if (provisional) {
          this.#enterProceeding();
          this.#gotProvisional = true;
          this.emit('provisional', response);
          if (this.#cancelWanted) this.#sendCancel();
          return;
        }
        this.#finish(response);
        return;
      case 'completed':
        // A retransmitted final: an INVITE transaction ACKs it again, otherwise absorbed.
        if (this.isInvite && response.status >= 300 && this.#ack) this.#send(this.#ack);
        return;
      case 'terminated':
        return;
    }
  }

  get connectionLost(): boolean {
    return this.#connectionLost;
  }

  /** Stops everything at once (stack shutdown, or `connectionLost` when the connection to the far end closed). */
  abort(opts: { connectionLost?: boolean } = {}): void {
    if (opts.connectionLost && !this.#finalSeen) this.#connectionLost = true;
    if (!this.#finalSeen) this.#deliverFinal(this.#synthetic(503, 'Service Unavailable'));
    this.#terminate();
  }

  #enterProceeding(): void {
    if (this.#state === 'proceeding') return;
    this.#state = 'proceeding';
    if (this.isInvite) {
      // §17.1.1.2: no more retransmissions, and timer B only guards the Calling state.
      this.#ctx.timers.clear(this.#retransmit);
      this.#retransmit = undefined;
      this.#ctx.timers.clear(this.#timeout);
      this.#timeout = undefined;
    }
  }

  #finish(response: SipResponse): void {
    this.#ctx.timers.clear(this.#retransmit);
    this.#retransmit = undefined;
    this.#ctx.timers.clear(this.#timeout);
    this.#timeout = undefined;
    this.#deliverFinal(response);
    if (this.isInvite && response.status < 300) {
      // A 2xx ends the INVITE transaction; its ACK belongs to the dialog (§13.2.2.4).
      this.#terminate();
      return;
    }
    this.#state = 'completed';
    if (this.isInvite) {
      this.#ack = this.#buildAck(response);
      this.#send(this.#ack);
    }
    // Timer D (INVITE) or K (non-INVITE): absorb retransmitted finals for a while on UDP.
    const { timerD, t4 } = this.#ctx.config;
    const linger = this.#reliable ? 0 : this.isInvite ? timerD : t4;
    this.#linger = this.#ctx.timers.set(linger, () => this.#terminate());
  }

  #onRetransmitTimer(): void {
    this.#retransmit = undefined;
    if (this.#state !== 'calling' && this.#state !== 'trying' && this.#state !== 'proceeding') return;
    this.#ctx.retransmitted();
    this.#transmit();
    const { t2 } = this.#ctx.config;
    // Timer A doubles without bound; timer E doubles up to T2, and is T2 once a provisional arrived.
    if (this.isInvite) this.#interval *= 2;
    else this.#interval = this.#state === 'proceeding' ? t2 : Math.min(this.#interval * 2, t2);
    this.#retransmit = this.#ctx.timers.set(this.#interval, () => this.#onRetransmitTimer());
  }

  #onTimeout(): void {
    this.#timeout = undefined;
    if (this.#finalSeen) return;
    this.#log.info({ destination: `${this.destination.transport}:${this.destination.address}:${this.destination.port}` }, 'client transaction timed out');
    this.#ctx.timers.clear(this.#retransmit);
    this.#retransmit = undefined;
    this.#deliverFinal(this.#synthetic(408, 'Request Timeout'));
    this.#terminate();
  }

  #transmit(): void {
    this.#send(this.request);
  }

  #send(message: SipRequest): void {
    this.#ctx.send(message, this.destination).catch((err: unknown) => {
      if (this.#state === 'terminated') return;
      this.#log.info({ err }, 'transport error on client transaction');
      if (!this.#finalSeen) {
        this.#ctx.timers.clear(this.#retransmit);
        this.#retransmit = undefined;
        this.#deliverFinal(this.#synthetic(503, 'Service Unavailable'));
        this.#terminate();
      }
    });
  }

  #deliverFinal(response: SipResponse): void {
    if (this.#finalSeen) return;
    this.#finalSeen = true;
    this.#resolve(response);
    this.emit('final', response);
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    const timers = this.#ctx.timers;
    timers.clear(this.#retransmit);
    timers.clear(this.#timeout);
    timers.clear(this.#linger);
    this.#retransmit = this.#timeout = this.#linger = undefined;
    this.#ctx.terminated(this.key, 'client');
    this.emit('terminated');
  }

  /** A response made up locally, as if the far end had sent it (§8.1.3.1). */
  #synthetic(status: number, reason: string): SipResponse {
    return createResponse(this.request, status, reason);
  }

  /** The ACK for a non-2xx final response (§17.1.1.3): To as the response had it. */
  #buildAck(response: SipResponse): SipRequest {
    return this.#sameHop('ACK', headerValue(response, 'To') ?? headerValue(this.request, 'To') ?? '');
  }

  /**
   * ACK and CANCEL belong to the INVITE's hop: they copy its top Via (same
   * branch), Route, From, Call-ID and CSeq number (§9.1, §17.1.1.3).
   */
  #sameHop(method: 'ACK' | 'CANCEL', to: string): SipRequest {
    const request = this.request;
    const headers = [
      { name: 'Via', value: topViaText(request) ?? '' },
      ...request.headers.filter((h) => h.name === 'Route'),
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: headerValue(request, 'From') ?? '' },
      { name: 'To', value: to },
      { name: 'Call-ID', value: headerValue(request, 'Call-ID') ?? '' },
      { name: 'CSeq', value: `${cseqOf(request)?.seq ?? 1} ${method}` },
      { name: 'Content-Length', value: '0' },
    ];
    return { kind: 'request', method, uri: request.uri, headers, body: Buffer.alloc(0) };
  }

  #sendCancel(): void {
    this.onCancel?.(this.#sameHop('CANCEL', headerValue(this.request, 'To') ?? ''));
    // §9.1: without a final response 64*T1 after the CANCEL, the INVITE transaction is over.
    this.#ctx.timers.clear(this.#timeout);
    this.#timeout = this.#ctx.timers.set(64 * this.#ctx.config.t1, () => this.#onTimeout());
  }
}
