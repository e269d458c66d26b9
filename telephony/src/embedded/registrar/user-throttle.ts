// Failed SIP authentications counted per username, whatever address they come
// from. The per-source limit (sip/rate-limit.ts) bans one guessing address; a
// guesser spread over many addresses stays under it, so the username itself
// is refused for a while after `maxFailures` failures in `windowMs`: `lockMs`
// at first, doubling with each new lock while the failures go on, up to
// `maxLockMs`. The lock is temporary on purpose: the real user, from a fresh
// address, gets in once it has passed, and a phone already registered from
// an address keeps re-registering from it (the registrar lets it through).
// While locked, answers are not checked at all, so a lock also hides whether
// a guess was right. Unknown usernames are counted like known ones (no
// enumeration); at most `maxTrackedUsers` are tracked.

export interface UserThrottleConfig {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
  maxTrackedUsers: number;
  now: () => number;
}

export const DEFAULT_USER_THROTTLE: UserThrottleConfig = {
  maxFailures: 5,
  windowMs: 300_000,
  lockMs: 30_000,
  maxLockMs: 900_000,
  maxTrackedUsers: 100_000,
  now: () => Date.now(),
};

interface UserState {
  failures: number[];
  lockedUntil: number;
  /** Locks in a row so far: the next lock lasts lockMs * 2^locks. */
  locks: number;
}

export class UserAuthThrottle {
  readonly config: UserThrottleConfig;
  readonly #users = new Map<string, UserState>();

  constructor(config: Partial<UserThrottleConfig> = {}) {
    this.config = { ...DEFAULT_USER_THROTTLE, ...config };
  }

  /** Milliseconds the username is still refused for; 0 when it is not. */
  lockedFor(user: string): number {
    const state = this.#users.get(user);
    return state ? Math.max(0, state.lockedUntil - this.config.now()) : 0;
  }

  /** Counts a failure; returns the length of the lock it started, if it started one. */
  recordFailure(user: string): number | undefined {
    const now = this.config.now();
    const state = this.#state(user);
    // A long quiet spell after the last lock: the next one starts short again.
    if (state.locks > 0 && now - state.lockedUntil > this.config.maxLockMs) state.locks = 0;
    const cutoff = now - this.config.windowMs;
    state.failures = state.failures.filter((at) => at > cutoff);
    state.failures.push(now);
    if (state.failures.length < this.config.maxFailures || state.lockedUntil > now) return undefined;
    const lockMs = Math.min(this.config.lockMs * 2 ** state.locks, this.config.maxLockMs);
    state.locks++;
    state.lockedUntil = now + lockMs;
    state.failures = [];
    return lockMs;
  }

  /**
   * The user authenticated: their failure count starts over. A lock in force
   * stays (the success came from the user's own registered address, which the
   * registrar lets through), and so does the doubling: it fades only with quiet.
   */
  recordSuccess(user: string): void {
    const state = this.#users.get(user);
    if (!state) return;
    state.failures = [];
    if (state.locks === 0) this.#users.delete(user);
  }

  get trackedUsers(): number {
    return this.#users.size;
  }

  #state(user: string): UserState {
    let state = this.#users.get(user);
    if (state) {
      // Re-insert: Map order is least recently failed first, for eviction.
      this.#users.delete(user);
    } else {
      state = { failures: [], lockedUntil: 0, locks: 0 };
      while (this.#users.size >= this.config.maxTrackedUsers) {
        const oldest = this.#users.keys().next();
        if (oldest.done) break;
        this.#users.delete(oldest.value);
      }
    }
    this.#users.set(user, state);
    return state;
  }
}
