// Per-client batching: events are held and sent together, at most one message
// per window (100 ms: at most 10 messages a second whatever the event rate).
// An event with a key (an agent's state, a queue's figures) replaces the one
// pending under the same key, so a burst of state changes reaches the client
// as its latest state only. Keyless events are kept in order.
// If too many events pile up (a client that cannot keep up), they are dropped
// and `onOverflow` runs: the gateway then sends a fresh snapshot instead.

export interface CoalescerOptions<T> {
  windowMs: number;
  maxPending: number;
  send(items: T[]): void;
  onOverflow(): void;
}

export class Coalescer<T> {
  readonly #o: CoalescerOptions<T>;
  #pending: ({ key: string | undefined; item: T } | undefined)[] = [];
  readonly #slotOfKey = new Map<string, number>();
  #count = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastSentAt = -Infinity;
  #paused = true;
  #closed = false;

  constructor(opts: CoalescerOptions<T>) {
    this.#o = opts;
  }

  push(item: T, key?: string): void {
    if (this.#closed) return;
    if (key !== undefined) {
      const slot = this.#slotOfKey.get(key);
      if (slot !== undefined && this.#pending[slot]) {
        this.#pending[slot] = undefined;
        this.#count--;
      }
      this.#slotOfKey.set(key, this.#pending.length);
    }
    this.#pending.push({ key, item });
    this.#count++;
    if (this.#count > this.#o.maxPending) {
      this.clear();
      this.#o.onOverflow();
      return;
    }
    this.#schedule();
  }

  /** Hold events (while a snapshot is being built); resume() sends what was held. */
  pause(): void {
    this.#paused = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  /** Drop what is pending (a snapshot is about to supersede it). */
  clear(): void {
    this.#pending = [];
    this.#slotOfKey.clear();
    this.#count = 0;
  }

  close(): void {
    this.#closed = true;
    this.pause();
    this.clear();
  }

  #schedule(): void {
    if (this.#paused || this.#timer || this.#count === 0) return;
    // A timer even when the window has passed: events published in the same tick go out together.
    const delay = Math.max(0, this.#lastSentAt + this.#o.windowMs - Date.now());
    this.#timer = setTimeout(() => this.#flush(), delay);
  }

  #flush(): void {
    this.#timer = undefined;
    if (this.#paused || this.#closed) return;
    const items = this.#pending.flatMap((p) => (p ? [p.item] : []));
    this.clear();
    if (items.length === 0) return;
    this.#lastSentAt = Date.now();
    this.#o.send(items);
  }
}
