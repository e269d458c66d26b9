// Waiting callers per queue over the last hour, sampled every `sampleMs`
// (10 s: 360 samples a queue), so a wallboard opened mid-shift draws the
// hour before it. A ring per queue; memory only (a restart starts afresh).

export interface WaitingSample {
  /** ISO time of the sample. */
  at: string;
  waiting: number;
}

export class WaitingHistory {
  readonly #capacity: number;
  readonly #rings = new Map<string, WaitingSample[]>();

  constructor(opts: { spanMs: number; sampleMs: number }) {
    this.#capacity = Math.max(1, Math.ceil(opts.spanMs / opts.sampleMs));
  }

  record(at: number, waitingByQueue: ReadonlyMap<string, number>): void {
    const iso = new Date(at).toISOString();
    for (const [queue, waiting] of waitingByQueue) {
      let ring = this.#rings.get(queue);
      if (!ring) this.#rings.set(queue, (ring = []));
      ring.push({ at: iso, waiting });
      if (ring.length > this.#capacity) ring.splice(0, ring.length - this.#capacity);
    }
    // A queue removed since keeps no history.
    for (const queue of this.#rings.keys()) if (!waitingByQueue.has(queue)) this.#rings.delete(queue);
  }

  samples(queue: string): WaitingSample[] {
    return [...(this.#rings.get(queue) ?? [])];
  }
}
