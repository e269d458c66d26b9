// Cumulative SIP counts since the stack started, for monitoring (Prometheus
// counters in the server). Plain numbers bumped in place: counting a message
// allocates nothing.

import type { SipCounts, SipResponseClass } from '../../driver.js';
import type { SipMessage } from './message.js';

export class SipCounters {
  readonly #sent = [0, 0, 0, 0, 0, 0];
  readonly #received = [0, 0, 0, 0, 0, 0];
  retransmissionsSent = 0;
  retransmissionsReceived = 0;

  /** Counts a message going out (only responses are counted by class). */
  sent(message: SipMessage): void {
    if (message.kind === 'response') bump(this.#sent, message.status);
  }

  receivedResponse(status: number): void {
    bump(this.#received, status);
  }

  snapshot(): SipCounts {
    return {
      responsesSent: byClass(this.#sent),
      responsesReceived: byClass(this.#received),
      retransmissionsSent: this.retransmissionsSent,
      retransmissionsReceived: this.retransmissionsReceived,
    };
  }
}

function bump(counts: number[], status: number): void {
  const index = Math.floor(status / 100) - 1;
  if (index >= 0 && index < counts.length) counts[index] = (counts[index] ?? 0) + 1;
}

function byClass(counts: readonly number[]): Record<SipResponseClass, number> {
  const [c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0] = counts;
  return { '1xx': c1, '2xx': c2, '3xx': c3, '4xx': c4, '5xx': c5, '6xx': c6 };
}
