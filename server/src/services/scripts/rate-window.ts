// Hits counted per key (a client address) in a sliding window: once a key has
// `max` hits within the window, more are refused until the oldest leaves it.
// In memory: a restart forgets the counts, which costs an attacker a restart
// they cannot trigger.

/** Beyond this many keys, stale ones are swept (a spray of addresses must not grow memory without end). */
const SWEEP_ABOVE_KEYS = 10_000;

export class RateWindow {
  readonly #hits = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(opts: { max: number; windowMs: number; now?: () => number }) {
    this.#max = opts.max;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
  }

  /** Counts a hit and returns 0, or returns the milliseconds until one is allowed (and counts nothing). */
  hit(key: string): number {
    const now = this.#now();
    const recent = (this.#hits.get(key) ?? []).filter((at) => at > now - this.#windowMs);
    if (recent.length >= this.#max) {
      this.#hits.set(key, recent);
      return Math.max(1, (recent[recent.length - this.#max] ?? now) + this.#windowMs - now);
    }
    recent.push(now);
    this.#hits.set(key, recent);
    if (this.#hits.size > SWEEP_ABOVE_KEYS) this.#sweep(now);
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, list] of this.#hits) if (!list.some((at) => at > now - this.#windowMs)) this.#hits.delete(key);
  }
}
