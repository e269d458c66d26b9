// Estimated wait: from the recent handle times (talk + wrap-up) of the queue
// and the agents staffing it. A caller at position P waits about
// P × average handle time / staffed agents.

/** The handle times of the last `size` calls of a queue. */
export class HandleTimes {
  readonly #size: number;
  readonly #values: number[] = [];
  #sum = 0;

  constructor(size = 20) {
    this.#size = size;
  }

  add(ms: number): void {
    this.#values.push(ms);
    this.#sum += ms;
    if (this.#values.length > this.#size) this.#sum -= this.#values.shift() ?? 0;
  }

  /** The average, or `fallbackMs` before the first call. */
  average(fallbackMs: number): number {
    return this.#values.length === 0 ? fallbackMs : this.#sum / this.#values.length;
  }
}

/** Staffed: logged in and not on break (ready or busy). With nobody staffed there is no estimate. */
export function estimatedWaitMs(position: number, averageHandleMs: number, staffed: number): number | undefined {
  if (staffed <= 0) return undefined;
  return Math.ceil(position / staffed) * averageHandleMs;
}
