// Checks a simulation's options and names the offending one in the error.

import { TenorError } from '../../../core/errors.js';
import type { SimulationOptions } from './options.js';
import type { Duration } from './prng.js';

/** The law's minimum ring time before an unanswered call may be given up. */
export const MIN_RING_TIMEOUT_MS = 15_000;

export function validateSimulationOptions(o: SimulationOptions): void {
  const bad = (what: string): never => {
    throw new TenorError('TENOR_ERR_VALIDATION', [what]);
  };
  if (!Number.isInteger(o.seed)) bad(`seed must be a whole number, got ${o.seed}`);
  if (!Number.isInteger(o.agents) || o.agents < 1) bad(`agents must be a whole number ≥ 1, got ${o.agents}`);
  for (const [name, v] of [
    ['answer rate', o.liveAnswerRate],
    ['machine rate', o.machineRate],
    ['busy rate', o.busyRate],
  ] as const) {
    if (!(v >= 0 && v <= 1)) bad(`${name} must be between 0 and 1, got ${v}`);
  }
  if (o.liveAnswerRate + o.machineRate + o.busyRate > 1) {
    bad(`answer rate + machine rate + busy rate must not exceed 1, got ${o.liveAnswerRate + o.machineRate + o.busyRate}`);
  }
  if (o.ringTimeoutMs < MIN_RING_TIMEOUT_MS) {
    throw new TenorError('TENOR_ERR_CAMPAIGN_RING_TIME', [o.ringTimeoutMs / 1000, MIN_RING_TIMEOUT_MS / 1000]);
  }
  for (const [name, d] of [
    ['ring', o.ring],
    ['talk', o.talk],
    ['wrap', o.wrapUp],
  ] as const satisfies readonly (readonly [string, Duration])[]) {
    if (!(d.meanMs > 0) || !(d.sdMs >= 0)) bad(`${name} needs a mean > 0 and a standard deviation ≥ 0 (seconds), got ${d.meanMs / 1000},${d.sdMs / 1000}`);
  }
  if (!(o.days >= 1) || !Number.isInteger(o.days)) bad(`days must be a whole number ≥ 1, got ${o.days}`);
  if (!(o.shiftHours > 0)) bad(`hours must be > 0, got ${o.shiftHours}`);
  if (!(o.abandonCap > 0 && o.abandonCap < 1)) bad(`cap must be between 0 and 1 (e.g. 0.03), got ${o.abandonCap}`);
  if (!(o.tickMs > 0)) bad(`tick must be > 0 ms, got ${o.tickMs}`);
  for (const [name, v] of [
    ['busyAfterMs', o.busyAfterMs],
    ['amdHumanMs', o.amdHumanMs],
    ['amdMachineMs', o.amdMachineMs],
    ['agentWithinMs', o.agentWithinMs],
    ['previewMs', o.previewMs],
  ] as const) {
    if (!(v >= 0)) bad(`${name} must be ≥ 0, got ${v}`);
  }
}
