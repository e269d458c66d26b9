// SipStack: the transports, the transaction layer, the dialogs and the rate
// limiter wired together. The user agent above it gets one callback per new
// server transaction and decides what to answer; the stack answers only what it
// must by itself (malformed requests, CANCEL, retransmissions).

import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { HeaderField, SipEndpoint, SipMessage, SipRequest, SipResponse, SipTransportName } from './message.js';
import { createResponse, getHeader, prependHeader } from './headers.js';
import { validateRequest, validateResponse, type ValidateOptions } from './validate.js';
import { RateLimiter, type RateLimitConfig } from './rate-limit.js';
import { TimerSet, resolveTimers, type SipTimerConfig } from './timers.js';
import { DEFAULT_TRANSPORT_LIMITS, type InboundSource, type SipTransport, type TransportLimits } from './transport/common.js';
import { UdpTransport } from './transport/udp.js';
import { TcpTransport, type TlsSettings } from './transport/tcp.js';
import { WsTransport, type WsFlow } from './transport/ws.js';
import { responseDestination, topVia } from './transport/via.js';
import { TransactionLayer } from './transaction/layer.js';
import type { ClientTransaction } from './transaction/client.js';
import type { ResponseBody, ServerTransaction } from './transaction/server.js';
import { newBranch } from './transaction/keys.js';
import type { SipCounts, SipWebSocketPeer, SipWebSocketSink } from '../../driver.js';
import { SipCounters } from './counters.js';
import { Dialog, dialogKeyOfRequest, dialogKeyOfResponse, type InDialogRequestOptions } from './dialog.js';

export interface ListenConfig {
  address: string;
  /** 0 lets the OS choose; read the real one from `stack.ports` after start(). */
  port: number;
}

export interface SipStackOptions {
  logger: Logger;
  /** UDP listener; false for none. Default 127.0.0.1:5060. */
  udp?: ListenConfig | false;
  /** TCP listener; false for none. Default same address and port as UDP. */
  tcp?: ListenConfig | false;
  /** TLS listener (RFC 3261 §26) with its certificate; none by default. */
  tls?: ListenConfig & { settings: TlsSettings };
  /** Host written into our Via and Contact (default: the bind address). */
  advertisedHost?: string;
  timers?: Partial<SipTimerConfig>;
  limits?: Partial<TransportLimits>;
  /** Per-source limits; false disables limiting (trusted test rigs only). */
  rateLimit?: Partial<RateLimitConfig> | false;
  validation?: ValidateOptions;
  /**
   * Requests not yet answered by the user agent beyond this get a stateless 503
   * with Retry-After: the UA is that far behind (overload). Default 10000.
   */
  maxPendingServerTransactions?: number;
  /**
   * Server transactions in total, answered ones lingering to absorb
   * retransmissions (64·T1 on UDP) included, beyond which requests get the same
   * 503: a memory bound. Default 100000: 1,000 calls/s, each an INVITE and a
   * BYE lingering 32 s, is 64,000; an INVITE transaction with its SDP and 200
   * holds about 3.6 KB, so the cap is about 360 MB.
   */
  maxServerTransactions?: number;
  userAgent?: string;
}

export const DEFAULT_MAX_PENDING_SERVER_TRANSACTIONS = 10_000;
export const DEFAULT_MAX_SERVER_TRANSACTIONS = 100_000;

export type RequestHandler = (request: SipRequest, tx: ServerTransaction, source: InboundSource) => void;

export interface SipStackStats {
  clientTransactions: number;
  serverTransactions: number;
  /** Both kinds together. */
  transactions: number;
  dialogs: number;
  /** Live timers of every kind (transactions, dialogs, connection idle timers). */
  timers: number;
  connections: number;
  bannedSources: number;
  /** Cumulative counts since the stack was made (responses by class, retransmissions). */
  counters: SipCounts;
}

export interface SipStackEvents {
  /** An ACK for a 2xx that matched no dialog (e.g. a UA that keeps no dialog). */
  'stray-ack': [SipRequest, InboundSource];
  /** A WebSocket a device signalled over is gone (RFC 7118): its registrations and calls must follow. */
  'flow-closed': [WsFlow];
}

export interface AcceptOptions {
  body?: ResponseBody;
  headers?: HeaderField[];
  status?: number;
}

export class SipStack extends EventEmitter<SipStackEvents> {
  readonly logger: Logger;
  readonly timers = new TimerSet();
  readonly timerConfig: SipTimerConfig;
  readonly rateLimiter: RateLimiter | undefined;
  readonly #options: SipStackOptions;
  readonly #layer: TransactionLayer;
  readonly #dialogs = new Map<string, Dialog>();
  readonly #counters = new SipCounters();
  #udp: UdpTransport | undefined;
  #tcp: TcpTransport | undefined;
  #tls: TcpTransport | undefined;
  #ws: WsTransport | undefined;
  #handler: RequestHandler | undefined;
  #running = false;

  constructor(options: SipStackOptions) {
    super();
    this.#options = options;
    this.logger = options.logger;
    this.timerConfig = resolveTimers(options.timers);
    this.rateLimiter = options.rateLimit === false ? undefined : new RateLimiter(options.rateLimit ?? {});
    if (this.rateLimiter) {
      this.rateLimiter.onBan = (address, reason, untilMs) =>
        this.logger.warn({ address, reason, until: new Date(untilMs).toISOString() }, 'source banned');
    }
    this.#layer = new TransactionLayer({
      timers: this.timers,
      config: this.timerConfig,
      logger: this.logger,
      send: (message, destination) => this.#send(message, destination),
      sendResponse: (response, source) => this.#sendResponse(response, source),
      counters: this.#counters,
    });
  }

  /** The real bound ports (after start()). */
  get ports(): { udp?: number; tcp?: number; tls?: number } {
    const ports: { udp?: number; tcp?: number; tls?: number } = {};
    if (this.#udp) ports.udp = this.#udp.port;
    if (this.#tcp) ports.tcp = this.#tcp.port;
    if (this.#tls) ports.tls = this.#tls.port;
    return ports;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    const limits = { ...DEFAULT_TRANSPORT_LIMITS, ...this.#options.limits };
    const handlers = {
      onMessage: (message: SipMessage, source: InboundSource) => this.#receive(message, source),
      admit: (address: string) => !(this.rateLimiter?.isBanned(address) ?? false),
    };
    const udpConfig = this.#options.udp === undefined ? { address: '127.0.0.1', port: 5060 } : this.#options.udp;
    try {
      if (udpConfig) {
        this.#udp = new UdpTransport({ ...udpConfig, limits, handlers, logger: this.logger });
        await this.#udp.listen();
      }
      const tcpConfig = this.#options.tcp === undefined ? udpConfig : this.#options.tcp;
      if (tcpConfig) {
        this.#tcp = new TcpTransport({ ...tcpConfig, limits, handlers, logger: this.logger, timers: this.timers });
        await this.#tcp.listen();
      }
      const tlsConfig = this.#options.tls;
      if (tlsConfig) {
        this.#tls = new TcpTransport({ address: tlsConfig.address, port: tlsConfig.port, tls: tlsConfig.settings, limits, handlers, logger: this.logger, timers: this.timers });
        await this.#tls.listen();
      }
      this.#ws = new WsTransport({
        limits, handlers, logger: this.logger,
        // Requests to a browser that is gone cannot be answered: they end now (503), not after Timer B.
        onClosed: (flow) => {
          this.#layer.abortTo(flow);
          this.emit('flow-closed', flow);
        },
      });
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#running = true;
    this.logger.info({ ports: this.ports }, 'sip stack listening');
  }

  /** Closes every transport and transaction and clears every timer. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#layer.abortAll();
    for (const dialog of [...this.#dialogs.values()]) dialog.terminate('stack stopped');
    this.#dialogs.clear();
    await Promise.all([this.#udp?.close(), this.#tcp?.close(), this.#tls?.close(), this.#ws?.close()]);
    this.#udp = undefined;
    this.#tcp = undefined;
    this.#tls = undefined;
    this.#ws = undefined;
    this.timers.clearAll();
  }

  /** Takes a SIP WebSocket the HTTP server upgraded and authenticated (see WsTransport). */
  attachWebSocket(peer: SipWebSocketPeer): SipWebSocketSink {
    if (!this.#ws || !this.#running) throw new Error('the SIP stack is not running');
    return this.#ws.attach(peer);
  }

  /** The one handler for requests that open a new server transaction. */
  onRequest(handler: RequestHandler): void {
    this.#handler = handler;
  }

  stats(): SipStackStats {
    const clientTransactions = this.#layer.clientCount;
    const serverTransactions = this.#layer.serverCount;
    return {
      clientTransactions,
      serverTransactions,
      transactions: clientTransactions + serverTransactions,
      dialogs: this.#dialogs.size,
      timers: this.timers.size,
      connections: (this.#tcp?.connectionCount ?? 0) + (this.#tls?.connectionCount ?? 0) + (this.#ws?.connectionCount ?? 0),
      bannedSources: this.rateLimiter?.bannedSources().length ?? 0,
      counters: this.#counters.snapshot(),
    };
  }

  /** Our Contact URI for a transport, as a name-addr. */
  contact(transport: SipTransportName = 'udp', user?: string): string {
    if (transport === 'ws') return `<sip:${user ? `${user}@` : ''}${this.#host()};transport=ws>`;
    const port = this.#transportFor(transport)?.port;
    const userPart = user ? `${user}@` : '';
    const params = transport === 'udp' ? '' : `;transport=${transport}`;
    return `<sip:${userPart}${this.#host()}:${port ?? 5060}${params}>`;
  }

  /**
   * Sends a request in a new client transaction. A top Via with a fresh branch
   * (and rport) is added, and Max-Forwards when missing.
   */
  sendRequest(request: SipRequest, destination: SipEndpoint): ClientTransaction {
    this.#addVia(request, destination.transport, destination);
    if (getHeader(request, 'Max-Forwards') === undefined) request.headers.push({ name: 'Max-Forwards', value: '70' });
    if (this.#options.userAgent && getHeader(request, 'User-Agent') === undefined) {
      request.headers.push({ name: 'User-Agent', value: this.#options.userAgent });
    }
    return this.#layer.createClient(request, destination);
  }

  /** Sends a response through its server transaction (same as tx.send). */
  sendResponse(tx: ServerTransaction, response: SipResponse): void {
    tx.send(response);
  }

  /** Sends a message outside any transaction (ACK for 2xx, 2xx retransmissions). */
  sendStateless(message: SipMessage, destination: SipEndpoint): Promise<void> {
    if (message.kind === 'request' && topVia(message) === undefined) this.#addVia(message, destination.transport, destination);
    return this.#send(message, destination);
  }

  /**
   * UAS: answers an INVITE with a 2xx (200 by default, with our Contact), makes
   * the dialog, and retransmits the 2xx until the ACK comes (§13.3.1.4). Without
   * an ACK within 64*T1 the stack sends BYE and ends the dialog.
   */
  acceptInvite(tx: ServerTransaction, options: AcceptOptions = {}): Dialog {
    const localContact = this.contact(tx.source.transport);
    const headers = [{ name: 'Contact', value: localContact }, ...(options.headers ?? [])];
    const response = tx.respond(options.status ?? 200, undefined, headers, options.body);
    // A re-INVITE is answered inside its dialog; a first INVITE creates one.
    const existing = this.findDialog(tx.request);
    const dialog = existing ?? Dialog.asUas(tx.request, response, localContact);
    if (existing) existing.inviteSeq = existing.remoteSeq ?? existing.inviteSeq;
    else this.#register(dialog);
    if (!existing && tx.source.transport === 'ws') dialog.flow = { transport: 'ws', address: tx.source.address, port: tx.source.port };
    let child: Logger | undefined;
    const log = (): Logger => (child ??= this.logger.child({ callId: dialog.callId }));
    dialog.retransmitAnswerUntilAck(
      () => {
        this.#counters.retransmissionsSent++;
        if (tx.state === 'accepted') tx.send(response);
        else this.#sendResponse(response, tx.source).catch((err: unknown) => log().debug({ err }, '2xx retransmission failed'));
      },
      this.timers,
      this.timerConfig,
    );
    if (!existing) {
      dialog.on('ack-timeout', () => {
        log().warn('no ACK for our 2xx: ending the call with BYE');
        if (!dialog.terminated) this.sendInDialog(dialog, 'BYE');
      });
    }
    return dialog;
  }

  /** UAC: the dialog a 2xx to our INVITE created; sends the ACK at once unless told not to. */
  createUacDialog(tx: ClientTransaction, response: SipResponse, options: { ack?: boolean; ackOptions?: InDialogRequestOptions } = {}): Dialog {
    const dialog = Dialog.asUac(tx.request, response, this.contact(tx.destination.transport));
    this.#register(dialog);
    if (tx.destination.transport === 'ws') dialog.flow = { ...tx.destination };
    if (options.ack !== false) this.sendAck(dialog, options.ackOptions);
    return dialog;
  }

  /** UAC: sends (and remembers) the ACK for the dialog's INVITE 2xx. */
  sendAck(dialog: Dialog, options: InDialogRequestOptions = {}): void {
    const ack = dialog.createAck(options);
    this.sendStateless(ack, dialog.nextHop()).catch((err: unknown) =>
      this.logger.info({ err, callId: dialog.callId }, 'could not send ACK'),
    );
  }

  /** A request inside a dialog (BYE, re-INVITE, INFO, ...). Sending BYE ends the dialog. */
  sendInDialog(dialog: Dialog, method: string, options: InDialogRequestOptions = {}): ClientTransaction {
    const request = dialog.createRequest(method, options);
    const tx = this.sendRequest(request, dialog.nextHop());
    if (method === 'BYE') dialog.terminate('bye sent');
    return tx;
  }

  /** The dialog an incoming request belongs to, if any. */
  findDialog(request: SipRequest): Dialog | undefined {
    const key = dialogKeyOfRequest(request);
    return key === undefined ? undefined : this.#dialogs.get(key);
  }

  #register(dialog: Dialog): void {
    this.#dialogs.set(dialog.key, dialog);
    dialog.once('terminated', () => {
      if (this.#dialogs.get(dialog.key) === dialog) this.#dialogs.delete(dialog.key);
    });
  }

  #host(): string {
    return this.#options.advertisedHost ?? this.#udp?.address ?? this.#tcp?.address ?? this.#tls?.address ?? '127.0.0.1';
  }

  #addVia(request: SipRequest, transport: SipTransportName, destination?: SipEndpoint): void {
    if (transport === 'ws') {
      // RFC 7118 §5.2: a WebSocket server has no port a device could reach; the Via says WS or WSS.
      const secure = destination ? this.#ws?.flowTo(destination)?.secure : undefined;
      prependHeader(request, 'Via', `SIP/2.0/${secure ? 'WSS' : 'WS'} ${this.#host()};branch=${newBranch()};rport`);
      return;
    }
    const port = this.#transportFor(transport)?.port;
    prependHeader(request, 'Via', `SIP/2.0/${transport.toUpperCase()} ${this.#host()}:${port ?? 5060};branch=${newBranch()};rport`);
  }

  #transportFor(transport: SipTransportName): SipTransport | undefined {
    switch (transport) {
      case 'ws': return this.#ws;
      case 'tls': return this.#tls;
      case 'tcp': return this.#tcp;
      case 'udp': return this.#udp;
    }
  }

  #send(message: SipMessage, destination: SipEndpoint): Promise<void> {
    const transport = this.#transportFor(destination.transport);
    if (!transport) return Promise.reject(new Error(`no ${destination.transport} transport`));
    this.#counters.sent(message);
    return transport.send(message, destination);
  }

  /** RFC 3261 §18.2.2 and RFC 3581: back on the same TCP/TLS connection while open, else by the top Via. */
  #sendResponse(response: SipResponse, source: InboundSource): Promise<void> {
    const stream = source.transport === 'tcp' ? this.#tcp : source.transport === 'tls' ? this.#tls : undefined;
    if (stream && source.connectionId !== undefined && stream.isOpen(source.connectionId)) {
      this.#counters.sent(response);
      return stream.sendOnConnection(source.connectionId, response);
    }
    if (source.transport === 'ws') {
      // A browser is reachable only over the WebSocket it opened.
      this.#counters.sent(response);
      return this.#ws ? this.#ws.sendOnConnection(source.connectionId ?? 0, response) : Promise.reject(new Error('no ws transport'));
    }
    const via = topVia(response);
    const destination = via ? responseDestination(via, source) : source;
    return this.#send(response, { ...destination, transport: source.transport });
  }

  #receive(message: SipMessage, source: InboundSource): void {
    if (!this.#running) return;
    if (message.kind === 'request') this.#receiveRequest(message, source);
    else this.#receiveResponse(message, source);
  }

  #receiveRequest(request: SipRequest, source: InboundSource): void {
    const callId = getHeader(request, 'Call-ID');
    // Made only when something is logged: a child logger per request was a measurable cost (issue 19).
    let child: Logger | undefined;
    const log = (): Logger => (child ??= this.logger.child({ callId, method: request.method }));
    if (this.rateLimiter && !this.rateLimiter.recordRequest(source.address)) {
      log().debug({ address: source.address }, 'request from a rate-limited source dropped');
      return;
    }
    const rejection = safeValidateRequest(request, this.#options.validation);
    if (rejection) {
      log().info({ status: rejection.status, reason: rejection.reason }, 'request rejected');
      if (request.method === 'ACK') return;
      const response = createResponse(request, rejection.status, undefined, rejection.headers ?? [], { toTag: randomBytes(6).toString('hex') });
      if (rejection.status === 400) response.headers.push({ name: 'Warning', value: `399 tenor "${rejection.reason.replace(/["\\\r\n]/g, '')}"` });
      this.#sendResponse(response, source).catch((err: unknown) => log().debug({ err }, 'could not send rejection'));
      return;
    }
    const outcome = this.#layer.receiveRequest(request, source);
    switch (outcome.kind) {
      case 'absorbed':
      case 'unkeyable':
      case 'cancel':
        return;
      case 'ack-2xx': {
        const dialog = this.findDialog(request);
        if (dialog) dialog.receiveAck(request);
        else this.emit('stray-ack', request, source);
        return;
      }
      case 'new':
        this.#dispatch(request, outcome.tx, source, log);
        return;
    }
  }

  #dispatch(request: SipRequest, tx: ServerTransaction, source: InboundSource, log: () => Logger): void {
    const pending = this.#layer.pendingServerCount;
    const total = this.#layer.serverCount;
    if (pending > (this.#options.maxPendingServerTransactions ?? DEFAULT_MAX_PENDING_SERVER_TRANSACTIONS)
      || total > (this.#options.maxServerTransactions ?? DEFAULT_MAX_SERVER_TRANSACTIONS)) {
      log().warn({ pending, total }, 'too many server transactions: answering 503');
      tx.respond(503, 'Service Unavailable', [{ name: 'Retry-After', value: '5' }]);
      return;
    }
    const dialog = this.findDialog(request);
    if (dialog && !dialog.acceptRemoteRequest(request)) {
      tx.respond(500, 'Server Internal Error', [{ name: 'Retry-After', value: '1' }]);
      return;
    }
    if (!this.#handler) {
      tx.respond(503, 'Service Unavailable');
      return;
    }
    try {
      this.#handler(request, tx, source);
    } catch (err) {
      log().error({ err }, 'request handler threw');
      if (!tx.finalSent) tx.respond(500, 'Server Internal Error');
    }
    // The dialog ends with an incoming BYE (the handler has seen it and answered or will answer).
    if (dialog && request.method === 'BYE') dialog.terminate('bye received');
  }

  #receiveResponse(response: SipResponse, source: InboundSource): void {
    const callId = getHeader(response, 'Call-ID');
    const problem = safeValidateResponse(response);
    if (problem) {
      this.logger.info({ callId, reason: problem, peer: `${source.address}:${source.port}` }, 'response dropped');
      return;
    }
    this.#counters.receivedResponse(response.status);
    if (this.#layer.receiveResponse(response)) return;
    // A 2xx retransmission after the INVITE transaction ended: ACK it again from the dialog.
    if (response.status >= 200 && response.status < 300 && /\bINVITE\s*$/i.test(getHeader(response, 'CSeq') ?? '')) {
      const key = dialogKeyOfResponse(response);
      const dialog = key === undefined ? undefined : this.#dialogs.get(key);
      const ack = dialog?.ackFor(response);
      if (dialog && ack) {
        this.sendStateless(ack, dialog.nextHop()).catch((err: unknown) => this.logger.debug({ err, callId }, 'could not resend ACK'));
        return;
      }
    }
    this.logger.debug({ callId, status: response.status }, 'response matched no transaction');
  }
}

function safeValidateRequest(request: SipRequest, options: ValidateOptions | undefined): { status: number; reason: string; headers?: HeaderField[] } | undefined {
  try {
    return validateRequest(request, options ?? {});
  } catch (err) {
    return { status: 400, reason: err instanceof Error ? err.message : 'malformed request' };
  }
}

function safeValidateResponse(response: SipResponse): string | undefined {
  try {
    return validateResponse(response)?.reason;
  } catch (err) {
    return err instanceof Error ? err.message : 'malformed response';
  }
}
