// Direct media (issue 19): a bridge that needs no media work re-INVITEs both
// legs to each other, and back to Tenor's ports when a supervisor listens; a
// device refusing the move leaves the call on Tenor's relay; a trunk without
// directMedia is never moved. Real SIPp callees over 127.0.0.1 stream PCMU and
// follow (or refuse) every re-INVITE; what reaches Tenor is read from each
// leg's RTP session counters.
import t from 'tap';
import pino from 'pino';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import type { EmbeddedCall } from '../../src/embedded/engine/call.js';
import type { EmbeddedBridge } from '../../src/embedded/engine/bridges.js';
import type { MediaPath, MediaEndpoint } from '../../src/embedded/engine/media-path.js';
import type { TrunkConfig } from '../../src/embedded/engine/trunks.js';
import { waitUntil } from '../../src/contract/suite.js';
import { TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { makeToneUlaw } from '../peers/audio.js';
import { startSipp, type SippProcess } from '../peers/sipp.js';

const silent = pino({ level: 'silent' });
const FOLLOW = 'uas-answer-stream-follow-reinvites.xml';
const REFUSE = 'uas-answer-stream-refuse-reinvites.xml';

interface HasTeardown {
  teardown(fn: () => unknown): unknown;
}

let tone = '';
t.before(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-direct-media-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  tone = await makeToneUlaw(join(dir, 'tone.ul'), { seconds: 5, frequency: 440 });
});

/** A SIPp callee for one call, its SIP port bound. */
async function callee(t: HasTeardown, scenario: string): Promise<SippProcess> {
  const sipp = await startSipp({ scenario, files: { 'audio.ul': tone }, calls: 1, timeoutMs: 90_000 });
  t.teardown(() => sipp.stop(500));
  await sipp.ready();
  return sipp;
}

function trunk(name: string, sipp: SippProcess, directMedia: boolean): TrunkConfig {
  return { name, host: '127.0.0.1', port: sipp.port, transport: 'udp', directMedia };
}

async function startDriver(t: HasTeardown, trunks: TrunkConfig[], extra: Partial<ConstructorParameters<typeof EmbeddedDriver>[0]> = {}): Promise<EmbeddedDriver> {
  const driver = new EmbeddedDriver({ sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, trunks, ...extra });
  await driver.start();
  t.teardown(() => driver.stop());
  return driver;
}

async function dial(driver: EmbeddedDriver, trunkName: string): Promise<EmbeddedCall> {
  return await driver.originate({ kind: 'number', number: '100', trunk: trunkName }) as EmbeddedCall;
}

const received = (call: EmbeddedCall): number => call.leg.stats().packetsReceived;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Whether RTP reaches Tenor on these legs over a second (after `settleMs` for packets already on the way). */
async function packetsArriving(calls: EmbeddedCall[], settleMs = 400): Promise<boolean[]> {
  await sleep(settleMs);
  const before = calls.map(received);
  await sleep(1200);
  return calls.map((c, i) => received(c) > (before[i] ?? 0));
}

/** The c=/m= of each re-INVITE a SIPp callee logged (its log is complete once it exited). */
function reinvitesLogged(logs: string, word: 'REINVITE' | 'REFUSED'): MediaEndpoint[] {
  return [...logs.matchAll(new RegExp(`${word} c=([0-9.]+) m=([0-9]+)`, 'g'))].map((m) => ({ address: m[1] ?? '', port: Number(m[2]) }));
}

t.test('two direct-media trunks: the bridge goes direct, Tenor hears nothing; a monitor brings it back and the listener hears both', async (t) => {
  const left = await callee(t, FOLLOW);
  const right = await callee(t, FOLLOW);
  const listener = await callee(t, FOLLOW);
  const driver = await startDriver(t, [trunk('left', left, true), trunk('right', right, true), trunk('desk', listener, false)]);
  const a = await dial(driver, 'left');
  const b = await dial(driver, 'right');
  const l = await dial(driver, 'desk');
  await waitUntil(() => received(a) > 10 && received(b) > 10, 10_000, 'both callees streaming to Tenor');

  const bridge = await driver.bridge(a, b) as EmbeddedBridge;
  await waitUntil(() => bridge.mediaPath === 'direct', 10_000, 'the bridge going direct');
  t.same(await packetsArriving([a, b]), [false, false], 'no RTP reaches Tenor while the devices send to each other');
  t.equal(driver.stats().resources['bridgesOffTenor'], 1, 'stats count the bridge as off Tenor');
  t.equal(a.state, 'answered');
  t.equal(b.state, 'answered');

  const monitor = await driver.monitor(a, l, 'listen');
  t.equal(bridge.mediaPath, 'tenor', 'the monitor starts once the audio is back on Tenor');
  const sentToListener = l.leg.stats().packetsSent;
  t.same(await packetsArriving([a, b], 0), [true, true], 'both devices send to Tenor again');
  // The listener's only audio is the mix of both sides Tenor relays to it.
  t.ok(l.leg.stats().packetsSent > sentToListener + 20, 'the listener is sent audio');

  await monitor.stop();
  await waitUntil(() => bridge.mediaPath === 'direct', 10_000, 'direct again once the monitor stopped');
  t.same(await packetsArriving([a, b]), [false, false], 'off Tenor again');

  await bridge.unbridge();
  t.equal(bridge.mediaPath, 'tenor', 'unbridged: both back on Tenor');
  t.same(await packetsArriving([a, b], 0), [true, true], 'both heard by Tenor again after the bridge ended');
  await Promise.all([a.hangup(), b.hangup(), l.hangup()]);

  const [leftRun, rightRun, listenerRun] = await Promise.all([left.done, right.done, listener.done]);
  t.equal(leftRun.code, 0, 'left callee saw a clean call');
  t.equal(rightRun.code, 0, 'right callee saw a clean call');
  const toRight = { address: '127.0.0.1', port: right.mediaPort };
  const toLeft = { address: '127.0.0.1', port: left.mediaPort };
  const leftMoves = reinvitesLogged(leftRun.logs, 'REINVITE');
  const rightMoves = reinvitesLogged(rightRun.logs, 'REINVITE');
  // Direct, back for the monitor, direct again, back at unbridge: four re-INVITEs each.
  t.equal(leftMoves.length, 4, 'left re-INVITEd four times');
  t.same(leftMoves[0], toRight, 'left is sent to the right device');
  t.same(rightMoves[0], toLeft, 'right is sent to the left device');
  t.same(leftMoves[2], toRight);
  t.same(rightMoves[2], toLeft);
  t.not(leftMoves[1]?.port, right.mediaPort, 'back to a Tenor port for the monitor');
  t.same(reinvitesLogged(listenerRun.logs, 'REINVITE'), [], 'the listener (a trunk without direct media) is never moved');
});

t.test('a device refusing the re-INVITE (488): the call stays up on Tenor\'s relay', async (t) => {
  const left = await callee(t, FOLLOW);
  const right = await callee(t, REFUSE);
  const driver = await startDriver(t, [trunk('left', left, true), trunk('right', right, true)]);
  const a = await dial(driver, 'left');
  const b = await dial(driver, 'right');
  const bridge = await driver.bridge(a, b) as EmbeddedBridge;
  await bridge.anchor.settle();
  t.equal(bridge.mediaPath, 'tenor', 'still on Tenor');
  t.equal(a.state, 'answered');
  t.equal(b.state, 'answered');
  t.same((await packetsArriving([a], 0)), [true], 'the device that moved was brought back to Tenor');
  await Promise.all([a.hangup(), b.hangup()]);
  const [leftRun, rightRun] = await Promise.all([left.done, right.done]);
  const leftMoves = reinvitesLogged(leftRun.logs, 'REINVITE');
  t.equal(leftMoves.length, 2, 'left: sent to the right device, then back');
  t.same(leftMoves[0], { address: '127.0.0.1', port: right.mediaPort });
  t.equal(reinvitesLogged(rightRun.logs, 'REFUSED').length, 1, 'right refused once, and was not asked again');
});

t.test('a trunk without directMedia: no re-INVITE, the bridge stays on Tenor', async (t) => {
  const left = await callee(t, FOLLOW);
  const right = await callee(t, FOLLOW);
  const driver = await startDriver(t, [trunk('left', left, true), trunk('right', right, false)]);
  const a = await dial(driver, 'left');
  const b = await dial(driver, 'right');
  const bridge = await driver.bridge(a, b) as EmbeddedBridge;
  await bridge.anchor.settle();
  t.equal(bridge.mediaPath, 'tenor');
  t.same(await packetsArriving([a, b], 0), [true, true], 'Tenor relays both');
  await Promise.all([a.hangup(), b.hangup()]);
  const [leftRun, rightRun] = await Promise.all([left.done, right.done]);
  t.same(reinvitesLogged(leftRun.logs, 'REINVITE'), []);
  t.same(reinvitesLogged(rightRun.logs, 'REINVITE'), []);
});

/**
 * A tiny real UDP relay written for this test (standing in for rtpengine): one
 * socket per leg; what arrives on one is sent to the other leg's device.
 */
class TestRelay implements MediaPath {
  readonly name = 'test-relay';
  readonly sockets: dgram.Socket[] = [];
  relayed = 0;

  async open(_bridgeId: string, a: { receivesAt: MediaEndpoint }, b: { receivesAt: MediaEndpoint }) {
    const [forA, forB] = await Promise.all([this.#bind(), this.#bind()]);
    forA.on('message', (msg) => { this.relayed++; forA.send(msg, b.receivesAt.port, b.receivesAt.address); });
    forB.on('message', (msg) => { this.relayed++; forB.send(msg, a.receivesAt.port, a.receivesAt.address); });
    const at = (s: dgram.Socket): MediaEndpoint => ({ address: '127.0.0.1', port: s.address().port });
    return { aSendsTo: at(forA), bSendsTo: at(forB) };
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }

  #bind(): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(s));
      this.sockets.push(s);
    });
  }
}

t.test('an external media relay takes bridges that cannot go direct', async (t) => {
  const left = await callee(t, FOLLOW);
  const right = await callee(t, FOLLOW);
  const relay = new TestRelay();
  t.teardown(() => relay.close());
  const driver = await startDriver(t, [trunk('left', left, true), trunk('right', right, false)], { mediaRelay: relay });
  const a = await dial(driver, 'left');
  const b = await dial(driver, 'right');
  const bridge = await driver.bridge(a, b) as EmbeddedBridge;
  await waitUntil(() => bridge.mediaPath === 'test-relay', 10_000, 'the bridge moving to the relay');
  t.same(await packetsArriving([a, b]), [false, false], 'Tenor hears nothing');
  const relayedBefore = relay.relayed;
  await sleep(600);
  t.ok(relay.relayed > relayedBefore + 20, 'the relay carries the audio');
  await bridge.unbridge();
  t.equal(relay.sockets.length, 0, 'the route closed once both are back on Tenor');
  t.same(await packetsArriving([a, b], 0), [true, true]);
  await Promise.all([a.hangup(), b.hangup()]);
  await Promise.all([left.done, right.done]);
});
