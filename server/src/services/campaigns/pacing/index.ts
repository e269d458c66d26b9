// The pacing algorithm: how many calls to place now. The live dialer and the
// pacing simulator both call decidePacing with a PacingSnapshot, so what the
// simulator measures is what the dialer does. docs/campaigns-pacing.md explains it.

import { abandonRate } from './abandon-tracker.js';
import { planPredictive } from './predictive.js';
import { resolvePacingSettings, type PacingSettings } from './settings.js';
import type { PacingDecision, PacingSnapshot } from './types.js';

export type { AbandonWindow, DialMode, PacingDecision, PacingSnapshot, PacingStats } from './types.js';
export { AbandonTracker, abandonRate, abandonWindowMs, type AbandonWindowName, type AnsweredCall } from './abandon-tracker.js';
export { PacingStatsEstimator, type AttemptOutcome, type StatsEstimatorOptions } from './stats-estimator.js';
export { defaultPacingSettings, resolvePacingSettings, type PacingSettings } from './settings.js';
export { buildPacingSnapshot, type BusyAgent, type DialerState, type PacingSources } from './snapshot.js';

/** One call per ready agent not already covered by a call being dialed, answered or waiting. */
export function progressiveCalls(s: PacingSnapshot): number {
  return Math.max(0, s.agentsReady - s.callsDialing - s.callsWaitingForAgent - (s.callsAnswering ?? 0));
}

/**
 * The governor: the share of the predictive target still allowed given the
 * compliance window. 1 well under the cap, shrinking linearly from
 * `slowdownAt × cap` to 0 at the cap; 0 also while the window has room for
 * fewer than `reserveAbandons` more abandons (early in a window the counts are
 * small and one abandon is a big share).
 */
export function governorFactor(s: PacingSnapshot, settings: PacingSettings): number {
  const cap = s.abandonCap;
  if (!(cap > 0)) return 0;
  const { liveAnswered, abandoned } = s.window;
  if (cap * liveAnswered - abandoned < settings.reserveAbandons) return 0;
  const rate = abandonRate(s.window);
  const slow = settings.slowdownAt * cap;
  if (rate <= slow) return 1;
  if (rate >= cap) return 0;
  return (cap - rate) / (cap - slow);
}

/**
 * The calibration: (aimed rate / measured rate)^strength, the measured rate
 * smoothed with a prior at the aimed rate, clamped to [1/maxCalibration, maxCalibration]. A campaign whose
 * window shows fewer abandons than aimed for gets a bolder per-decision target,
 * one with more a more careful one, so the long-run rate settles near the aim.
 */
export function calibration(s: PacingSnapshot, settings: PacingSettings): number {
  const aim = s.abandonCap * settings.targetShareOfCap;
  const prior = settings.calibrationPriorAnswers;
  const measured = (s.window.abandoned + aim * prior) / (s.window.liveAnswered + prior);
  const gain = measured > 0 ? (aim / measured) ** settings.calibrationStrength : settings.maxCalibration;
  return Math.min(settings.maxCalibration, Math.max(1 / settings.maxCalibration, gain));
}

/**
 * The most abandons the calls in flight may be expected to cause. With room
 * for h more abandons under the cap (cap × live answered − abandoned), an
 * expectation μ with μ + 3√μ ≤ h − 1: abandons from a burst of calls come
 * roughly Poisson, so even a bad draw (three standard deviations) leaves one
 * abandon of room. Irrelevant once the window holds thousands of answers; it
 * tames the first hours of a window, when a few abandons are a big share.
 */
export function abandonBudget(s: PacingSnapshot): number {
  const room = s.abandonCap * s.window.liveAnswered - s.window.abandoned - 1;
  if (room <= 0) return 0;
  const sqrtMu = (-3 + Math.sqrt(9 + 4 * room)) / 2;
  return sqrtMu * sqrtMu;
}

export function decidePacing(snapshot: PacingSnapshot, settings?: Partial<PacingSettings>): PacingDecision {
  const s = snapshot;
  if (s.mode === 'preview') return { dial: 0, reason: 'preview: agents dial themselves' };
  const agents = s.agentsReady + s.agentsBusy.length;
  if (agents === 0) return { dial: 0, reason: 'no agents logged in' };

  const progressive = progressiveCalls(s);
  const occupied = (): string => `${s.agentsReady} ready, ${s.callsDialing} dialing, ${s.callsWaitingForAgent} waiting`;
  if (s.mode === 'progressive') {
    return {
      dial: progressive,
      get reason(): string {
        return `progressive: ${occupied()}`;
      },
    };
  }

  const config = resolvePacingSettings(settings);
  if (s.conservative) return { dial: progressive, reason: `conservative (restart): progressive, ${occupied()}` };
  if (s.stats.attempts < config.minAttempts) {
    return { dial: progressive, reason: `learning (${s.stats.attempts}/${config.minAttempts} attempts): progressive, ${occupied()}` };
  }
  const windowPct = (): string => `${(abandonRate(s.window) * 100).toFixed(2)}% abandoned of ${s.window.liveAnswered}`;
  const factor = governorFactor(s, config);
  if (factor <= 0) {
    const why = abandonRate(s.window) >= s.abandonCap ? 'abandon cap reached' : 'too little room under the abandon cap';
    return { dial: progressive, reason: `${why} (${windowPct()}, cap ${pct(s.abandonCap)}): progressive, ${occupied()}` };
  }

  const gain = calibration(s, config);
  const target = s.abandonCap * config.targetShareOfCap * gain * factor;
  const plan = planPredictive(s, target, config, abandonBudget(s));
  const dial = Math.max(progressive, plan.newCalls);
  // Formatted only when read: the simulator asks millions of times and reads none.
  return {
    dial,
    get reason(): string {
      return (
        `predictive: ${occupied()}, ${s.agentsBusy.length} busy (${plan.freeing.toFixed(1)} freeing in ${(plan.horizonMs / 1000).toFixed(1)} s), ` +
        `${plan.liveToCome.toFixed(1)} live to come, live ${s.stats.liveAnswerRate.toFixed(3)}, target ${pct(target)} ` +
        `(window ${windowPct()}, calibration ×${gain.toFixed(2)}, governor ×${factor.toFixed(2)}) → ${plan.inFlight} in flight, expected ${pct(plan.expectedAbandonRatio)}`
      );
    },
  };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}
