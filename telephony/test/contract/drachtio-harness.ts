// The contract harness for the drachtio driver: one FreeSWITCH and one
// drachtio-server for the whole test file (started by the test), a fresh
// driver per case, and the same test peers as the other harnesses, now calling
// drachtio's SIP port: one on 127.0.0.1 as an unknown caller (and called by the
// driver), one on 127.0.0.2 as the trunk "carrier".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DriverHarness, TestPeer } from '../../src/contract/harness.js';
import { DrachtioDriver } from '../../src/drachtio/driver.js';
import type { RunningDrachtio } from '../../src/drachtio/process.js';
import { InMemoryCredentialStore } from '../../src/embedded/registrar/index.js';
import type { RunningFreeSwitch } from '../../src/freeswitch/process.js';
import { tonePromptFiles } from './prompt-files.js';
import { SipPeer } from './sip-peer.js';

export interface DrachtioEngines {
  freeswitch: RunningFreeSwitch;
  drachtio: RunningDrachtio;
}

export async function createDrachtioHarness(engines: DrachtioEngines): Promise<DriverHarness> {
  const { freeswitch: fs, drachtio } = engines;
  const dir = await mkdtemp(join(tmpdir(), 'tenor-drachtio-contract-'));
  const caller = await SipPeer.start({ address: '127.0.0.1' });
  const carrier = await SipPeer.start({ address: '127.0.0.2' });
  const driver = new DrachtioDriver({
    drachtio: drachtio.admin,
    edge: { address: drachtio.address, port: drachtio.sipPort },
    freeswitch: { eventSocket: fs.eventSocket, profile: fs.profile, address: fs.address, port: fs.sipPort },
    trunks: [{ name: 'carrier', host: '127.0.0.2', port: carrier.port, transport: 'udp', inboundAddresses: ['127.0.0.2'] }],
    registrar: { realm: 'tenor.test', credentials: new InMemoryCredentialStore({ alice: 'alice-password' }) },
    workDir: dir,
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
  });
  await driver.start();
  const destination = { transport: 'udp' as const, address: drachtio.address, port: drachtio.sipPort };

  const peer: TestPeer = {
    call: (opts) => (opts.as === 'trunk' ? carrier : caller).call({
      uri: `sip:${opts.to}@${drachtio.address}:${drachtio.sipPort}`,
      destination,
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
    mediaTimeoutMs: fs.mediaTimeoutMs,
    promptFile: tonePromptFiles(dir),
    async close() {
      await driver.stop();
      await caller.close();
      await carrier.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
