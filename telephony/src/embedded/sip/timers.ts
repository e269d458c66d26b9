// SIP timer values (RFC 3261 §17, table 4) and a small timer registry.
//
// Every timer the SIP layer starts goes through a TimerSet so that the stack can
// report how many are live (tests prove nothing leaks) and clear them all on stop.

export interface SipTimerConfig {
  /** RTT estimate (RFC 3261 default 500 ms). */
  t1: number;
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses (4 s). */
  t2: number;
  /** Maximum time a message stays in the network (5 s). */
  t4: number;
  /**
   * Timer D: how long an INVITE client transaction absorbs retransmitted final
   * responses over UDP. RFC 3261 asks for at least 32 s; it is separate from T1 so
   * tests that shrink T1 can shrink it too.
   */
  timerD: number;
}

export const DEFAULT_SIP_TIMERS: SipTimerConfig = { t1: 500, t2: 4000, t4: 5000, timerD: 32000 };

export function resolveTimers(partial: Partial<SipTimerConfig> | undefined): SipTimerConfig {
  const merged = { ...DEFAULT_SIP_TIMERS, ...partial };
  // When only T1 is shrunk, keep timer D proportional instead of a fixed 32 s.
  if (partial?.t1 !== undefined && partial.timerD === undefined) {
    merged.timerD = Math.min(DEFAULT_SIP_TIMERS.timerD, 64 * merged.t1);
  }
  return merged;
}

export interface TimerHandle {
  readonly id: number;
}

/** Owns every pending timeout of the SIP layer; unref'd so they never keep the process alive. */
export class TimerSet {
  #next = 1;
  readonly #live = new Map<number, NodeJS.Timeout>();

  set(ms: number, fn: () => void): TimerHandle {
    const id = this.#next++;
    const timeout = setTimeout(() => {
      this.#live.delete(id);
      fn();
    }, Math.max(0, ms));
    timeout.unref();
    this.#live.set(id, timeout);
    return { id };
  }

  clear(handle: TimerHandle | undefined): void {
    if (!handle) return;
    const timeout = this.#live.get(handle.id);
    if (timeout) {
      clearTimeout(timeout);
      this.#live.delete(handle.id);
    }
  }

  clearAll(): void {
    for (const timeout of this.#live.values()) clearTimeout(timeout);
    this.#live.clear();
  }

  get size(): number {
    return this.#live.size;
  }
}
