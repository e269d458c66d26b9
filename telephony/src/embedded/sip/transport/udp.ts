// SIP over UDP: one datagram carries exactly one message (RFC 3261 §18.3).

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from 'pino';
import type { SipEndpoint, SipMessage } from '../message.js';
import { parseMessage } from '../parse.js';
import { serializeMessage } from '../serialize.js';
import {
  logMessage, partialCallId, rejectionFor, stampReceived,
  type SipTransport, type TransportHandlers, type TransportLimits,
} from './common.js';

/**
 * The socket's receive buffer asked of the kernel. The default (about 200 KB on
 * Linux) holds a few hundred messages: at 1,000 calls/s a pause of the event
 * loop of some tens of milliseconds (a GC, a burst) overflows it, the kernel
 * drops what comes next, and every dropped INVITE, ACK or 200 costs a
 * retransmission or a failed call (issue 19). Kamailio and OpenSIPS raise theirs
 * the same way. Linux caps the request at net.core.rmem_max.
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpTransportOptions {
  address: string;
  port: number;
  limits: TransportLimits;
  handlers: TransportHandlers;
  logger: Logger;
}

export class UdpTransport implements SipTransport {
  readonly protocol = 'udp' as const;
  readonly address: string;
  readonly #options: UdpTransportOptions;
  readonly #socket: dgram.Socket;
  #port: number;
  #closed = false;

  constructor(options: UdpTransportOptions) {
    this.#options = options;
    this.address = options.address;
    this.#port = options.port;
    this.#socket = dgram.createSocket({ type: isIPv6(options.address) ? 'udp6' : 'udp4' });
    this.#socket.on('message', (data, rinfo) => this.#receive(data, rinfo.address, rinfo.port));
    // A UDP socket reports ICMP errors and the like as 'error'; they must not crash the server.
    this.#socket.on('error', (err) => this.#options.logger.warn({ err }, 'udp socket error'));
  }

  get port(): number {
    return this.#port;
  }

  get connectionCount(): number {
    return 0;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.#socket.once('error', onError);
      this.#socket.bind(this.#options.port, this.#options.address, () => {
        this.#socket.off('error', onError);
        this.#port = this.#socket.address().port;
        this.#enlargeReceiveBuffer();
        resolve();
      });
    });
  }

  #enlargeReceiveBuffer(): void {
    try {
      this.#socket.setRecvBufferSize(UDP_RECEIVE_BUFFER_BYTES);
      // Linux reports twice what it grants (the other half is its bookkeeping).
      const granted = this.#socket.getRecvBufferSize() / 2;
      if (granted < UDP_RECEIVE_BUFFER_BYTES) {
        this.#options.logger.info({ grantedBytes: granted, askedBytes: UDP_RECEIVE_BUFFER_BYTES }, 'sip udp receive buffer capped by net.core.rmem_max; raise it for high call rates');
      }
    } catch (err) {
      this.#options.logger.warn({ err }, 'sip udp receive buffer could not be enlarged');
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      try {
        this.#socket.close(() => resolve());
      } catch {
        // Never bound: nothing to close.
        resolve();
      }
    });
  }

  send(message: SipMessage, destination: SipEndpoint): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('udp transport closed'));
    let data: Buffer;
    try {
      data = serializeMessage(message);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    logMessage(this.#options.logger, 'out', message, destination);
    return this.#sendRaw(data, destination.address, destination.port);
  }

  #sendRaw(data: Buffer, address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.#socket.send(data, port, address, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  #receive(data: Buffer, address: string, port: number): void {
    const { handlers, logger, limits } = this.#options;
    try {
      if (!handlers.admit(address)) return;
      // RFC 5626 keep-alives and stray line noise: not a message, nothing to answer.
      if (isOnlyLineBreaks(data)) return;
      const source = { transport: 'udp' as const, address, port, localPort: this.#port };
      // The parser enforces the size limit itself (513 when the request is answerable).
      const result = parseMessage(data, { stream: false, maxSize: limits.maxMessageSize });
      if (!result.ok) {
        // A keep-alive was filtered above; an incomplete datagram cannot happen outside stream mode.
        if (!('error' in result)) return;
        const error = result.error;
        logger.info({ peer: `${address}:${port}`, reason: error.reason, callId: partialCallId(error) }, 'malformed sip datagram');
        const answer = rejectionFor(error, source);
        if (answer) this.#sendRaw(answer, address, port).catch((err: unknown) => logger.debug({ err }, 'could not send 400'));
        return;
      }
      const message = result.message;
      if (message.kind === 'request') stampReceived(message, source);
      logMessage(logger, 'in', message, source);
      handlers.onMessage(message, source);
    } catch (err) {
      // Nothing a peer sends may take the transport down.
      logger.error({ err, peer: `${address}:${port}` }, 'error while handling a udp datagram');
    }
  }
}

function isOnlyLineBreaks(data: Buffer): boolean {
  for (const byte of data) if (byte !== 0x0d && byte !== 0x0a) return false;
  return true;
}
