// Rolling-window counts of live answers and abandons, the figure the law caps
// (US: abandoned / live-answered per campaign over 30 days; UK: over 24 hours).
// Pure: time comes in as timestamps, nothing reads a clock, so the live dialer
// (wall clock, rebuilt from the attempts table after a restart) and the
// simulator (simulated clock) count the same way.

import type { AbandonWindow } from './types.js';

export type AbandonWindowName = '30d' | '24h';

const DAY_MS = 24 * 60 * 60 * 1000;

export const abandonWindowMs: Readonly<Record<AbandonWindowName, number>> = Object.freeze({
  '30d': 30 * DAY_MS,
  '24h': DAY_MS,
});

/** A queue of ascending timestamps that forgets those older than the window. */
class TimestampQueue {
  private items: number[] = [];
  private head = 0;

  push(at: number): void {
    // Out-of-order inserts (a late-recorded answer) keep the queue sorted so
    // expiry stays a prefix; they are rare, so a linear insert is fine.
    let i = this.items.length;
    while (i > this.head && (this.items[i - 1] ?? 0) > at) i--;
    this.items.splice(i, 0, at);
  }

  expireBefore(cutoff: number): void {
    while (this.head < this.items.length && (this.items[this.head] ?? 0) < cutoff) this.head++;
    // Compact now and then so memory follows the window, not the campaign's life.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

export interface AnsweredCall {
  /** When the call was answered by a live person (ms since the epoch, or simulated ms). */
  at: number;
  /** True when no agent took it within the allowed time. */
  abandoned: boolean;
}

export class AbandonTracker {
  readonly windowMs: number;
  private readonly live = new TimestampQueue();
  private readonly abandons = new TimestampQueue();

  /** @param window '30d', '24h' or a length in ms. @param history calls to start from (after a restart). */
  constructor(window: AbandonWindowName | number, history: Iterable<AnsweredCall> = []) {
    this.windowMs = typeof window === 'number' ? window : abandonWindowMs[window];
    if (!(this.windowMs > 0)) throw new RangeError(`abandon window must be a positive duration, got ${String(window)}`);
    for (const call of history) this.record(call.at, call.abandoned);
  }

  /** Count one live-answered call, abandoned or not. */
  record(at: number, abandoned: boolean): void {
    this.live.push(at);
    if (abandoned) this.abandons.push(at);
  }

  /** Counts of the window ending at `now` (calls in (now − window, now]). */
  counts(now: number): AbandonWindow {
    const cutoff = now - this.windowMs;
    this.live.expireBefore(cutoff + 1);
    this.abandons.expireBefore(cutoff + 1);
    return { liveAnswered: this.live.size, abandoned: this.abandons.size };
  }

  /** abandoned / live-answered in the window (0 with no live answers). */
  rate(now: number): number {
    return abandonRate(this.counts(now));
  }
}

export function abandonRate(window: AbandonWindow): number {
  return window.liveAnswered > 0 ? window.abandoned / window.liveAnswered : 0;
}
