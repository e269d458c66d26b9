// The transaction layer: owns the live client and server transactions, matches
// incoming messages to them (§17.1.3, §17.2.3) and routes CANCEL and ACK.

import type { Logger } from 'pino';
import type { SipEndpoint, SipMessage, SipRequest, SipResponse } from '../message.js';
import type { InboundSource } from '../transport/common.js';
import type { SipTimerConfig, TimerSet } from '../timers.js';
import { ClientTransaction } from './client.js';
import type { TransactionContext } from './context.js';
import { clientKeyOfRequest, clientKeyOfResponse, inviteKeyForCancel, serverKey, tagOf } from './keys.js';
import { ServerTransaction } from './server.js';
import type { SipCounters } from '../counters.js';

export interface TransactionLayerOptions {
  timers: TimerSet;
  config: SipTimerConfig;
  logger: Logger;
  send(message: SipMessage, destination: SipEndpoint): Promise<void>;
  sendResponse(response: SipResponse, source: InboundSource): Promise<void>;
  /** Where retransmissions, ours and the far end's, are counted. */
  counters: SipCounters;
}

/** What became of an incoming request. */
export type IncomingRequest =
  /** A new server transaction: the TU must answer it. */
  | { kind: 'new'; tx: ServerTransaction }
  /** A retransmission, or an ACK for a non-2xx final: handled here. */
  | { kind: 'absorbed' }
  /** An ACK that is not for a non-2xx final (it acknowledges a 2xx): the dialog's business. */
  | { kind: 'ack-2xx' }
  /** A CANCEL, answered here; `invite` is the transaction it cancelled, if any. */
  | { kind: 'cancel'; invite: ServerTransaction | undefined }
  /** No usable Via/CSeq to key a transaction on: drop it. */
  | { kind: 'unkeyable' };

export class TransactionLayer {
  readonly #clients = new Map<string, ClientTransaction>();
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #ctx: TransactionContext;
  readonly #logger: Logger;
  readonly #counters: SipCounters;
  /** Server transactions the user agent has not answered yet (the rest only linger for retransmissions). */
  #pendingServers = 0;

  constructor(options: TransactionLayerOptions) {
    this.#logger = options.logger;
    this.#counters = options.counters;
    this.#ctx = {
      timers: options.timers,
      config: options.config,
      logger: options.logger,
      send: options.send,
      sendResponse: options.sendResponse,
      retransmitted: () => {
        options.counters.retransmissionsSent++;
      },
      settled: () => {
        this.#pendingServers--;
      },
      terminated: (key, kind) => {
        if (kind === 'client') this.#clients.delete(key);
        else this.#servers.delete(key);
      },
    };
  }

  get clientCount(): number {
    return this.#clients.size;
  }

  get serverCount(): number {
    return this.#servers.size;
  }

  /** Server transactions still waiting for the user agent's final response. */
  get pendingServerCount(): number {
    return this.#pendingServers;
  }

  /**
   * Starts a client transaction. The request must already carry its top Via with
   * a unique magic-cookie branch.
   */
  createClient(request: SipRequest, destination: SipEndpoint): ClientTransaction {
    const key = clientKeyOfRequest(request);
    if (key === undefined) throw new Error('request has no Via branch: cannot start a client transaction');
    if (this.#clients.has(key)) throw new Error(`a client transaction ${key} already exists`);
    const tx = new ClientTransaction(key, request, destination, this.#ctx);
    this.#clients.set(key, tx);
    if (tx.isInvite) {
      // A CANCEL is a transaction of its own, to the same destination (§9.1); its outcome only matters for logs.
      tx.onCancel = (cancel) => {
        const cancelTx = this.createClient(cancel, destination);
        cancelTx.on('final', (response) => this.#logger.debug({ status: response.status }, 'CANCEL answered'));
      };
    }
    tx.start();
    return tx;
  }

  /** Hands a response to its client transaction. False when none matches (e.g. a 2xx retransmission). */
  receiveResponse(response: SipResponse): boolean {
    const key = clientKeyOfResponse(response);
    const tx = key === undefined ? undefined : this.#clients.get(key);
    if (!tx) return false;
    tx.receive(response);
    return true;
  }

  receiveRequest(request: SipRequest, source: InboundSource): IncomingRequest {
    const key = serverKey(request);
    if (key === undefined) return { kind: 'unkeyable' };
    if (request.method === 'ACK') return this.#receiveAck(request, key);
    if (request.method === 'CANCEL') return this.#receiveCancel(request, key, source);
    const existing = this.#servers.get(key);
    if (existing) {
      this.#counters.retransmissionsReceived++;
      existing.receiveRetransmission();
      return { kind: 'absorbed' };
    }
    return { kind: 'new', tx: this.#createServer(key, request, source) };
  }

  /** Ends every transaction now (stack shutdown). */
  /** Ends every client transaction to one connection that is gone (a WebSocket): a synthetic 503 each, at once. */
  abortTo(destination: SipEndpoint): void {
    for (const tx of [...this.#clients.values()]) {
      const d = tx.destination;
      if (d.transport === destination.transport && d.address === destination.address && d.port === destination.port) tx.abort({ connectionLost: true });
    }
  }

  abortAll(): void {
    for (const tx of [...this.#clients.values()]) tx.abort();
    for (const tx of [...this.#servers.values()]) tx.terminate();
  }

  #createServer(key: string, request: SipRequest, source: InboundSource): ServerTransaction {
    const tx = new ServerTransaction(key, request, source, this.#ctx);
    this.#servers.set(key, tx);
    this.#pendingServers++;
    tx.start();
    return tx;
  }

  #receiveAck(ack: SipRequest, key: string): IncomingRequest {
    const tx = this.#servers.get(key);
    if (!tx || !tx.isInvite) return { kind: 'ack-2xx' };
    // Without a magic cookie the key leaves the To tag out; the ACK must carry the tag we answered with.
    if (key.startsWith('2543|')) {
      const answeredTag = tx.lastResponse ? tagOf(tx.lastResponse, 'To') : undefined;
      if (answeredTag !== undefined && tagOf(ack, 'To') !== answeredTag) return { kind: 'ack-2xx' };
    }
    return tx.receiveAck(ack) ? { kind: 'absorbed' } : { kind: 'ack-2xx' };
  }

  #receiveCancel(cancel: SipRequest, key: string, source: InboundSource): IncomingRequest {
    const existing = this.#servers.get(key);
    if (existing) {
      this.#counters.retransmissionsReceived++;
      existing.receiveRetransmission();
      return { kind: 'absorbed' };
    }
    const inviteKey = inviteKeyForCancel(cancel);
    const invite = inviteKey === undefined ? undefined : this.#servers.get(inviteKey);
    const cancelTx = this.#createServer(key, cancel, source);
    if (!invite || !invite.isInvite) {
      cancelTx.respond(481, 'Call/Transaction Does Not Exist');
      return { kind: 'cancel', invite: undefined };
    }
    // §9.2: 200 to the CANCEL whatever the INVITE's state; 487 to the INVITE only if still pending.
    cancelTx.respond(200, 'OK');
    invite.cancel(cancel);
    return { kind: 'cancel', invite };
  }
}
