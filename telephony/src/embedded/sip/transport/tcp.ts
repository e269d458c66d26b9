// SIP over TCP (RFC 3261 §18.3) and over TLS (§26, the same framing on a TLS
// socket): stream framing with the parser's stream mode, connection reuse per
// destination, and the limits that stop one peer from exhausting memory or
// sockets: message size, bytes buffered per connection, idle timeouts
// (slowloris, half-open peers, TLS handshakes), connections in total and per
// source address.

import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { SipEndpoint, SipMessage } from '../message.js';
import { parseMessage } from '../parse.js';
import { serializeMessage } from '../serialize.js';
import type { TimerHandle, TimerSet } from '../timers.js';
import {
  callIdOf, logMessage, partialCallId, rejectionFor, stampReceived,
  type SipTransport, type TransportHandlers, type TransportLimits,
} from './common.js';

/** What makes a stream transport TLS: the server's certificate and how to connect out. */
export interface TlsSettings {
  server: tls.SecureContextOptions;
  /** Options for a connection we open (certificate checks per destination, e.g. a trunk's CA). */
  client(destination: SipEndpoint): tls.ConnectionOptions;
}

export interface TcpTransportOptions {
  address: string;
  port: number;
  /** Present for the TLS transport. */
  tls?: TlsSettings;
  limits: TransportLimits;
  handlers: TransportHandlers;
  logger: Logger;
  timers: TimerSet;
}

interface Connection {
  readonly id: number;
  readonly socket: net.Socket;
  readonly remote: SipEndpoint;
  readonly inbound: boolean;
  /** Input not yet framed into a message: bytes [0, length) of `data`. */
  data: Buffer;
  length: number;
  /** Where to resume looking for the end of the headers. */
  scanFrom: number;
  headersComplete: boolean;
  /** True once the connection is known good (a message arrived, or we connected out). */
  established: boolean;
  idle: TimerHandle | undefined;
  /** Which idle limit the timer runs: a short one while a message is pending, a long one between messages. */
  idleKind: 'pending' | 'keep-alive';
  closed: boolean;
}

const CR = 0x0d;
const LF = 0x0a;

export class TcpTransport implements SipTransport {
  readonly protocol: 'tcp' | 'tls';
  readonly address: string;
  readonly #options: TcpTransportOptions;
  readonly #server: net.Server;
  readonly #connections = new Map<number, Connection>();
  /** "address:port" → connection, for reuse when sending. */
  readonly #byRemote = new Map<string, Connection>();
  readonly #inboundPerAddress = new Map<string, number>();
  /** TLS: handshakes under way per source address, and how to count each one as done. */
  readonly #handshakesPerAddress = new Map<string, number>();
  readonly #pendingHandshakeDone = new Map<string, () => void>();
  #nextId = 1;
  #port: number;
  #closed = false;

  constructor(options: TcpTransportOptions) {
    this.#options = options;
    this.address = options.address;
    this.#port = options.port;
    this.protocol = options.tls ? 'tls' : 'tcp';
    if (options.tls) {
      const server = tls.createServer({ ...options.tls.server, handshakeTimeout: options.limits.idleTimeoutMs }, (socket) => this.#accept(socket));
      // Failed handshakes (plain text on the TLS port, an untrusted client, a timeout) cost the peer its socket only.
      server.on('tlsClientError', (err, socket) => {
        this.#options.logger.info({ err: err.message, peer: `${normalizeAddress(socket.remoteAddress)}:${socket.remotePort ?? 0}` }, 'tls handshake failed');
        socket.destroy();
      });
      // Before a handshake costs us any crypto: a banned source, or one with a connection
      // limit's worth of handshakes already pending, is refused (the established count is
      // checked again once the handshake is done).
      server.on('connection', (socket: net.Socket) => this.#gateHandshake(socket));
      this.#server = server;
    } else {
      this.#server = net.createServer((socket) => this.#accept(socket));
    }
    this.#server.on('error', (err) => this.#options.logger.warn({ err, transport: this.protocol }, 'sip stream server error'));
  }

  get port(): number {
    return this.#port;
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#server.once('error', onError);
      this.#server.listen(this.#options.port, this.#options.address, () => {
        this.#server.off('error', onError);
        const bound = this.#server.address();
        if (bound && typeof bound === 'object') this.#port = bound.port;
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const connection of [...this.#connections.values()]) this.#drop(connection, 'transport closing');
    return new Promise((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
  }

  /** Is the connection a request arrived on still open? */
  isOpen(connectionId: number): boolean {
    const connection = this.#connections.get(connectionId);
    return connection !== undefined && !connection.closed;
  }

  /** Sends on a given connection (responses go back the way the request came). */
  sendOnConnection(connectionId: number, message: SipMessage): Promise<void> {
    const connection = this.#connections.get(connectionId);
    if (!connection || connection.closed) return Promise.reject(new Error('connection closed'));
    return this.#write(connection, message);
  }

  send(message: SipMessage, destination: SipEndpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`${this.protocol} transport closed`));
    const existing = this.#byRemote.get(remoteKey(destination.address, destination.port));
    if (existing && !existing.closed) return this.#write(existing, message);
    if (this.#connections.size >= this.#options.limits.maxConnections) {
      return Promise.reject(new Error(`too many ${this.protocol} connections`));
    }
    const tlsSettings = this.#options.tls;
    const socket = tlsSettings
      ? tls.connect({ ...tlsSettings.client(destination), host: destination.address, port: destination.port })
      : net.connect({ host: destination.address, port: destination.port });
    const connection = this.#register(socket, { transport: this.protocol, address: destination.address, port: destination.port }, false);
    socket.once(tlsSettings ? 'secureConnect' : 'connect', () => {
      connection.established = true;
      this.#armIdle(connection);
    });
    return this.#write(connection, message);
  }

  #gateHandshake(socket: net.Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    const pending = this.#handshakesPerAddress.get(address) ?? 0;
    if (this.#closed || !this.#options.handlers.admit(address) || pending >= this.#options.limits.maxConnectionsPerSource) {
      this.#options.logger.debug({ peer: address, pending }, 'tls connection refused before its handshake');
      socket.destroy();
      return;
    }
    this.#handshakesPerAddress.set(address, pending + 1);
    const key = remoteKey(address, socket.remotePort ?? 0);
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      if (this.#pendingHandshakeDone.get(key) === finished) this.#pendingHandshakeDone.delete(key);
      const left = (this.#handshakesPerAddress.get(address) ?? 1) - 1;
      if (left <= 0) this.#handshakesPerAddress.delete(address);
      else this.#handshakesPerAddress.set(address, left);
    };
    socket.once('close', finished);
    // The TLS socket made from this one (same remote address and port) ends the count in #accept.
    this.#pendingHandshakeDone.set(key, finished);
  }

  #accept(socket: net.Socket): void {
    if (this.#options.tls) this.#pendingHandshakeDone.get(remoteKey(normalizeAddress(socket.remoteAddress), socket.remotePort ?? 0))?.();
    const address = normalizeAddress(socket.remoteAddress);
    const port = socket.remotePort ?? 0;
    const { limits, handlers, logger } = this.#options;
    try {
      if (this.#closed || !handlers.admit(address)) {
        socket.destroy();
        return;
      }
      const fromAddress = this.#inboundPerAddress.get(address) ?? 0;
      if (this.#connections.size >= limits.maxConnections || fromAddress >= limits.maxConnectionsPerSource) {
        logger.info({ peer: `${address}:${port}`, total: this.#connections.size, fromAddress }, 'tcp connection refused: limit reached');
        socket.destroy();
        return;
      }
      this.#inboundPerAddress.set(address, fromAddress + 1);
      this.#register(socket, { transport: this.protocol, address, port }, true);
    } catch (err) {
      logger.error({ err }, 'error while accepting a tcp connection');
      socket.destroy();
    }
  }

  #register(socket: net.Socket, remote: SipEndpoint, inbound: boolean): Connection {
    const connection: Connection = {
      id: this.#nextId++,
      socket,
      remote,
      inbound,
      data: Buffer.alloc(0),
      length: 0,
      scanFrom: 0,
      headersComplete: false,
      established: false,
      idle: undefined,
      idleKind: 'pending',
      closed: false,
    };
    this.#connections.set(connection.id, connection);
    this.#byRemote.set(remoteKey(remote.address, remote.port), connection);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#receive(connection, chunk));
    socket.on('error', (err) => this.#options.logger.debug({ err, peer: `${remote.address}:${remote.port}` }, 'tcp connection error'));
    socket.on('close', () => this.#forget(connection));
    // A peer that half-closes gets its socket closed too: we never keep half-open connections.
    socket.on('end', () => this.#drop(connection, 'peer closed'));
    this.#armIdle(connection);
    return connection;
  }

  #write(connection: Connection, message: SipMessage): Promise<void> {
    let data: Buffer;
    try {
      data = serializeMessage(message);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    logMessage(this.#options.logger, 'out', message, connection.remote);
    if (connection.socket.writableLength + data.length > this.#options.limits.maxBufferedBytes) {
      // The peer does not read what we send: it must not make us hold unbounded output.
      this.#drop(connection, 'peer not reading');
      return Promise.reject(new Error('tcp output buffer full'));
    }
    return new Promise((resolve, reject) => {
      connection.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }

  #receive(connection: Connection, chunk: Buffer): void {
    const { limits, logger } = this.#options;
    try {
      if (connection.closed) return;
      if (connection.length + chunk.length > limits.maxBufferedBytes) {
        logger.info({ peer: peerOf(connection), buffered: connection.length + chunk.length }, 'tcp input over the buffer limit');
        this.#drop(connection, 'input buffer limit');
        return;
      }
      this.#append(connection, chunk);
      this.#frame(connection);
      // The first bytes of a new message on a quiet connection switch it to the short limit,
      // so one good message does not buy a slowloris the long keep-alive allowance.
      if (!connection.closed && connection.length > 0 && connection.idleKind === 'keep-alive') this.#armIdle(connection);
    } catch (err) {
      logger.error({ err, peer: peerOf(connection) }, 'error while handling tcp input');
      this.#drop(connection, 'internal error');
    }
  }

  /** Takes every complete message out of the connection's buffer. */
  #frame(connection: Connection): void {
    const { limits, logger, handlers } = this.#options;
    while (!connection.closed) {
      this.#skipKeepAlives(connection);
      if (connection.length === 0) return;
      if (!connection.headersComplete) {
        connection.headersComplete = this.#findHeaderEnd(connection);
        // Over the size limit the parser is asked anyway: it answers 513 (with what it could read).
        if (!connection.headersComplete && connection.length <= limits.maxMessageSize) return;
      }
      const view = connection.data.subarray(0, connection.length);
      const result = parseMessage(view, { stream: true, maxSize: limits.maxMessageSize });
      if (result.ok) {
        this.#consume(connection, result.consumed);
        connection.established = true;
        this.#armIdle(connection);
        const message = result.message;
        const source = { ...connection.remote, connectionId: connection.id, localPort: this.#port };
        if (message.kind === 'request') stampReceived(message, source);
        logMessage(logger, 'in', message, source);
        try {
          handlers.onMessage(message, source);
        } catch (err) {
          logger.error({ err, callId: callIdOf(message) }, 'message handler threw');
        }
        continue;
      }
      if ('keepAlive' in result) {
        this.#consume(connection, result.consumed);
        continue;
      }
      if ('incomplete' in result) {
        // A body still on its way (the parser reports 513 itself once the size limit is passed).
        if (connection.length > limits.maxMessageSize) this.#rejectAndClose(connection, undefined, 'message too large');
        return;
      }
      const error = result.error;
      logger.info({ peer: peerOf(connection), reason: error.reason, status: error.status, callId: partialCallId(error) }, 'malformed sip message on tcp');
      // Framing is lost after a bad message: answer if we can, then close.
      this.#rejectAndClose(connection, rejectionFor(error, connection.remote), error.reason);
      return;
    }
  }

  #rejectAndClose(connection: Connection, answer: Buffer | undefined, reason: string): void {
    connection.length = 0;
    if (answer && !connection.closed) {
      connection.closed = true;
      this.#options.timers.clear(connection.idle);
      connection.socket.end(answer);
      // end() waits for the peer; a peer that never reads must not keep the socket.
      connection.socket.destroySoon();
      this.#forgetSoon(connection);
      return;
    }
    this.#drop(connection, reason);
  }

  /** RFC 5626 §4.4.1: a CRLFCRLF ping gets a CRLF pong; stray line breaks are skipped. */
  #skipKeepAlives(connection: Connection): void {
    let skip = 0;
    while (skip < connection.length) {
      const byte = connection.data[skip];
      if (byte !== CR && byte !== LF) break;
      skip++;
    }
    if (skip === 0) return;
    if (skip >= 4 && !connection.closed) connection.socket.write('\r\n');
    this.#consume(connection, skip);
  }

  /** Looks for an empty line (LF [CR] LF) in the bytes not scanned yet. */
  #findHeaderEnd(connection: Connection): boolean {
    const data = connection.data;
    for (let i = Math.max(1, connection.scanFrom); i < connection.length; i++) {
      if (data[i] !== LF) continue;
      const prev = data[i - 1];
      if (prev === LF || (prev === CR && i >= 2 && data[i - 2] === LF)) return true;
    }
    connection.scanFrom = Math.max(1, connection.length - 2);
    return false;
  }

  #append(connection: Connection, chunk: Buffer): void {
    const needed = connection.length + chunk.length;
    if (needed > connection.data.length) {
      // Grow geometrically so a peer sending one byte at a time costs linear copying, not quadratic.
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(connection.data.length * 2, this.#options.limits.maxBufferedBytes), 4096));
      connection.data.copy(grown, 0, 0, connection.length);
      connection.data = grown;
    }
    chunk.copy(connection.data, connection.length);
    connection.length = needed;
  }

  #consume(connection: Connection, count: number): void {
    connection.data.copy(connection.data, 0, count, connection.length);
    connection.length -= count;
    connection.scanFrom = 0;
    connection.headersComplete = false;
    // Give memory back once a burst is over.
    if (connection.length === 0 && connection.data.length > 16 * 1024) connection.data = Buffer.alloc(0);
  }

  /**
   * A connection must deliver a complete message within idleTimeoutMs of being
   * opened or of its previous message (slowloris, half-open peers); an
   * established one with nothing pending may stay for keepAliveIdleMs.
   */
  #armIdle(connection: Connection): void {
    const { timers, limits } = this.#options;
    timers.clear(connection.idle);
    if (connection.closed) return;
    const pending = connection.length > 0 || !connection.established;
    connection.idleKind = pending ? 'pending' : 'keep-alive';
    const ms = pending ? limits.idleTimeoutMs : limits.keepAliveIdleMs;
    connection.idle = timers.set(ms, () => {
      connection.idle = undefined;
      // Bytes without a complete message never re-arm this timer: a slow drip is closed like silence.
      this.#options.logger.info({ peer: peerOf(connection), buffered: connection.length }, 'tcp connection idle, closing');
      this.#drop(connection, 'idle timeout');
    });
  }

  #drop(connection: Connection, reason: string): void {
    if (!connection.closed) {
      connection.closed = true;
      this.#options.logger.debug({ peer: peerOf(connection), reason }, 'closing tcp connection');
    }
    connection.socket.destroy();
    this.#forget(connection);
  }

  #forgetSoon(connection: Connection): void {
    // Bounded: the socket is destroyed by destroySoon or, at worst, by this timer.
    const timer = this.#options.timers.set(1000, () => this.#drop(connection, 'closing after reject'));
    connection.socket.once('close', () => {
      this.#options.timers.clear(timer);
      this.#forget(connection);
    });
  }

  #forget(connection: Connection): void {
    connection.closed = true;
    this.#options.timers.clear(connection.idle);
    connection.idle = undefined;
    if (!this.#connections.delete(connection.id)) return;
    const key = remoteKey(connection.remote.address, connection.remote.port);
    if (this.#byRemote.get(key) === connection) this.#byRemote.delete(key);
    if (connection.inbound) {
      const count = (this.#inboundPerAddress.get(connection.remote.address) ?? 1) - 1;
      if (count <= 0) this.#inboundPerAddress.delete(connection.remote.address);
      else this.#inboundPerAddress.set(connection.remote.address, count);
    }
    connection.data = Buffer.alloc(0);
    connection.length = 0;
  }
}

function remoteKey(address: string, port: number): string {
  return `${address}:${port}`;
}

function peerOf(connection: Connection): string {
  return `${connection.remote.address}:${connection.remote.port}`;
}

/** "::ffff:127.0.0.1" → "127.0.0.1", so bans and per-address limits see one address. */
function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
