// Losing the event socket: FreeSWITCH keeps its channels while the driver
// reconnects with backoff; a call answered before the loss goes on and is
// driven over the new connection; the driver reports the link down meanwhile
// (the server's /health reads it). If the link stays lost past the grace
// period the driver ends its calls, so no agent stays on a call nobody can see,
// and once back it refuses the orphaned channel in FreeSWITCH. The link is cut
// by a TCP relay between the driver and FreeSWITCH.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t, { type Test } from 'tap';
import { waitUntil } from '../../src/contract/steps.js';
import type { Call, HangupCause, IncomingCall } from '../../src/driver.js';
import { FreeSwitchDriver } from '../../src/freeswitch/driver.js';
import { startFreeSwitch, type RunningFreeSwitch } from '../../src/freeswitch/process.js';
import { SipPeer } from '../contract/sip-peer.js';
import { findEngineBuild } from '../engine-build.js';
import { Relay } from './esl-relay.js';

t.setTimeout(900_000);

function nextIncoming(driver: FreeSwitchDriver): Promise<IncomingCall> {
  return new Promise((resolve) => driver.once('incoming', resolve));
}

function ended(call: Call): Promise<HangupCause> {
  return call.hangupCause ? Promise.resolve(call.hangupCause) : new Promise((resolve) => call.once('hangup', resolve));
}

async function setUp(t: Test, fs: RunningFreeSwitch, linkLostGraceMs: number) {
  const relay = new Relay(fs.eventSocket);
  const relayPort = await relay.listen();
  const caller = await SipPeer.start({ address: '127.0.0.1' });
  const driver = new FreeSwitchDriver({
    eventSocket: { ...fs.eventSocket, host: '127.0.0.1', port: relayPort },
    profile: fs.profile, sipAddress: fs.address, sipPort: fs.sipPort, linkLostGraceMs,
    logger: pino({ level: process.env['TENOR_TEST_LOG'] ?? 'silent' }),
  });
  await driver.start();
  t.teardown(async () => {
    await driver.stop();
    await caller.close();
    await relay.close();
  });
  const incoming = nextIncoming(driver);
  const peer = await caller.call({
    uri: `sip:5000@${fs.address}:${fs.sipPort}`, destination: { transport: 'udp', address: fs.address, port: fs.sipPort }, from: '+15550100', headers: [],
  });
  const { call } = await incoming;
  await call.answer();
  await peer.waitAnswered(10_000);
  return { relay, driver, call, peer };
}

const build = await findEngineBuild('freeswitch');
if ('missing' in build) {
  if (process.env['CI'] === 'true') t.fail(`${build.missing}: the FreeSWITCH link test must run in CI`);
  else t.plan(0, `skipped: ${build.missing}`);
} else {
  const folder = await mkdtemp(join(tmpdir(), 'tenor-freeswitch-link-'));
  const fs = await startFreeSwitch({ prefix: build.prefix, folder });
  t.teardown(async () => {
    await fs.stop();
    await rm(folder, { recursive: true, force: true });
  });

  t.test('a short loss: the call goes on and is driven over the new connection', async (t) => {
    const { relay, driver, call, peer } = await setUp(t, fs, 30_000);
    relay.cut();
    await waitUntil(() => driver.stats().link === 'down', 5000, 'link reported down');
    t.pass('the driver reports the link down');
    t.equal(call.state, 'answered', 'the call is not ended by the loss');
    await waitUntil(() => driver.stats().link === 'up', 15_000, 'link back');
    t.pass('the driver reconnected');
    t.equal(call.state, 'answered', 'the call survived the reconnect');
    await call.hangup();
    t.same(await peer.waitEnded(10_000), { by: 'driver' }, 'hanging up over the new connection reaches the caller');
    t.equal(driver.stats().activeCalls, 0);
  });

  t.test('a long loss: the calls end after the grace period, the orphaned channel is refused once back', async (t) => {
    const { relay, driver, call, peer } = await setUp(t, fs, 1500);
    const cause = ended(call);
    relay.cut(true);
    t.equal(await cause, 'failed', 'the call ends on Tenor\'s side when the link stays lost');
    t.equal(driver.stats().activeCalls, 0, 'no call left to hold an agent');
    relay.unblock();
    await waitUntil(() => driver.stats().link === 'up', 15_000, 'link back');
    t.same(await peer.waitEnded(10_000), { by: 'driver' }, 'the caller\'s channel, which nobody drives any more, is hung up');
  });
}
