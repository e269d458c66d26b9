// The contract harness for the embedded driver: the driver on 127.0.0.1, a
// test peer on 127.0.0.1 (seen as an unknown caller, and called by the driver)
// and one on 127.0.0.2 configured as the trunk "carrier".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DriverHarness, TestPeer } from '../../src/contract/harness.js';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import { writeWavFile } from '../../src/audio/index.js';
import { SipPeer, TEST_TIMERS, rtpRange } from './sip-peer.js';

const MEDIA_TIMEOUT_MS = 1500;

function tone(ms: number): Int16Array {
  const samples = new Int16Array(Math.round(ms * 8));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  return samples;
}

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
  const prompts = new Map<number, string>();

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
    async promptFile(ms) {
      let file = prompts.get(ms);
      if (!file) {
        file = join(dir, `tone-${ms}.wav`);
        await writeWavFile(file, tone(ms));
        prompts.set(ms, file);
      }
      return file;
    },
    async close() {
      await driver.stop();
      await caller.close();
      await carrier.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
