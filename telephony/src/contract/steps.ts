// What the contract cases share: the small test interface the suite needs,
// waiting for calls and conditions, and the common start of most cases.
import type { Call, HangupCause, IncomingCall } from '../driver.js';
import type { DriverHarness, PeerCall } from './harness.js';

/** The slice of a tap test the suite uses, so the suite does not depend on a test runner. */
export interface ContractTest {
  test(name: string, fn: (t: ContractTest) => Promise<void>): unknown;
  /** A case not run, shown as skipped with the reason. */
  skip(name: string, reason: string): unknown;
  ok(value: unknown, message?: string): unknown;
  equal(found: unknown, wanted: unknown, message?: string): unknown;
  same(found: unknown, wanted: unknown, message?: string): unknown;
  /** A line in the test output that is not an assertion. */
  comment(message: string): unknown;
  teardown(fn: () => unknown): unknown;
}

export type Case = (t: ContractTest, h: DriverHarness) => Promise<void>;

export const WAIT = 10_000;

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Awaits a wait whose failure is not the one to report: the case asserts the
 * same condition right after (and that assertion shows the measured value), or
 * goes on without it. The failure still shows in the test output.
 */
export async function tolerate(t: ContractTest, wait: Promise<unknown>): Promise<void> {
  try {
    await wait;
  } catch (err) {
    t.comment(err instanceof Error ? err.message : String(err));
  }
}

export function nextIncoming(h: DriverHarness, timeoutMs = WAIT): Promise<IncomingCall> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      h.driver.off('incoming', onIncoming);
      reject(new Error('no incoming call'));
    }, timeoutMs);
    const onIncoming = (incoming: IncomingCall): void => {
      clearTimeout(timer);
      h.driver.off('incoming', onIncoming);
      resolve(incoming);
    };
    h.driver.on('incoming', onIncoming);
  });
}

export function hangupOf(call: Call, timeoutMs = WAIT): Promise<HangupCause> {
  if (call.hangupCause) return Promise.resolve(call.hangupCause);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`call ${call.id} did not end`)), timeoutMs);
    call.once('hangup', (cause) => {
      clearTimeout(timer);
      resolve(cause);
    });
  });
}

/** A peer calls the driver and the driver answers: the common start of most cases. */
export async function answeredInbound(h: DriverHarness): Promise<{ call: Call; peer: PeerCall }> {
  const incoming = nextIncoming(h);
  const peer = await h.peer.call({ from: '+15550100', to: '5000', as: 'unknown' });
  const { call } = await incoming;
  await call.answer();
  await peer.waitAnswered(WAIT);
  return { call, peer };
}
