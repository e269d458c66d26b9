// What a transaction needs from the layer that owns it: the clock, the wire and a
// way to say it is gone. Keeps the state machines free of sockets and maps.

import type { Logger } from 'pino';
import type { SipEndpoint, SipMessage, SipResponse } from '../message.js';
import type { InboundSource } from '../transport/common.js';
import type { SipTimerConfig, TimerSet } from '../timers.js';

export interface TransactionContext {
  readonly timers: TimerSet;
  readonly config: SipTimerConfig;
  readonly logger: Logger;
  /** Sends a request (or an ACK) to a destination. */
  send(message: SipMessage, destination: SipEndpoint): Promise<void>;
  /** Sends a response back towards where its request came from (RFC 3261 §18.2.2, RFC 3581). */
  sendResponse(response: SipResponse, source: InboundSource): Promise<void>;
  /** A request or response went out again because its timer fired (counted for monitoring). */
  retransmitted(): void;
  /**
   * A server transaction stopped waiting for the user agent: its final response
   * went out, or it ended without one. Called once per server transaction.
   */
  settled(): void;
  /** The transaction reached Terminated: forget it. */
  terminated(key: string, kind: 'client' | 'server'): void;
}
