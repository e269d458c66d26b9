// A drift-free periodic clock for sending audio frames. Each tick is scheduled
// against one monotonic start time (tick n at start + n × interval), not as a
// chain of setTimeout offsets: timer lateness then never adds up, so ten
// minutes of prompt take ten minutes on the wire.

export interface Pacer {
  stop(): void;
  readonly stopped: boolean;
}

/** Ticks a burst of at most this many overdue frames after a stall, then skips ahead. */
const MAX_CATCH_UP = 10;

/**
 * Calls `onTick(n)` for n = 0, 1, 2, ... every `intervalMs`; the first tick
 * runs at once. `onTick` returns false to stop the clock.
 */
export function startPacer(intervalMs: number, onTick: (n: number) => boolean | void): Pacer {
  const intervalNs = BigInt(Math.round(intervalMs * 1e6));
  let start = process.hrtime.bigint();
  let n = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const run = (): void => {
    timer = undefined;
    if (stopped) return;
    const now = process.hrtime.bigint();
    let burst = 0;
    while (!stopped && start + BigInt(n) * intervalNs <= now) {
      if (burst === MAX_CATCH_UP) {
        // The process stalled for long: restart the schedule from now
        // rather than flood the far end's jitter buffer.
        start = now - BigInt(n) * intervalNs;
        break;
      }
      const keepGoing = onTick(n);
      n++;
      burst++;
      if (keepGoing === false) stopped = true;
    }
    if (stopped) return;
    const waitMs = Number(start + BigInt(n) * intervalNs - process.hrtime.bigint()) / 1e6;
    timer = setTimeout(run, Math.max(0, waitMs));
  };
  run();
  return {
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
    get stopped(): boolean {
      return stopped;
    },
  };
}
