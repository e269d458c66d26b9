// What a simulation run is told: the campaign, the callees and the agents.
// Durations are in ms here; the CLI takes seconds.

import type { AbandonWindowName } from '../pacing/abandon-tracker.js';
import type { PacingSettings } from '../pacing/settings.js';
import type { DialMode, PacingDecision, PacingSnapshot } from '../pacing/types.js';
import type { Duration } from './prng.js';

export interface SimulationOptions {
  seed: number;
  mode: DialMode;
  agents: number;
  /** Share of dialed calls answered by a live person. */
  liveAnswerRate: number;
  /** Share answered by an answering machine. */
  machineRate: number;
  /** Share that are busy (the rest ring out unanswered). */
  busyRate: number;
  /** Dial → answer, for answered calls (truncated below the ring timeout). */
  ring: Duration;
  /** An unanswered call is given up after this (the law: at least 15 s). */
  ringTimeoutMs: number;
  /** Dial → busy signal. */
  busyAfterMs: number;
  /** Answer → "human" from answering-machine detection (end of the greeting). */
  amdHumanMs: number;
  /** Answer → "machine"; the line is then released. */
  amdMachineMs: number;
  /** A recognised live person must have an agent within this, or the call is abandoned. */
  agentWithinMs: number;
  talk: Duration;
  wrapUp: Duration;
  /** Preview mode: the agent reads the record before dialing. */
  previewMs: number;
  /** Working days of `shiftHours` each (the dialer stops at the end of a shift; calls finish). */
  days: number;
  shiftHours: number;
  abandonCap: number;
  window: AbandonWindowName;
  /** The pacer is also asked on this tick, besides every event. */
  tickMs: number;
  pacing?: Partial<PacingSettings>;
  /** Sees every pacing decision (for tests and tuning); must not change anything. */
  observe?: (snapshot: PacingSnapshot, decision: PacingDecision) => void;
}

export const defaultSimulationOptions: Readonly<SimulationOptions> = Object.freeze({
  seed: 1,
  mode: 'predictive',
  agents: 20,
  liveAnswerRate: 0.3,
  machineRate: 0.15,
  busyRate: 0.05,
  ring: { meanMs: 8000, sdMs: 4000 },
  ringTimeoutMs: 20_000,
  busyAfterMs: 3000,
  amdHumanMs: 1000,
  amdMachineMs: 3000,
  agentWithinMs: 2000,
  talk: { meanMs: 180_000, sdMs: 60_000 },
  wrapUp: { meanMs: 30_000, sdMs: 10_000 },
  previewMs: 10_000,
  days: 1,
  shiftHours: 8,
  abandonCap: 0.03,
  window: '30d',
  tickMs: 1000,
});
