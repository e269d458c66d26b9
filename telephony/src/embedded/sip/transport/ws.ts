// SIP over WebSocket (RFC 7118): the HTTP server upgrades and authenticates the
// connection, then hands it in; this transport frames nothing (one WebSocket
// message is one SIP message), applies the TCP limits (message size, total and
// per-source connections, the ban gate) and sends to a device only over the
// connection it opened: a browser cannot be connected to.

import type { Logger } from 'pino';
import type { SipWebSocketPeer, SipWebSocketSink } from '../../../driver.js';
import type { SipEndpoint, SipMessage } from '../message.js';
import { parseMessage } from '../parse.js';
import { serializeMessage } from '../serialize.js';
import {
  callIdOf, logMessage, partialCallId, rejectionFor, stampReceived,
  type InboundSource, type SipTransport, type TransportHandlers, type TransportLimits,
} from './common.js';

export interface WsTransportOptions {
  limits: TransportLimits;
  handlers: TransportHandlers;
  logger: Logger;
  /** Told when a connection is gone, after it is forgotten (registrations, line lost). */
  onClosed(flow: WsFlow): void;
}

/** One WebSocket connection as the stack sees it. */
export interface WsFlow extends SipEndpoint {
  readonly transport: 'ws';
  readonly connectionId: number;
  readonly user: string;
  readonly secure: boolean;
}

interface Connection {
  readonly flow: WsFlow;
  readonly peer: SipWebSocketPeer;
  closed: boolean;
}

const CRLF_ONLY = /^[\r\n]+$/;

export class WsTransport implements SipTransport {
  readonly protocol = 'ws' as const;
  readonly address = '';
  readonly port = 0;
  readonly #options: WsTransportOptions;
  readonly #connections = new Map<number, Connection>();
  /** "address:port" → connection: where a request to a device registered over WebSocket goes. */
  readonly #byRemote = new Map<string, Connection>();
  readonly #perAddress = new Map<string, number>();
  #nextId = 1;
  #closed = false;

  constructor(options: WsTransportOptions) {
    this.#options = options;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  listen(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const connection of [...this.#connections.values()]) {
      connection.peer.close(1001, 'server shutting down');
      this.#forget(connection);
    }
    return Promise.resolve();
  }

  /** Takes an upgraded connection; a banned source or one over the limits is closed at once. */
  attach(peer: SipWebSocketPeer): SipWebSocketSink {
    const { limits, handlers, logger } = this.#options;
    const address = normalizeAddress(peer.remote.address);
    const fromAddress = this.#perAddress.get(address) ?? 0;
    const refusal = this.#closed ? 'transport closed'
      : !handlers.admit(address) ? 'source banned'
      : this.#connections.size >= limits.maxConnections || fromAddress >= limits.maxConnectionsPerSource ? 'connection limit reached'
      : undefined;
    if (refusal) {
      logger.info({ peer: `${address}:${peer.remote.port}`, user: peer.user, reason: refusal }, 'sip websocket refused');
      peer.close(1008, refusal);
      return { receive: () => undefined, closed: () => undefined };
    }
    const flow: WsFlow = { transport: 'ws', address, port: peer.remote.port, connectionId: this.#nextId++, user: peer.user, secure: peer.secure };
    const connection: Connection = { flow, peer, closed: false };
    this.#connections.set(flow.connectionId, connection);
    this.#byRemote.set(remoteKey(flow), connection);
    this.#perAddress.set(address, fromAddress + 1);
    logger.debug({ peer: remoteKey(flow), user: peer.user }, 'sip websocket attached');
    return {
      receive: (data) => this.#receive(connection, data),
      closed: () => this.#forget(connection),
    };
  }

  isOpen(connectionId: number): boolean {
    const connection = this.#connections.get(connectionId);
    return connection !== undefined && !connection.closed;
  }

  /** The connection to a device, if it is still open. */
  flowTo(destination: SipEndpoint): WsFlow | undefined {
    const connection = this.#byRemote.get(remoteKey(destination));
    return connection && !connection.closed ? connection.flow : undefined;
  }

  sendOnConnection(connectionId: number, message: SipMessage): Promise<void> {
    const connection = this.#connections.get(connectionId);
    if (!connection || connection.closed) return Promise.reject(new Error('websocket closed'));
    return this.#write(connection, message);
  }

  send(message: SipMessage, destination: SipEndpoint): Promise<void> {
    const connection = this.#byRemote.get(remoteKey(destination));
    if (!connection || connection.closed) return Promise.reject(new Error(`no websocket open to ${remoteKey(destination)}`));
    return this.#write(connection, message);
  }

  #write(connection: Connection, message: SipMessage): Promise<void> {
    try {
      const text = serializeMessage(message).toString('utf8');
      logMessage(this.#options.logger, 'out', message, connection.flow);
      connection.peer.send(text);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  #receive(connection: Connection, data: Buffer): void {
    const { limits, logger, handlers } = this.#options;
    if (connection.closed) return;
    try {
      const text = data.toString('latin1');
      if (CRLF_ONLY.test(text)) {
        // RFC 5626 §4.4.1 over WebSocket: a CRLFCRLF ping gets a CRLF pong.
        if (text.length >= 4) connection.peer.send('\r\n');
        return;
      }
      const result = parseMessage(data, { maxSize: limits.maxMessageSize });
      if (!result.ok) {
        if (!('error' in result)) return;
        const error = result.error;
        logger.info({ peer: remoteKey(connection.flow), reason: error.reason, status: error.status, callId: partialCallId(error) }, 'malformed sip message on websocket');
        // One WebSocket message is one SIP message: framing survives a bad one, so the connection stays.
        const answer = rejectionFor(error, connection.flow);
        if (answer) connection.peer.send(answer.toString('utf8'));
        return;
      }
      const message = result.message;
      const source: InboundSource = {
        transport: 'ws', address: connection.flow.address, port: connection.flow.port,
        connectionId: connection.flow.connectionId, localPort: 0, identity: connection.flow.user,
      };
      if (message.kind === 'request') stampReceived(message, source);
      logMessage(logger, 'in', message, source);
      try {
        handlers.onMessage(message, source);
      } catch (err) {
        logger.error({ err, callId: callIdOf(message) }, 'message handler threw');
      }
    } catch (err) {
      logger.error({ err, peer: remoteKey(connection.flow) }, 'error while handling websocket input');
    }
  }

  #forget(connection: Connection): void {
    if (connection.closed) return;
    connection.closed = true;
    const { flow } = connection;
    this.#connections.delete(flow.connectionId);
    if (this.#byRemote.get(remoteKey(flow)) === connection) this.#byRemote.delete(remoteKey(flow));
    const count = (this.#perAddress.get(flow.address) ?? 1) - 1;
    if (count <= 0) this.#perAddress.delete(flow.address);
    else this.#perAddress.set(flow.address, count);
    this.#options.logger.debug({ peer: remoteKey(flow), user: flow.user }, 'sip websocket closed');
    try {
      this.#options.onClosed(flow);
    } catch (err) {
      this.#options.logger.error({ err, peer: remoteKey(flow) }, 'websocket close handler threw');
    }
  }
}

function remoteKey(endpoint: SipEndpoint): string {
  return `${endpoint.address}:${endpoint.port}`;
}

/** "::ffff:127.0.0.1" → "127.0.0.1", so bans and per-address limits see one address. */
function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
