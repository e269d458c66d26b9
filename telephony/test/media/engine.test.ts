import t from 'tap';
import { once } from 'node:events';
import { join } from 'node:path';
import { MediaEngine } from '../../src/embedded/media/engine.js';
import { decodeUlaw, encodeUlaw } from '../../src/embedded/media/g711.js';
import { RtpPeer, silentLogger, sleep, tone, tonePower } from './fixtures/rtp-peer.js';

const dir = t.testdir({});

t.test('legs take ports from the range and give them back; beep before recording; bridge ends with a leg', async (t) => {
  const engine = new MediaEngine({ rtpPorts: { min: 42000, max: 42200 }, logger: silentLogger, mediaTimeoutMs: 400 });
  const peerA = await RtpPeer.open();
  const peerB = await RtpPeer.open();
  t.teardown(async () => { await engine.close(); await peerA.close(); await peerB.close(); });
  const a = await engine.openLeg({ callId: 'call-a', payloadType: 0, telephoneEventPayloadType: 101, remote: peerA.endpoint });
  const b = await engine.openLeg({ callId: 'call-b', payloadType: 8, remote: peerB.endpoint });
  const bTimedOut = once(b, 'mediaTimeout');
  t.ok(a.localPort >= 42000 && a.localPort <= 42200 && a.localPort % 2 === 0, `leg on port ${a.localPort}`);
  t.match(engine.stats(), { legs: 2, rtpPortsInUse: 2, bridges: 0 });

  // Record with a beep: the caller hears the 1 kHz beep, then what they say is recorded.
  const recording = engine.record(a, { file: join(dir, 'msg.wav'), maxSeconds: 1, beep: true });
  await peerA.waitFor(() => peerA.received.length >= 15, 2000, 'beep');
  const beep = decodeUlaw(peerA.packets()[5]?.payload ?? new Uint8Array());
  t.ok(tonePower(beep, 1000) > 0.05, 'the beep is 1 kHz');
  await peerA.stream({ port: a.localPort, frames: 25, payload: () => encodeUlaw(tone(400, 160)) });
  const r = await recording;
  t.match(r, { reason: 'max-length', durationMs: 1000 });

  const bridge = engine.bridge(a, b);
  t.equal(engine.stats().bridges, 1);
  // No RTP from B for a while: the engine is told, so it can hang up.
  await bTimedOut;
  await b.close();
  t.notOk(bridge.bridged, 'the bridge ended with its leg');
  t.equal(a.mode, 'idle');
  t.match(engine.stats(), { legs: 1, bridges: 0, rtpPortsInUse: 1 });
  await engine.close();
  await sleep(10);
  t.match(engine.stats(), { legs: 0, rtpPortsInUse: 0, promptsCached: 1 });
});
