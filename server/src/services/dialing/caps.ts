// Caps on outbound legs, for the whole site and for each trunk: how many are
// up at once and how many started in the last 60 minutes (a sliding window,
// so a burst at the top of the hour is not followed by a second one). A leg
// holds its place from the moment it is dialed until it ends or fails.

import type { Refusal } from './policy.js';
import type { CapsSettings } from './config-schema.js';

export interface Caps {
  concurrent: number;
  perHour: number;
}

export interface CapsConfig {
  site: Caps;
  perTrunk: Caps;
  trunks: Record<string, Caps>;
}

const HOUR_MS = 60 * 60 * 1000;

/** Legs up now and start times in the last hour, for one scope (the site or a trunk). */
class Window {
  active = 0;
  readonly #starts: number[] = [];

  startedInLastHour(now: number): number {
    while (this.#starts.length > 0 && (this.#starts[0] ?? now) <= now - HOUR_MS) this.#starts.shift();
    return this.#starts.length;
  }

  start(now: number): void {
    this.active++;
    this.#starts.push(now);
  }
}

export interface CapsSnapshot {
  site: { active: number; lastHour: number; caps: Caps };
  trunks: Record<string, { active: number; lastHour: number; caps: Caps }>;
}

/** A place taken by one leg; release it once, when the leg ends or fails. */
export interface Lease {
  release(): void;
}

export function resolveCaps(site: CapsSettings | undefined, perTrunk: CapsSettings | undefined, trunks: Record<string, CapsSettings> | undefined, defaults: { site: Caps; perTrunk: Caps }): CapsConfig {
  const fill = (c: CapsSettings | undefined, d: Caps): Caps => ({ concurrent: c?.concurrent ?? d.concurrent, perHour: c?.perHour ?? d.perHour });
  const trunkDefault = fill(perTrunk, defaults.perTrunk);
  return {
    site: fill(site, defaults.site),
    perTrunk: trunkDefault,
    trunks: Object.fromEntries(Object.entries(trunks ?? {}).map(([name, c]) => [name, fill(c, trunkDefault)])),
  };
}

export class DialingCaps {
  readonly #site = new Window();
  readonly #trunks = new Map<string, Window>();

  constructor(
    readonly config: CapsConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take a place for a leg through `trunk`, or say which cap refuses it. */
  take(trunk: string): Lease | Refusal {
    const now = this.now();
    const trunkCaps = this.#capsOf(trunk);
    // A window is kept only for a trunk that placed a leg: refused asks for made-up trunk names leave nothing behind.
    const win = this.#trunks.get(trunk) ?? new Window();
    const refusal =
      this.#site.active >= this.config.site.concurrent ? { reason: 'site-concurrent' as const, detail: `the site already has ${this.#site.active} outbound calls up (dialing.site.concurrent ${this.config.site.concurrent})` }
      : this.#site.startedInLastHour(now) >= this.config.site.perHour ? { reason: 'site-per-hour' as const, detail: `the site placed ${this.config.site.perHour} outbound calls in the last hour (dialing.site.perHour)` }
      : win.active >= trunkCaps.concurrent ? { reason: 'trunk-concurrent' as const, detail: `trunk '${trunk}' already has ${win.active} outbound calls up (its cap is ${trunkCaps.concurrent})` }
      : win.startedInLastHour(now) >= trunkCaps.perHour ? { reason: 'trunk-per-hour' as const, detail: `trunk '${trunk}' placed ${trunkCaps.perHour} outbound calls in the last hour (its cap)` }
      : undefined;
    if (refusal) return refusal;
    this.#site.start(now);
    win.start(now);
    this.#trunks.set(trunk, win);
    const trunkWindow = win;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#site.active--;
        trunkWindow.active--;
      },
    };
  }

  snapshot(): CapsSnapshot {
    const now = this.now();
    return {
      site: { active: this.#site.active, lastHour: this.#site.startedInLastHour(now), caps: this.config.site },
      trunks: Object.fromEntries([...this.#trunks].map(([name, w]) => [name, { active: w.active, lastHour: w.startedInLastHour(now), caps: this.#capsOf(name) }])),
    };
  }

  #capsOf(trunk: string): Caps {
    return this.config.trunks[trunk] ?? this.config.perTrunk;
  }
}
