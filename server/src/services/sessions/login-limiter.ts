// Failed logins slow guessing down without letting anyone lock a user out.
//
// - Per (username, address): after `freeFailures` failures, each further try
//   waits an exponentially growing time (1 s, 2 s, 4 s … up to `maxBackoffMs`).
//   A stranger hammering `admin` from their address only slows themselves:
//   the real admin, from another address, logs in as usual.
// - Per address, across usernames: `maxPerAddress` failures within `windowMs`
//   block that address (a spray of usernames from one place); other addresses
//   are not affected.
// - Globally: when more than `globalFailuresPerMinute` failures arrive from all
//   addresses together (a distributed guesser), every login is slowed down:
//   each password check waits `slowDownMs` first and an address may have one
//   check in flight at a time. Nobody is refused for someone else's failures;
//   they wait a little longer, and a guesser's rate drops.
// - In flight: one address may have at most MAX_CHECKS_IN_FLIGHT_PER_ADDRESS
//   password checks running at once. Failures are counted when a check ends,
//   so without this a burst of concurrent wrong passwords (HTTP Basic on many
//   connections) would all be admitted and run scrypt before the first counted.
//   Identical credentials sent in parallel share one check (sessions/service.ts),
//   so a client's own burst of good requests takes one slot.
// A correct password clears the backoff of that (username, address).
// In memory: a restart forgets the counts, which costs an attacker a restart
// they cannot trigger.

import type { AccessClock } from './clock.js';
import { defaultLoginLimits, type LoginLimits } from '../../config/login-settings.js';

export { defaultLoginLimits, type LoginLimits } from '../../config/login-settings.js';

/** What the limiter decides before a password is checked. */
export type LoginAdmission =
  | { kind: 'refused'; retryAfterMs: number; reason: 'backoff' | 'address' | 'in-flight' }
  | { kind: 'admitted'; delayMs: number; release: () => void };

const GLOBAL_WINDOW_MS = 60_000;
/** Password checks (scrypt, ~100 ms of a core each) one address may have running at once. */
export const MAX_CHECKS_IN_FLIGHT_PER_ADDRESS = 4;
/** Beyond this many keys, stale ones are swept (a spray of usernames must not grow memory without end). */
const SWEEP_ABOVE_KEYS = 10_000;

interface Backoff {
  failures: number;
  lastFailureAt: number;
}

export class LoginLimiter {
  readonly #backoff = new Map<string, Backoff>();
  readonly #addressFailures = new Map<string, number[]>();
  #globalFailures: number[] = [];
  readonly #inFlight = new Set<string>();
  readonly #checksInFlight = new Map<string, number>();
  readonly #clock: AccessClock;
  readonly limits: LoginLimits;

  constructor(clock: AccessClock, limits: LoginLimits = defaultLoginLimits) {
    this.#clock = clock;
    this.limits = limits;
  }

  /**
   * May this login be tried now? Admitted tries must call `release()` when
   * the check is over (then `failed` or `succeeded`), and wait `delayMs` first.
   */
  admit(username: string, address: string): LoginAdmission {
    const now = this.#clock.now();
    const backoffMs = this.#backoffLeft(pairKey(username, address), now);
    if (backoffMs > 0) return { kind: 'refused', retryAfterMs: backoffMs, reason: 'backoff' };
    const addressMs = this.#addressBlockedFor(address, now);
    if (addressMs > 0) return { kind: 'refused', retryAfterMs: addressMs, reason: 'address' };
    const running = this.#checksInFlight.get(address) ?? 0;
    if (running >= MAX_CHECKS_IN_FLIGHT_PER_ADDRESS) return { kind: 'refused', retryAfterMs: 1000, reason: 'in-flight' };
    const slowed = this.slowedDown();
    if (slowed && this.#inFlight.has(address)) return { kind: 'refused', retryAfterMs: this.limits.slowDownMs, reason: 'in-flight' };
    if (slowed) this.#inFlight.add(address);
    this.#checksInFlight.set(address, running + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (slowed) this.#inFlight.delete(address);
      const left = (this.#checksInFlight.get(address) ?? 1) - 1;
      if (left > 0) this.#checksInFlight.set(address, left);
      else this.#checksInFlight.delete(address);
    };
    return { kind: 'admitted', delayMs: slowed ? this.limits.slowDownMs : 0, release };
  }

  /** True while failures from all addresses exceed the global rate. */
  slowedDown(): boolean {
    const now = this.#clock.now();
    this.#globalFailures = this.#globalFailures.filter((at) => now - at < GLOBAL_WINDOW_MS);
    return this.#globalFailures.length > this.limits.globalFailuresPerMinute;
  }

  failed(username: string, address: string): void {
    const now = this.#clock.now();
    const key = pairKey(username, address);
    const previous = this.#backoff.get(key);
    const fresh = previous && now - previous.lastFailureAt < this.limits.forgetAfterMs;
    this.#backoff.set(key, { failures: (fresh ? previous.failures : 0) + 1, lastFailureAt: now });
    const list = this.#recentAddressFailures(address, now);
    list.push(now);
    this.#addressFailures.set(address, list);
    this.#globalFailures.push(now);
    if (this.#backoff.size + this.#addressFailures.size > SWEEP_ABOVE_KEYS) this.#sweep(now);
  }

  /** A correct password clears the backoff of this username from this address (the address keeps its own count). */
  succeeded(username: string, address: string): void {
    this.#backoff.delete(pairKey(username, address));
  }

  #backoffLeft(key: string, now: number): number {
    const entry = this.#backoff.get(key);
    if (!entry) return 0;
    if (now - entry.lastFailureAt >= this.limits.forgetAfterMs) {
      this.#backoff.delete(key);
      return 0;
    }
    const over = entry.failures - this.limits.freeFailures;
    if (over < 0) return 0;
    // 2^over grows past any cap quickly; clamp the exponent so the number stays finite.
    const wait = Math.min(this.limits.maxBackoffMs, this.limits.baseBackoffMs * 2 ** Math.min(over, 40));
    return Math.max(0, entry.lastFailureAt + wait - now);
  }

  #addressBlockedFor(address: string, now: number): number {
    const list = this.#recentAddressFailures(address, now);
    const max = this.limits.maxPerAddress;
    if (list.length < max) return 0;
    // Blocked until enough failures leave the window to bring the count under max.
    const oldestThatMatters = list[list.length - max] ?? now;
    return Math.max(0, oldestThatMatters + this.limits.windowMs - now);
  }

  #recentAddressFailures(address: string, now: number): number[] {
    const list = (this.#addressFailures.get(address) ?? []).filter((at) => now - at < this.limits.windowMs);
    if (list.length === 0) this.#addressFailures.delete(address);
    else this.#addressFailures.set(address, list);
    return list;
  }

  #sweep(now: number): void {
    for (const key of [...this.#backoff.keys()]) this.#backoffLeft(key, now);
    for (const address of [...this.#addressFailures.keys()]) this.#recentAddressFailures(address, now);
    // Still too many live keys: forget the oldest (maps keep insertion order); the global slow-down is on by then anyway.
    for (const key of this.#backoff.keys()) {
      if (this.#backoff.size <= SWEEP_ABOVE_KEYS / 2) break;
      this.#backoff.delete(key);
    }
  }
}

function pairKey(username: string, address: string): string {
  return `${username.toLowerCase()}\u0000${address}`;
}
