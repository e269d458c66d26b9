// The contract harness for the embedded driver: the driver on 127.0.0.1, a
// test peer on 127.0.0.1 (seen as an unknown caller, and called by the driver)
// and one on 127.0.0.2 configured as the trunk "carrier".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DriverHarness, TestPeer } from '../../src/contract/harness.js';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { tonePromptFiles } from './prompt-files.js';
import { SipPeer, TEST_TIMERS, rtpRange } from './sip-peer.js';

const MEDIA_TIMEOUT_MS = 1500;


export async function createEmbeddedHarness(): Promise<DriverHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-contract-'));
  const caller = await SipPeer.start({ address: '127.0.0.1' });
  const carrier = await SipPeer.start({ address: '127.0.0.2' });
  const driver = new EmbeddedDriver({
    sipPort: 0,
    rtpPorts: rtpRange(),
    mediaTimeoutMs: MEDIA_TIMEOUT_MS,
    sipTimers: TEST_TIMERS,
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', inboundAddresses: ['127.0.0.2'] }],
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
  });
  await driver.start();
  const driverEndpoint = { transport: 'udp' as const, address: '127.0.0.1', port: driver.sipPort };

  const peer: TestPeer = {
    call: (opts) => (opts.as === 'trunk' ? carrier : caller).call({
      uri: `sip:${opts.to}@127.0.0.1:${driver.sipPort}`,
      destination: driverEndpoint,
      from: opts.from,
      headers: Object.entries(opts.headers ?? {}).map(([name, value]) => ({ name, value })),
    }),
    target: (mode) => ({ kind: 'address', address: `sip:${mode.kind}@127.0.0.1:${caller.port}` }),
    unreachableTarget: () => ({ kind: 'device', user: 'nobody-registered' }),
    nextCall: (ms) => caller.nextCall(ms),
  };

  return {
    driver,
    peer,
    trunkSource: { kind: 'trunk', trunk: 'carrier' },
    tmpDir: dir,
    mediaTimeoutMs: MEDIA_TIMEOUT_MS,
    promptFile: tonePromptFiles(dir),
    async close() {
      await driver.stop();
      await caller.close();
      await carrier.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
