// The refusals the supervisors' live monitor shows: the last few in memory and
// today's count by reason. Per process and lost on restart (the log and
// GET /api/dialing/stats keep the totals); "today" starts at midnight in the
// reports' time zone, as the campaigns' figures do.

import type { DialingEvents } from './events.js';

/** One refused outbound leg, as the monitor lists it. */
export interface RecentRefusal extends Readonly<DialingEvents['dialing_refused']> {
  /** When it was refused (ISO). */
  at: string;
}

export interface LiveDialing {
  /** Refusals since midnight (reports' time zone), in this process. */
  refusedToday: number;
  /** The same, by reason. */
  refusedTodayByReason: Record<string, number>;
  /** The latest refusals, newest first (at most RecentRefusals.keep). */
  recent: RecentRefusal[];
}

export class RecentRefusals {
  /** How many refusals the monitor can list: enough for a shift's glance, bounded so memory stays small. */
  static readonly keep = 50;
  readonly #dayOf: Intl.DateTimeFormat;
  #day = '';
  #today = new Map<string, number>();
  #recent: RecentRefusal[] = [];

  constructor(private readonly now: () => number, timeZone?: string) {
    // en-CA formats a date as YYYY-MM-DD: a key that changes at local midnight (the server's zone when none is set).
    this.#dayOf = new Intl.DateTimeFormat('en-CA', { ...(timeZone !== undefined ? { timeZone } : {}), year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  add(refusal: DialingEvents['dialing_refused']): void {
    const at = this.now();
    this.#rollDay(at);
    this.#today.set(refusal.reason, (this.#today.get(refusal.reason) ?? 0) + 1);
    this.#recent.unshift({ ...refusal, at: new Date(at).toISOString() });
    if (this.#recent.length > RecentRefusals.keep) this.#recent.length = RecentRefusals.keep;
  }

  live(): LiveDialing {
    this.#rollDay(this.now());
    let refusedToday = 0;
    for (const n of this.#today.values()) refusedToday += n;
    return { refusedToday, refusedTodayByReason: Object.fromEntries(this.#today), recent: [...this.#recent] };
  }

  /** A new day starts the count again; the list keeps yesterday's latest (they are still the latest). */
  #rollDay(at: number): void {
    const day = this.#dayOf.format(at);
    if (day !== this.#day) {
      this.#day = day;
      this.#today = new Map();
    }
  }
}
