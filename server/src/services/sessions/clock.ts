// The access component reads time through this, so tests can move it on
// (idle and absolute session expiry, the login rate-limit window).

export interface AccessClock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemAccessClock: AccessClock = { now: () => Date.now() };
