// A simulated clock for ACD tests: time moves only when the test advances it,
// and timers due by then fire in order.

import type { Clock, TimerHandle } from '../../src/services/acd/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Pending[] = [];
  readonly #firesEarlyMs: number;

  /**
   * firesEarlyMs: timers longer than that fire while now() still reads that
   * much before their time, as Node's setTimeout sometimes does against
   * Date.now() (by 1 ms).
   */
  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0), firesEarlyMs = 0) {
    this.#now = start;
    this.#firesEarlyMs = firesEarlyMs;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const early = ms > this.#firesEarlyMs ? this.#firesEarlyMs : 0;
    const timer: Pending = { at: this.#now + Math.max(0, ms) - early, seq: ++this.#seq, fn, cancelled: false };
    this.#timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }

  /** Move time forward by ms, firing every timer due on the way (letting promises settle between them). */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const due = this.#timers.filter((t) => !t.cancelled && t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#now = Math.max(this.#now, due.at);
      due.cancelled = true;
      due.fn();
    }
    this.#timers = this.#timers.filter((t) => !t.cancelled);
    this.#now = end;
    await settle();
  }

  pendingTimers(): number {
    return this.#timers.filter((t) => !t.cancelled).length;
  }
}

/** Let queued promise callbacks run (several rounds, for chains of awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
