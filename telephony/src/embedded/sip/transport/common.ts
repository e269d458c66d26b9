// What every transport shares: the contract towards the stack, the default
// limits, RFC 3581 stamping of received requests and the 400 for a message that
// could be parsed far enough to answer.

import type { Logger } from 'pino';
import type { SipEndpoint, SipMessage, SipRequest, SipTransportName } from '../message.js';

export { stampReceived } from './via.js';
import { createResponse, getHeader, setHeader } from '../headers.js';
import { stampReceived } from './via.js';
import { serializeMessage } from '../serialize.js';
import type { SipParseError } from '../parse.js';

/** Where a message came from; for TCP, the connection it arrived on. */
export interface InboundSource extends SipEndpoint {
  /** TCP and TLS: the connection to answer on while it stays open. */
  connectionId?: number;
  /** The local port it arrived on. */
  localPort: number;
  /** WebSocket only: the signed-in user the connection belongs to (the HTTP session proved it). */
  identity?: string;
}

export interface TransportHandlers {
  /** A complete, parsed message. Must not throw (the transport guards it anyway). */
  onMessage(message: SipMessage, source: InboundSource): void;
  /** Gate before any parsing: false drops the datagram or refuses the connection (bans). */
  admit(address: string): boolean;
}

export interface TransportLimits {
  /** Largest message accepted, headers and body (bytes). */
  maxMessageSize: number;
  /** TCP: most bytes held for one connection, unread input or unsent output. */
  maxBufferedBytes: number;
  /** TCP: a connection with an incomplete message, or none yet, is closed after this long. */
  idleTimeoutMs: number;
  /** TCP: a connection with nothing pending since its last message is closed after this long. */
  keepAliveIdleMs: number;
  maxConnections: number;
  maxConnectionsPerSource: number;
}

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxMessageSize: 64 * 1024,
  maxBufferedBytes: 256 * 1024,
  idleTimeoutMs: 30_000,
  keepAliveIdleMs: 600_000,
  maxConnections: 2048,
  maxConnectionsPerSource: 64,
};

export interface SipTransport {
  readonly protocol: SipTransportName;
  readonly address: string;
  /** The real bound port (useful when bound to port 0). */
  readonly port: number;
  listen(): Promise<void>;
  close(): Promise<void>;
  /** Sends to a destination (TCP: reusing an open connection to it when there is one). */
  send(message: SipMessage, destination: SipEndpoint): Promise<void>;
  /** Live connection count (0 for UDP). */
  readonly connectionCount: number;
}

/** Call-ID for log lines, when the message has one. */
export function callIdOf(message: SipMessage | undefined): string | undefined {
  return message ? getHeader(message, 'Call-ID') : undefined;
}

/**
 * The answer to a request the parser rejected but read far enough to address
 * (start line plus Via, From, To, Call-ID, CSeq): 400, 505 or 513 as the parser
 * names it, with the reason in a Warning header. Never answers an ACK or a
 * response: those are dropped.
 */
export function rejectionFor(error: SipParseError, source: SipEndpoint): Buffer | undefined {
  const partial = error.partial;
  if (!partial || partial.method === 'ACK') return undefined;
  const request: SipRequest = { kind: 'request', method: partial.method, uri: partial.uri, headers: partial.headers.map((h) => ({ ...h })), body: Buffer.alloc(0) };
  try {
    stampReceived(request, source);
    const response = createResponse(request, error.status);
    setHeader(response, 'Warning', `399 tenor "${sanitizeWarning(error.reason)}"`);
    return serializeMessage(response);
  } catch {
    // The partial message was too broken to answer after all: dropping is the rule then.
    return undefined;
  }
}

/** Warning text must not carry quotes, line breaks or overlong text from a hostile message. */
function sanitizeWarning(reason: string): string {
  return reason.replace(/[\r\n\t]+/g, ' ').replace(/[^\x20-\x7e]|["\\]/g, '').trim().slice(0, 120);
}

/** Call-ID of a partly parsed request, for log lines. */
export function partialCallId(error: SipParseError): string | undefined {
  return error.partial?.headers.find((h) => h.name === 'Call-ID')?.value;
}

export function logMessage(logger: Logger, direction: 'in' | 'out', message: SipMessage, peer: SipEndpoint): void {
  if (!logger.isLevelEnabled('debug')) return;
  logger.debug(
    {
      callId: callIdOf(message),
      direction,
      peer: `${peer.transport}:${peer.address}:${peer.port}`,
      ...(message.kind === 'request' ? { method: message.method } : { status: message.status }),
    },
    direction === 'in' ? 'sip message received' : 'sip message sent',
  );
}
