// Per-source request rate limiting and temporary bans.
//
// A source (an IP address) that sends more than `maxRequests` requests within
// `windowMs`, or fails authentication `maxAuthFailures` times within
// `authWindowMs`, is banned for `banMs`: everything it sends is dropped without
// an answer (answering would feed a flood). Memory is bounded: entries expire
// lazily once their window has passed, and at most `maxTrackedSources` sources
// are tracked (the least recently seen one is forgotten first).
//
// A configured trunk's addresses are limited too, with their own higher
// `trunkMaxRequests`: a carrier brings many calls from one address, and an
// address that is not rate limited at all is an open door for anyone who can
// send from it. Requests over the trunk limit are dropped but the trunk is
// never banned, and failed authentications from it are not counted: a spoofed
// flood must not cut a site off from its carrier for five minutes.

export interface RateLimitConfig {
  maxRequests: number;
  windowMs: number;
  maxAuthFailures: number;
  authWindowMs: number;
  banMs: number;
  maxTrackedSources: number;
  /** Addresses never limited (e.g. a load balancer that does its own limiting). */
  exempt: string[];
  /** Addresses of configured trunks: limited to trunkMaxRequests per window, never banned. */
  trunkSources: string[];
  trunkMaxRequests: number;
  now: () => number;
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = {
  maxRequests: 100,
  windowMs: 2000,
  maxAuthFailures: 10,
  authWindowMs: 300_000,
  banMs: 300_000,
  maxTrackedSources: 100_000,
  exempt: [],
  trunkSources: [],
  // 3,000 requests/s: a carrier's INVITE, ACK and BYE of 1,000 calls/s, the engine's capacity on two cores (issue 19).
  trunkMaxRequests: 6000,
  now: () => Date.now(),
};

interface SourceState {
  /** Arrival times of the requests inside the current window, oldest first. */
  requests: number[];
  authFailures: number[];
  bannedUntil: number;
}

export type BanReason = 'request-rate' | 'auth-failures';

export class RateLimiter {
  readonly config: RateLimitConfig;
  readonly #sources = new Map<string, SourceState>();
  readonly #exempt: Set<string>;
  readonly #trunks: Set<string>;
  #lastSweep = 0;
  /** Called once when a source gets banned, so the owner can log it. */
  onBan: ((address: string, reason: BanReason, untilMs: number) => void) | undefined;

  constructor(config: Partial<RateLimitConfig> = {}) {
    this.config = { ...DEFAULT_RATE_LIMIT, ...config };
    this.#exempt = new Set(this.config.exempt);
    this.#trunks = new Set(this.config.trunkSources);
  }

  /** True while the address is banned: drop whatever it sends. */
  isBanned(address: string): boolean {
    const state = this.#sources.get(address);
    return state !== undefined && state.bannedUntil > this.config.now();
  }

  /**
   * Counts one request from the address. Returns false when the request must be
   * dropped (the source is banned, or this request pushed it over the limit).
   */
  recordRequest(address: string): boolean {
    if (this.#exempt.has(address)) return true;
    const now = this.config.now();
    this.#sweep(now);
    const state = this.#state(address);
    if (state.bannedUntil > now) return false;
    prune(state.requests, now - this.config.windowMs);
    if (this.#trunks.has(address)) {
      // Over the trunk's limit the request is dropped (the carrier retransmits or fails over).
      if (state.requests.length >= this.config.trunkMaxRequests) return false;
      state.requests.push(now);
      return true;
    }
    state.requests.push(now);
    if (state.requests.length > this.config.maxRequests) {
      this.#ban(address, state, now, 'request-rate');
      return false;
    }
    return true;
  }

  /** The registrar (or any authenticator) reports a failed authentication. */
  recordAuthFailure(address: string): void {
    if (this.#exempt.has(address) || this.#trunks.has(address)) return;
    const now = this.config.now();
    this.#sweep(now);
    const state = this.#state(address);
    prune(state.authFailures, now - this.config.authWindowMs);
    state.authFailures.push(now);
    if (state.authFailures.length >= this.config.maxAuthFailures && state.bannedUntil <= now) {
      this.#ban(address, state, now, 'auth-failures');
    }
  }

  /** Replaces the exempt addresses; their bans are lifted. */
  setExempt(addresses: readonly string[]): void {
    this.#exempt.clear();
    for (const address of addresses) {
      this.#exempt.add(address);
      this.#sources.delete(address);
    }
  }

  /** Replaces the trunk addresses (the trunks changed while running); their bans are lifted. */
  setTrunkSources(addresses: readonly string[]): void {
    // What was counted under the old rules starts over under the new ones.
    for (const address of this.#trunks) this.#sources.delete(address);
    this.#trunks.clear();
    for (const address of addresses) {
      this.#trunks.add(address);
      this.#sources.delete(address);
    }
  }

  /** Lifts a ban (an administrator action). */
  unban(address: string): void {
    this.#sources.delete(address);
  }

  /** Number of sources currently tracked (for tests and metrics). */
  get trackedSources(): number {
    return this.#sources.size;
  }

  bannedSources(): string[] {
    const now = this.config.now();
    return [...this.#sources].filter(([, s]) => s.bannedUntil > now).map(([a]) => a);
  }

  #ban(address: string, state: SourceState, now: number, reason: BanReason): void {
    state.bannedUntil = now + this.config.banMs;
    state.requests.length = 0;
    state.authFailures.length = 0;
    this.onBan?.(address, reason, state.bannedUntil);
  }

  #state(address: string): SourceState {
    let state = this.#sources.get(address);
    if (state) {
      // Re-insert so Map order is "least recently seen first" for eviction.
      this.#sources.delete(address);
    } else {
      state = { requests: [], authFailures: [], bannedUntil: 0 };
      while (this.#sources.size >= this.config.maxTrackedSources) {
        const oldest = this.#sources.keys().next();
        if (oldest.done) break;
        this.#sources.delete(oldest.value);
      }
    }
    this.#sources.set(address, state);
    return state;
  }

  /** Forgets sources with nothing left to remember; runs at most once per window. */
  #sweep(now: number): void {
    if (now - this.#lastSweep < this.config.windowMs) return;
    this.#lastSweep = now;
    for (const [address, state] of this.#sources) {
      prune(state.requests, now - this.config.windowMs);
      prune(state.authFailures, now - this.config.authWindowMs);
      if (state.requests.length === 0 && state.authFailures.length === 0 && state.bannedUntil <= now) {
        this.#sources.delete(address);
      }
    }
  }
}

/** Drops timestamps older than `cutoff` from the front of a sorted list. */
function prune(times: number[], cutoff: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] ?? 0) <= cutoff) drop++;
  if (drop > 0) times.splice(0, drop);
}
