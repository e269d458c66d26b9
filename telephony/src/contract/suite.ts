// The shared contract test suite: every telephony driver runs it with its own
// harness (see harness.ts). Each case starts from a fresh harness and ends by
// proving the driver is back to its idle resource counts.
import { bridgeCases } from './cases-bridges.js';
import { callCases } from './cases-calls.js';
import { mediaCases } from './cases-media.js';
import { recordingCases } from './cases-recording.js';
import type { DriverHarness } from './harness.js';
import { tolerate, waitUntil, type Case, type ContractTest } from './steps.js';

export { waitUntil, type ContractTest } from './steps.js';

export interface ContractOptions {
  createHarness(): Promise<DriverHarness>;
  /**
   * Cases this driver cannot pass, by name, each with the reason (also in the
   * driver's docs). Each is reported as a skipped test showing its reason.
   */
  skip?: Record<string, string>;
}

/** Resource counts with nothing going on, taken right after start. */
function idleSnapshot(h: DriverHarness): Record<string, number> {
  return { ...h.driver.stats().resources };
}

async function expectIdle(t: ContractTest, h: DriverHarness, idle: Record<string, number>): Promise<void> {
  const settled = (): boolean => {
    const s = h.driver.stats();
    return s.activeCalls === 0 && s.activeBridges === 0
      && Object.entries(s.resources).every(([k, v]) => v <= (idle[k] ?? 0));
  };
  // Transactions linger for their wait timers (Timer J/K) in some engines: allow for it.
  // On a timeout the assertions below show which counter leaked.
  await tolerate(t, waitUntil(settled, 40_000, 'driver back to idle'));
  const s = h.driver.stats();
  t.same({ calls: s.activeCalls, bridges: s.activeBridges }, { calls: 0, bridges: 0 }, 'no calls or bridges left');
  for (const [k, v] of Object.entries(s.resources)) t.ok(v <= (idle[k] ?? 0), `resource ${k} back to ${idle[k] ?? 0} (is ${v})`);
}

const cases: Record<string, Case> = { ...callCases, ...mediaCases, ...bridgeCases, ...recordingCases };

export const CONTRACT_CASES: readonly string[] = Object.keys(cases);

export async function runDriverContract(t: ContractTest, opts: ContractOptions): Promise<void> {
  const skip = opts.skip ?? {};
  const unknown = Object.keys(skip).filter((name) => !(name in cases));
  if (unknown.length > 0) throw new Error(`skip names no contract case: ${unknown.join(', ')}`);
  for (const [name, run] of Object.entries(cases)) {
    const reason = skip[name];
    if (reason !== undefined) {
      await t.skip(name, reason);
      continue;
    }
    await t.test(name, async (t) => {
      const h = await opts.createHarness();
      t.teardown(() => h.close());
      const idle = idleSnapshot(h);
      await run(t, h);
      await expectIdle(t, h, idle);
    });
  }
}
