// What the wallboard needs besides the live figures: each queue's thresholds
// (site file), today's service level and abandoned calls (the reports, cached
// briefly: every open wallboard asks), and the last hour of waiting callers.

import type { FastifyBaseLogger as Logger } from 'fastify';
import type { QueueThresholds } from '../acd/index.js';
import type { WaitingHistory, WaitingSample } from './history.js';

export interface TodayFigures {
  offered: number;
  answered: number;
  abandoned: number;
  /** Null before any call counted. */
  serviceLevelPercent: number | null;
}

export interface WallboardQueue {
  queue: string;
  thresholds: QueueThresholds;
  today: TodayFigures | null;
  history: WaitingSample[];
}

export interface WallboardView {
  at: string;
  sampleSeconds: number;
  queues: WallboardQueue[];
}

export interface WallboardSources {
  queues(): string[];
  thresholds(queue: string): QueueThresholds;
  /** Null without a reports service. */
  today(queue: string): Promise<TodayFigures | null>;
  history: WaitingHistory;
  sampleSeconds: number;
  log: Logger;
  /** How long today's figures are reused (default 15 s). */
  cacheMs?: number;
}

export class Wallboard {
  readonly #s: WallboardSources;
  #cached: { until: number; figures: Map<string, TodayFigures | null> } | undefined;

  constructor(sources: WallboardSources) {
    this.#s = sources;
  }

  async view(now = Date.now()): Promise<WallboardView> {
    const queues = this.#s.queues();
    const today = await this.#today(queues, now);
    return {
      at: new Date(now).toISOString(),
      sampleSeconds: this.#s.sampleSeconds,
      queues: queues.map((queue) => ({ queue, thresholds: this.#s.thresholds(queue), today: today.get(queue) ?? null, history: this.#s.history.samples(queue) })),
    };
  }

  async #today(queues: string[], now: number): Promise<Map<string, TodayFigures | null>> {
    if (this.#cached && this.#cached.until > now && queues.every((q) => this.#cached?.figures.has(q))) return this.#cached.figures;
    const figures = new Map<string, TodayFigures | null>();
    for (const queue of queues) {
      try {
        figures.set(queue, await this.#s.today(queue));
      } catch (err) {
        this.#s.log.warn({ err, queue }, "today's figures left out of the wallboard");
        figures.set(queue, null);
      }
    }
    this.#cached = { until: now + (this.#s.cacheMs ?? 15_000), figures };
    return figures;
  }
}
