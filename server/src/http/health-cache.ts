// The services' health checks, run in the background instead of on every
// GET /health: a load balancer or monitor polling /health then costs a JSON
// serialisation, not a round of every service's check (some of which ask a
// media engine or a database). A check round runs every `intervalMs`; a request
// that finds the result older than `minGapMs` starts another round in the
// background (at most one at a time) and is answered from the cache meanwhile,
// so checks run at most about once per `minGapMs` however many requests come.
// A service that starts, stops or is replaced makes the cached result stale at
// once (ServiceManager.lifecycleSignature), and that request waits for a round.

import type { ServiceInfo, ServiceManager } from '../core/service-manager.js';

export interface HealthCacheOptions {
  /** Background check interval (default 5 s). */
  intervalMs?: number;
  /** A request starts a new round when the last one is at least this old (default 1 s). */
  minGapMs?: number;
  now?: () => number;
}

export interface HealthSnapshot {
  services: ServiceInfo[];
  /** When the round that produced this began (ms since the epoch). */
  checkedAt: number;
}

export class HealthCache {
  readonly #services: ServiceManager;
  readonly #intervalMs: number;
  readonly #minGapMs: number;
  readonly #now: () => number;
  #snapshot: (HealthSnapshot & { signature: string }) | undefined;
  #inFlight: Promise<HealthSnapshot> | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(services: ServiceManager, opts: HealthCacheOptions = {}) {
    this.#services = services;
    this.#intervalMs = opts.intervalMs ?? 5_000;
    this.#minGapMs = opts.minGapMs ?? 1_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Start the background rounds (the timer does not keep the process alive). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#background(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The latest result: the cached one unless there is none yet or the services changed since. */
  async current(): Promise<HealthSnapshot> {
    const snapshot = this.#snapshot;
    if (!snapshot || snapshot.signature !== this.#services.lifecycleSignature()) return this.refresh();
    if (this.#now() - snapshot.checkedAt >= this.#minGapMs) this.#background();
    return snapshot;
  }

  /** Run a round of checks now (or join the one running). */
  refresh(): Promise<HealthSnapshot> {
    this.#inFlight ??= this.#round().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** A round nobody waits for (list() reports a failing check as 'down' and does not throw; this is the last guard). */
  #background(): void {
    this.refresh().catch(() => undefined);
  }

  async #round(): Promise<HealthSnapshot> {
    const checkedAt = this.#now();
    const signature = this.#services.lifecycleSignature();
    const services = await this.#services.list();
    const snapshot = { services, checkedAt, signature };
    this.#snapshot = snapshot;
    return snapshot;
  }
}
