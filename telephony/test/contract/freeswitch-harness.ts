// The contract harness for the FreeSWITCH driver: one FreeSWITCH for the whole
// test file (started by the test), a fresh driver on its event socket per
// case, and the same test peers as the embedded harness: one on 127.0.0.1 as
// an unknown caller (and called by FreeSWITCH), one on 127.0.0.2 as the trunk
// "carrier".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { DriverHarness, TestPeer } from '../../src/contract/harness.js';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import type { RunningFreeSwitch } from '../../src/freeswitch/process.js';
import { tonePromptFiles } from './prompt-files.js';
import { SipPeer } from './sip-peer.js';


/** A UDP port on 127.0.0.1 where nobody listens: bound by a peer that is closed at once. */
async function closedPort(): Promise<number> {
  const gone = await SipPeer.start({ address: '127.0.0.1' });
  const port = gone.port;
  await gone.close();
  return port;
}

export async function createFreeSwitchHarness(fs: RunningFreeSwitch): Promise<DriverHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-fs-contract-'));
  const caller = await SipPeer.start({ address: '127.0.0.1' });
  const carrier = await SipPeer.start({ address: '127.0.0.2' });
  const driver = new FreeSwitchDriver({
    eventSocket: fs.eventSocket,
    profile: fs.profile,
    sipAddress: fs.address,
    sipPort: fs.sipPort,
    trunks: [{ name: 'carrier', inboundAddresses: ['127.0.0.2'] }],
    workDir: dir,
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
  });
  await driver.start();
  const destination = { transport: 'udp' as const, address: fs.address, port: fs.sipPort };
  const nobody = await closedPort();

  const peer: TestPeer = {
    call: (opts) => (opts.as === 'trunk' ? carrier : caller).call({
      uri: `sip:${opts.to}@${fs.address}:${fs.sipPort}`,
      destination,
      from: opts.from,
      headers: Object.entries(opts.headers ?? {}).map(([name, value]) => ({ name, value })),
    }),
    target: (mode) => ({ kind: 'address', address: `sip:${mode.kind}@127.0.0.1:${caller.port}` }),
    unreachableTarget: () => ({ kind: 'address', address: `sip:nobody@127.0.0.1:${nobody}` }),
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
