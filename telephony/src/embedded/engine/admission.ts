// Call admission: how many incoming calls one source address, and the engine
// as a whole, may hold at once. Every call costs a dialog and, once accepted,
// an RTP port pair; without caps a flood of INVITEs that are never ACKed (45/s
// stays under the request-rate ban) holds every port and honest callers get
// 503. A configured trunk brings many calls from one address, so its addresses
// get their own, higher, per-source limits rather than none.

export interface CallLimits {
  /** Calls from one address not yet answered and ACKed (ringing, or answered and waiting for the ACK). */
  maxUnansweredPerSource: number;
  /** Calls from one address in progress, answered or not. */
  maxCallsPerSource: number;
  /** Incoming calls in progress in total (echo tests included). */
  maxCalls: number;
  /** The same two per-source limits for the addresses of configured trunks. */
  trunkMaxUnansweredPerSource: number;
  trunkMaxCallsPerSource: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = {
  maxUnansweredPerSource: 10,
  maxCallsPerSource: 30,
  maxCalls: 400,
  trunkMaxUnansweredPerSource: 100,
  trunkMaxCallsPerSource: 400,
};

export type CallLimitName = 'unanswered-per-source' | 'calls-per-source' | 'calls-total';

/** Why an INVITE was refused, and the response that says so. */
export interface AdmissionRefusal {
  limit: CallLimitName;
  /** 486 when the source itself holds too many calls, 503 when the engine is full. */
  status: 486 | 503;
  reason: string;
  /** Seconds, for the Retry-After header. */
  retryAfter: number;
  /** Text for the Warning header (what a SIP trace shows the caller's admin). */
  warning: string;
}

/** One admitted call's place in the counts. */
export interface AdmissionTicket {
  /** The call was answered and the ACK arrived: it no longer counts as unanswered. */
  confirmed(): void;
  /** The call ended (or was refused after all): it no longer counts. Idempotent. */
  release(): void;
}

interface SourceCounts {
  unanswered: number;
  calls: number;
}

const REFUSALS: Record<CallLimitName, Omit<AdmissionRefusal, 'limit'>> = {
  'unanswered-per-source': { status: 486, reason: 'Busy Here', retryAfter: 10, warning: 'too many unanswered calls from this address' },
  'calls-per-source': { status: 486, reason: 'Busy Here', retryAfter: 30, warning: 'too many calls from this address' },
  'calls-total': { status: 503, reason: 'Service Unavailable', retryAfter: 5, warning: 'the server is at its call limit' },
};

export class CallAdmission {
  readonly limits: CallLimits;
  readonly #sources = new Map<string, SourceCounts>();
  #calls = 0;

  constructor(limits: Partial<CallLimits> = {}) {
    this.limits = { ...DEFAULT_CALL_LIMITS, ...limits };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`call limit ${name} must be a whole number of at least 1, got ${value}`);
    }
  }

  /** Counts a new call from `address`, or says which limit refuses it. */
  admit(address: string, fromTrunk: boolean): AdmissionTicket | AdmissionRefusal {
    const counts = this.#sources.get(address) ?? { unanswered: 0, calls: 0 };
    const maxUnanswered = fromTrunk ? this.limits.trunkMaxUnansweredPerSource : this.limits.maxUnansweredPerSource;
    const maxCalls = fromTrunk ? this.limits.trunkMaxCallsPerSource : this.limits.maxCallsPerSource;
    let limit: CallLimitName | undefined;
    if (counts.unanswered >= maxUnanswered) limit = 'unanswered-per-source';
    else if (counts.calls >= maxCalls) limit = 'calls-per-source';
    else if (this.#calls >= this.limits.maxCalls) limit = 'calls-total';
    if (limit) return { limit, ...REFUSALS[limit] };

    counts.unanswered++;
    counts.calls++;
    this.#calls++;
    this.#sources.set(address, counts);
    let unanswered = true;
    let released = false;
    return {
      confirmed: () => {
        if (!unanswered || released) return;
        unanswered = false;
        counts.unanswered--;
      },
      release: () => {
        if (released) return;
        released = true;
        if (unanswered) counts.unanswered--;
        counts.calls--;
        this.#calls--;
        if (counts.calls === 0) this.#sources.delete(address);
      },
    };
  }

  /** Incoming calls counted now (for stats). */
  get calls(): number {
    return this.#calls;
  }

  /** Calls from one address counted now. */
  countsFor(address: string): { unanswered: number; calls: number } {
    const counts = this.#sources.get(address);
    return { unanswered: counts?.unanswered ?? 0, calls: counts?.calls ?? 0 };
  }
}

export function isRefusal(outcome: AdmissionTicket | AdmissionRefusal): outcome is AdmissionRefusal {
  return 'limit' in outcome;
}
