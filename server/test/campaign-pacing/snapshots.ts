// Snapshots for the pacing tests: a campaign that has been running a while
// (well-measured stats, a comfortable abandon window) unless a test says otherwise.

import type { PacingSnapshot, PacingStats } from '../../src/services/campaigns/pacing/index.js';

export const measuredStats: PacingStats = {
  attempts: 5000,
  liveAnswerRate: 0.3,
  machineRate: 0.15,
  meanTimeToAnswerMs: 8000,
  meanTalkMs: 180_000,
  meanWrapUpMs: 30_000,
  sdTalkMs: 60_000,
  sdWrapUpMs: 10_000,
};

export function snapshot(over: Partial<PacingSnapshot> = {}, stats: Partial<PacingStats> = {}): PacingSnapshot {
  return {
    now: 1_000_000,
    mode: 'predictive',
    agentsReady: 0,
    agentsBusy: [],
    callsDialing: 0,
    callsWaitingForAgent: 0,
    window: { liveAnswered: 10_000, abandoned: 100 }, // 1%: well under a 3% cap
    abandonCap: 0.03,
    conservative: false,
    ...over,
    stats: { ...measuredStats, ...stats },
  };
}

/** n agents talking, spread evenly through a call. */
export function talking(n: number, maxSinceMs = 180_000): PacingSnapshot['agentsBusy'] {
  return Array.from({ length: n }, (_, i) => ({ state: 'talking' as const, sinceMs: Math.round((i / Math.max(1, n)) * maxSinceMs) }));
}

export function wrappingUp(n: number, sinceMs: number): PacingSnapshot['agentsBusy'] {
  return Array.from({ length: n }, () => ({ state: 'wrap-up' as const, sinceMs }));
}
