// "Stats from recent attempts": the one estimator the live dialer and the
// simulator both feed, so the pacer sees the same kind of figures in both.
//
// Each figure is a running mean that turns into an exponentially weighted one
// once it has `memory` samples: the first calls weigh fully (no prior to
// unlearn), later ones let the figures follow a list whose answer rate drifts
// through the day. A fresh estimator (after a restart) reports 0 attempts, and
// the pacer stays progressive until it has measured enough new calls.

import type { PacingStats } from './types.js';

export type AttemptOutcome = 'live' | 'machine' | 'no-answer' | 'busy' | 'failed';

export interface StatsEstimatorOptions {
  /** Effective number of recent samples each figure remembers (default 500 attempts). */
  memory?: number;
  /** Used before the first talk / wrap-up has been measured (ms). */
  initialTalkMs?: number;
  initialWrapUpMs?: number;
}

/** A mean and a variance that forget old samples at rate 1/memory. */
class SmoothedMean {
  private n = 0;
  private m = 0;
  private v = 0;

  constructor(private readonly memory: number) {}

  add(x: number): void {
    this.n++;
    const alpha = Math.max(1 / this.n, 1 / this.memory);
    const d = x - this.m;
    this.m += alpha * d;
    // Exponentially weighted variance (West 1979): exact running variance while alpha = 1/n.
    this.v = (1 - alpha) * (this.v + alpha * d * d);
  }

  get count(): number {
    return this.n;
  }
  get mean(): number {
    return this.m;
  }
  get sd(): number {
    return Math.sqrt(this.v);
  }
}

export class PacingStatsEstimator {
  private attempts = 0;
  private readonly live: SmoothedMean;
  private readonly machine: SmoothedMean;
  private readonly timeToAnswer: SmoothedMean;
  private readonly talk: SmoothedMean;
  private readonly wrapUp: SmoothedMean;
  private readonly initialTalkMs: number;
  private readonly initialWrapUpMs: number;

  constructor(options: StatsEstimatorOptions = {}) {
    const memory = options.memory ?? 500;
    if (!(memory >= 1)) throw new RangeError(`stats memory must be at least 1 sample, got ${memory}`);
    this.live = new SmoothedMean(memory);
    this.machine = new SmoothedMean(memory);
    this.timeToAnswer = new SmoothedMean(memory);
    // Talk and wrap-up samples come once per connected call, far fewer than attempts.
    this.talk = new SmoothedMean(Math.max(1, memory / 4));
    this.wrapUp = new SmoothedMean(Math.max(1, memory / 4));
    this.initialTalkMs = options.initialTalkMs ?? 120_000;
    this.initialWrapUpMs = options.initialWrapUpMs ?? 20_000;
  }

  /**
   * An attempt's outcome, once known (a live answer counts when the person is
   * recognised, abandoned or not). `timeToAnswerMs`: dial → answer, for live
   * and machine answers.
   */
  recordAttempt(outcome: AttemptOutcome, timeToAnswerMs?: number): void {
    this.attempts++;
    this.live.add(outcome === 'live' ? 1 : 0);
    this.machine.add(outcome === 'machine' ? 1 : 0);
    if ((outcome === 'live' || outcome === 'machine') && timeToAnswerMs !== undefined && timeToAnswerMs >= 0) {
      this.timeToAnswer.add(timeToAnswerMs);
    }
  }

  /** A connected call's talk time, when the call ends. */
  recordTalk(ms: number): void {
    if (ms >= 0) this.talk.add(ms);
  }

  /** An agent's wrap-up time, when the wrap-up ends. */
  recordWrapUp(ms: number): void {
    if (ms >= 0) this.wrapUp.add(ms);
  }

  stats(): PacingStats {
    const talkKnown = this.talk.count > 0;
    const wrapKnown = this.wrapUp.count > 0;
    return {
      attempts: this.attempts,
      liveAnswerRate: this.live.mean,
      machineRate: this.machine.mean,
      meanTimeToAnswerMs: this.timeToAnswer.count > 0 ? this.timeToAnswer.mean : 0,
      meanTalkMs: talkKnown ? this.talk.mean : this.initialTalkMs,
      meanWrapUpMs: wrapKnown ? this.wrapUp.mean : this.initialWrapUpMs,
      // Two samples at least before a spread means anything.
      ...(this.talk.count > 1 ? { sdTalkMs: this.talk.sd } : {}),
      ...(this.wrapUp.count > 1 ? { sdWrapUpMs: this.wrapUp.sd } : {}),
      ...(this.timeToAnswer.count > 1 ? { sdTimeToAnswerMs: this.timeToAnswer.sd } : {}),
    };
  }
}
