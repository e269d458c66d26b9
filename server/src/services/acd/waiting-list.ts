// The contacts waiting in one queue, kept in serving order: a contact whose
// agent's line was lost first, then higher priority, then first come (by the time the contact first entered any queue, so
// an overflowed caller keeps their place), then arrival order. A sorted array
// with binary search: inserting and removing among 10,000 entries costs a
// memmove, and reading the front is free.

import type { WaitingEntry } from './model.js';

export interface Waiting {
  readonly entry: WaitingEntry;
  /** Tie-breaker for equal priority and entry time: the order the router saw them. */
  readonly seq: number;
}

function before(a: Waiting, b: Waiting): boolean {
  if ((a.entry.returnedFirst === true) !== (b.entry.returnedFirst === true)) return a.entry.returnedFirst === true;
  if (a.entry.priority !== b.entry.priority) return a.entry.priority > b.entry.priority;
  if (a.entry.enteredAt !== b.entry.enteredAt) return a.entry.enteredAt < b.entry.enteredAt;
  return a.seq < b.seq;
}

export class WaitingList {
  readonly #items: Waiting[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** In serving order; do not modify. */
  get items(): readonly Waiting[] {
    return this.#items;
  }

  insert(item: Waiting): void {
    this.#items.splice(this.#lowerBound(item), 0, item);
  }

  remove(item: Waiting): boolean {
    const i = this.#lowerBound(item);
    if (this.#items[i] !== item) return false;
    this.#items.splice(i, 1);
    return true;
  }

  /** 1-based place in line. */
  positionOf(item: Waiting): number | undefined {
    const i = this.#lowerBound(item);
    return this.#items[i] === item ? i + 1 : undefined;
  }

  /** First index whose item is not served before `item`. */
  #lowerBound(item: Waiting): number {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = this.#items[mid];
      if (at !== undefined && before(at, item)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
