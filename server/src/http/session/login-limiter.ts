// Failed logins counted per username and per client address in a sliding
// window. Once a key has `max` failures within the window, logins for it are
// refused (429) without checking the password until the oldest failure leaves
// the window, so guessing runs at a few tries per window at most.
// The per-address limit is higher: a whole office often shares one address.
// In memory: a restart forgets the counts, which costs an attacker a restart
// they cannot trigger.

import type { AccessClock } from './clock.js';

export interface LoginLimits {
  windowMs: number;
  maxPerUsername: number;
  maxPerAddress: number;
}

export const defaultLoginLimits: LoginLimits = { windowMs: 15 * 60_000, maxPerUsername: 5, maxPerAddress: 20 };

/** Beyond this many keys, stale ones are swept (a spray of usernames must not grow memory without end). */
const SWEEP_ABOVE_KEYS = 10_000;

export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();
  readonly #clock: AccessClock;
  readonly limits: LoginLimits;

  constructor(clock: AccessClock, limits: LoginLimits = defaultLoginLimits) {
    this.#clock = clock;
    this.limits = limits;
  }

  /** Milliseconds until a login for this username from this address may be tried again (0: now). */
  retryAfterMs(username: string, address: string): number {
    const now = this.#clock.now();
    return Math.max(this.#blockedFor(`u:${username.toLowerCase()}`, this.limits.maxPerUsername, now), this.#blockedFor(`a:${address}`, this.limits.maxPerAddress, now));
  }

  failed(username: string, address: string): void {
    const now = this.#clock.now();
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) {
      const list = this.#recent(key, now);
      list.push(now);
      this.#failures.set(key, list);
    }
    if (this.#failures.size > SWEEP_ABOVE_KEYS) this.#sweep(now);
  }

  /** A correct password clears the username's count (the address keeps its own). */
  succeeded(username: string): void {
    this.#failures.delete(`u:${username.toLowerCase()}`);
  }

  #blockedFor(key: string, max: number, now: number): number {
    const list = this.#recent(key, now);
    if (list.length < max) return 0;
    // Blocked until enough failures leave the window to bring the count under max.
    const oldestThatMatters = list[list.length - max] ?? now;
    return Math.max(0, oldestThatMatters + this.limits.windowMs - now);
  }

  #recent(key: string, now: number): number[] {
    const list = (this.#failures.get(key) ?? []).filter((at) => now - at < this.limits.windowMs);
    if (list.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, list);
    return list;
  }

  #sweep(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#recent(key, now);
  }
}
