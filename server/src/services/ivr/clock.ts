// Where a running flow reads the time. Time conditions ("office hours") must be
// testable at a fixed instant: tests pass `clock` to the service, and a process
// started by a test may set TENOR_IVR_CLOCK to an ISO time instead.

import { TenorError } from '../../core/errors.js';

export type FlowClock = () => Date;

export const systemFlowClock: FlowClock = () => new Date();

/**
 * The clock a flow sees: the one given, else a fixed time from TENOR_IVR_CLOCK
 * (which keeps ticking from that instant, so timeouts measured with it stay sane),
 * else the system clock.
 */
export function flowClock(given: FlowClock | undefined, env: NodeJS.ProcessEnv = process.env): FlowClock {
  if (given) return given;
  const fixed = env['TENOR_IVR_CLOCK'];
  if (fixed === undefined || fixed === '') return systemFlowClock;
  const at = Date.parse(fixed);
  if (Number.isNaN(at)) throw new TenorError('TENOR_ERR_CONFIG_INVALID', [`TENOR_IVR_CLOCK: '${fixed}' is not an ISO 8601 time`]);
  const startedAt = Date.now();
  return () => new Date(at + (Date.now() - startedAt));
}
