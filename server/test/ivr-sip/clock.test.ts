// The time flows see: a test's clock, else TENOR_IVR_CLOCK (for a server started
// as a process by a test), else the system's.
import t from 'tap';
import { flowClock } from '../../src/services/ivr/clock.js';
import { isTenorError } from '../../src/core/errors.js';

t.test('TENOR_IVR_CLOCK starts the flows\' clock at that instant; it keeps ticking from there', async (t) => {
  const clock = flowClock(undefined, { TENOR_IVR_CLOCK: '2026-11-25T20:00:00Z' });
  const first = clock().getTime();
  t.ok(first >= Date.parse('2026-11-25T20:00:00Z') && first < Date.parse('2026-11-25T20:00:05Z'), `starts at 20:00 (${new Date(first).toISOString()})`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(clock().getTime() > first, 'and ticks');
});

t.test('a clock given in code wins; no setting is the system clock; a bad value is a configuration error', async (t) => {
  const fixed = new Date('2020-01-01T00:00:00Z');
  t.equal(flowClock(() => fixed, { TENOR_IVR_CLOCK: '2026-11-25T20:00:00Z' })(), fixed, 'the given clock');
  t.ok(Math.abs(flowClock(undefined, {})().getTime() - Date.now()) < 1000, 'the system clock');
  let error: unknown;
  try {
    flowClock(undefined, { TENOR_IVR_CLOCK: 'tomorrow' });
  } catch (err) {
    error = err;
  }
  t.ok(isTenorError(error, 'TENOR_ERR_CONFIG_INVALID') && /TENOR_IVR_CLOCK: 'tomorrow'/.test(error.message), 'TENOR_ERR_CONFIG_INVALID naming TENOR_IVR_CLOCK');
});
