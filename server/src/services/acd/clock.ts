// Time for the ACD. Everything that reads the time or waits goes through a
// Clock, so tests drive wrap-up, ring timeouts, announcements and escalation
// with a simulated clock instead of sleeping.

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run fn once after ms; cancelling a fired or cancelled timer does nothing. */
  setTimer(ms: number, fn: () => void): TimerHandle;
}

/** The real clock: Date.now and setTimeout. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return { cancel: () => clearTimeout(timer) };
  },
};
