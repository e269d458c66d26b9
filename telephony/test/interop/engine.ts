// Starts Tenor's embedded engine in-process for interop tests: free SIP port,
// a free RTP range, short SIP timers (so finished transactions go away in
// seconds, not 32 s), and a check that nothing is left behind after a test.

import pino from 'pino';
import type { Test } from 'tap';
import { EmbeddedDriver, InMemoryCredentialStore, type EmbeddedDriverConfig } from '../../src/embedded/index.js';
import type { IncomingCall } from '../../src/driver.js';
import { rtpFlows, type RtpFlow, type UdpPacket } from '../peers/capture.js';
import { freeUdpRange } from '../peers/ports.js';

export interface TestEngine {
  driver: EmbeddedDriver;
  /** "127.0.0.1:PORT" for SIPp's remote argument and baresip's registrar. */
  address: string;
  sipPort: number;
  rtpPorts: { from: number; to: number };
  credentials: InMemoryCredentialStore;
}

export type EngineOverrides = Partial<Omit<EmbeddedDriverConfig, 'logger'>>;

/** An EmbeddedDriver on 127.0.0.1 with free ports; stopped in t.teardown. */
export async function startEngine(t: Test, overrides: EngineOverrides = {}): Promise<TestEngine> {
  const range = await freeUdpRange(60, { belowEphemeral: true });
  const credentials = new InMemoryCredentialStore({ alice: 'alice-secret', agent: 'agent-secret' });
  const driver = new EmbeddedDriver({
    bindAddress: '127.0.0.1',
    sipPort: 0,
    rtpPorts: { min: range.from, max: range.to },
    credentials,
    domain: '127.0.0.1',
    // T1 50 ms: Timer J/K/D end in ~3 s, so the leak check does not wait 32 s.
    sipTimers: { t1: 50, t4: 500, timerD: 1000 },
    registerMinExpires: 10,
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
    ...overrides,
  });
  await driver.start();
  t.teardown(() => driver.stop());
  return {
    driver,
    address: `127.0.0.1:${driver.sipPort}`,
    sipPort: driver.sipPort,
    rtpPorts: range,
    credentials,
  };
}

/** Poll until `check` is true or the time is up; returns the last value of `check`. */
export async function eventually(check: () => boolean, timeoutMs = 10_000, stepMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return true;
}

/** Resources that must fall back to zero once every call has ended. */
const MUST_DRAIN = ['dialogs', 'transactions', 'timers', 'mediaPorts', 'incomingCalls', 'echoCalls', 'pendingOriginates'];

/**
 * Assert that the engine holds no call, bridge, dialog, transaction, timer or
 * media port any more (registrations may stay). Waits up to `timeoutMs` for
 * transactions to reach their terminated state.
 */
export async function assertNoLeaks(t: Test, engine: TestEngine, timeoutMs = 12_000): Promise<void> {
  const drained = (): boolean => {
    const s = engine.driver.stats();
    return s.activeCalls === 0 && s.activeBridges === 0
      && MUST_DRAIN.every((k) => (s.resources[k] ?? 0) === 0);
  };
  const ok = await eventually(drained, timeoutMs, 100);
  t.ok(ok, `no leaked calls, dialogs, transactions, timers or ports: ${JSON.stringify(engine.driver.stats())}`);
}

/** RTP flows into and out of the engine's RTP port range, biggest first. */
export function engineFlows(
  packets: UdpPacket[],
  engine: TestEngine,
): { toEngine: RtpFlow[]; fromEngine: RtpFlow[] } {
  const inRange = (p: number): boolean => p >= engine.rtpPorts.from && p <= engine.rtpPorts.to;
  const flows = [...rtpFlows(packets).values()].sort((a, b) => b.packets - a.packets);
  return {
    toEngine: flows.filter((f) => inRange(f.dstPort) && !inRange(f.srcPort)),
    fromEngine: flows.filter((f) => inRange(f.srcPort) && !inRange(f.dstPort)),
  };
}

/** Handle the engine's next incoming calls with `handler` for the rest of the test. */
export function onIncoming(t: Test, engine: TestEngine, handler: (incoming: IncomingCall) => Promise<void>): void {
  const listener = (incoming: IncomingCall): void => {
    handler(incoming).catch((err: unknown) => {
      t.fail(`incoming-call handler failed: ${err instanceof Error ? err.stack : String(err)}`);
    });
  };
  engine.driver.on('incoming', listener);
  t.teardown(() => { engine.driver.off('incoming', listener); });
}

/** A promise with its resolve function, for handing results out of call handlers. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => { resolve = r; });
  return { promise, resolve };
}

/** Reject when `ms` pass first, so a test fails with a reason instead of hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
