// End to end: the embedded engine with the real rtpengine as its media relay
// (mediaRelay: rtpenginePath). Two real SIPp callees on trunks without direct
// media are bridged: both are re-INVITEd to ports in rtpengine's range, Tenor
// stops hearing their RTP while rtpengine's own counters show it relaying; the
// bridge's end brings both back to Tenor and deletes the call on rtpengine.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { waitUntil } from '../../src/contract/suite.js';
import type { EmbeddedBridge } from '../../src/embedded/engine/bridges.js';
import type { EmbeddedCall } from '../../src/embedded/engine/call.js';
import { EmbeddedDriver } from '../../src/embedded/engine/driver.js';
import type { MediaPath } from '../../src/embedded/engine/media-path.js';
import { connectRtpengine, RtpengineError, type RtpengineClient } from '../../src/rtpengine/ng-client.js';
import { rtpenginePath } from '../../src/rtpengine/path.js';
import { startRtpengine } from '../../src/rtpengine/process.js';
import { TEST_TIMERS, rtpRange } from '../contract/sip-peer.js';
import { makeToneUlaw } from '../peers/audio.js';
import { startSipp, type SippProcess } from '../peers/sipp.js';
import { rtpengineOrSkip } from './daemon.js';

t.setTimeout(240_000);
const silent = pino({ level: 'silent' });
const FOLLOW = 'uas-answer-stream-follow-reinvites.xml';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** RTP packets rtpengine has relayed for the call (its `query` totals). */
async function relayedBy(client: RtpengineClient, callId: string): Promise<number> {
  const reply = await client.request('query', { 'call-id': callId });
  const totals = reply['totals'];
  const rtp = typeof totals === 'object' && !Array.isArray(totals) ? totals['RTP'] : undefined;
  const packets = typeof rtp === 'object' && !Array.isArray(rtp) ? rtp['packets'] : undefined;
  return typeof packets === 'number' ? packets : 0;
}

if (await rtpengineOrSkip(t)) {
  const dir = await mkdtemp(join(tmpdir(), 'tenor-rtpengine-bridge-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tone = await makeToneUlaw(join(dir, 'tone.ul'), { seconds: 5, frequency: 440 });
  const rtpengine = await startRtpengine({ logger: silent });
  t.teardown(() => rtpengine.close());
  const client = await connectRtpengine({ address: rtpengine.ngAddress, port: rtpengine.ngPort, logger: silent });
  t.teardown(() => client.close());

  async function callee(t: { teardown(fn: () => unknown): unknown }): Promise<SippProcess> {
    const sipp = await startSipp({ scenario: FOLLOW, files: { 'audio.ul': tone }, calls: 1, timeoutMs: 90_000 });
    t.teardown(() => sipp.stop(500));
    await sipp.ready();
    return sipp;
  }

  t.test('a bridge through the real rtpengine: both legs sent to its ports, it relays the RTP, the end deletes the call', async (t) => {
    const [left, right] = [await callee(t), await callee(t)];
    // The engine's bridge ids, as the path is asked to open them.
    const opened: string[] = [];
    const inner = rtpenginePath(client, { logger: silent });
    const path: MediaPath = { name: inner.name, open: (id, a, b) => { opened.push(id); return inner.open(id, a, b); }, close: (id) => inner.close(id) };
    const driver = new EmbeddedDriver({
      sipPort: 0, rtpPorts: rtpRange(), sipTimers: TEST_TIMERS, logger: silent, mediaRelay: path,
      trunks: [
        { name: 'left', host: '127.0.0.1', port: left.port, transport: 'udp' },
        { name: 'right', host: '127.0.0.1', port: right.port, transport: 'udp' },
      ],
    });
    await driver.start();
    t.teardown(() => driver.stop());
    const a = await driver.originate({ kind: 'number', number: '100', trunk: 'left' }) as EmbeddedCall;
    const b = await driver.originate({ kind: 'number', number: '100', trunk: 'right' }) as EmbeddedCall;
    const heard = (c: EmbeddedCall): number => c.leg.stats().packetsReceived;
    await waitUntil(() => heard(a) > 10 && heard(b) > 10, 10_000, 'both callees streaming to Tenor');

    const bridge = await driver.bridge(a, b) as EmbeddedBridge;
    await waitUntil(() => bridge.mediaPath === 'rtpengine', 15_000, 'the bridge moving to rtpengine');
    const bridgeId = opened[0] ?? '';
    t.equal(opened.length, 1, 'one route opened');
    const relayed0 = await relayedBy(client, bridgeId);
    await sleep(400);
    const tenor0 = [heard(a), heard(b)];
    let relayed = relayed0;
    for (const give = Date.now() + 10_000; relayed <= relayed0 + 40 && Date.now() < give; await sleep(100)) relayed = await relayedBy(client, bridgeId);
    t.ok(relayed > relayed0 + 40, `rtpengine relays the RTP (${relayed - relayed0} packets)`);
    await sleep(600);
    t.same([heard(a), heard(b)], tenor0, 'no RTP reaches Tenor while rtpengine relays it');

    await bridge.unbridge();
    t.equal(bridge.mediaPath, 'tenor', 'unbridged: both back on Tenor');
    const gone = await client.request('query', { 'call-id': bridgeId }).catch((e: unknown) => e);
    t.ok(gone instanceof RtpengineError, 'the call is deleted on rtpengine');
    const tenor1 = [heard(a), heard(b)];
    await waitUntil(() => heard(a) > (tenor1[0] ?? 0) + 10 && heard(b) > (tenor1[1] ?? 0) + 10, 10_000, 'Tenor hearing both again');
    await Promise.all([a.hangup(), b.hangup()]);

    const [leftRun, rightRun] = await Promise.all([left.done, right.done]);
    t.equal(leftRun.code, 0, 'left callee saw a clean call');
    t.equal(rightRun.code, 0, 'right callee saw a clean call');
    const inRange = (logs: string): boolean[] => [...logs.matchAll(/REINVITE c=([0-9.]+) m=([0-9]+)/g)]
      .map((m) => Number(m[2]) >= rtpengine.portMin && Number(m[2]) <= rtpengine.portMax);
    t.same(inRange(leftRun.logs), [true, false], 'left: sent to an rtpengine port, then back to Tenor\'s');
    t.same(inRange(rightRun.logs), [true, false], 'right: sent to an rtpengine port, then back to Tenor\'s');
  });
}
