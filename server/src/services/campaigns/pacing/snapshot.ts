// Builds the PacingSnapshot from a dialer's own state. The live dialer and the
// simulator both go through here, so the pacer is fed the same way in both:
// stats from the PacingStatsEstimator, the window from the AbandonTracker.

import type { AbandonTracker } from './abandon-tracker.js';
import type { PacingStatsEstimator } from './stats-estimator.js';
import type { DialMode, PacingSnapshot } from './types.js';

export interface BusyAgent {
  state: 'talking' | 'wrap-up';
  /** When the agent entered that state (same clock as `now`). */
  since: number;
}

export interface DialerState {
  now: number;
  mode: DialMode;
  agentsReady: number;
  agentsBusy: readonly BusyAgent[];
  callsDialing: number;
  /** Optional: when each dialing call was placed (same clock as `now`). */
  dialingSince?: readonly number[];
  /** Answered, machine detection still running. */
  callsAnswering: number;
  callsWaitingForAgent: number;
}

export interface PacingSources {
  stats: PacingStatsEstimator;
  abandons: AbandonTracker;
  abandonCap: number;
  /** True after a restart until the estimator has measured enough fresh calls. */
  conservative: boolean;
}

export function buildPacingSnapshot(state: DialerState, sources: PacingSources): PacingSnapshot {
  return {
    now: state.now,
    mode: state.mode,
    agentsReady: state.agentsReady,
    agentsBusy: state.agentsBusy.map((a) => ({ state: a.state, sinceMs: Math.max(0, state.now - a.since) })),
    callsDialing: state.callsDialing,
    ...(state.dialingSince ? { dialingSinceMs: state.dialingSince.map((t) => Math.max(0, state.now - t)) } : {}),
    callsAnswering: state.callsAnswering,
    callsWaitingForAgent: state.callsWaitingForAgent,
    stats: sources.stats.stats(),
    window: sources.abandons.counts(state.now),
    abandonCap: sources.abandonCap,
    conservative: sources.conservative,
  };
}
