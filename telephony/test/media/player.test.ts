import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { FrameReader, playOnLeg } from '../../src/embedded/media/player.js';
import type { PlayerDeps } from '../../src/embedded/media/player.js';
import { writeWavFile } from '../../src/audio/index.js';
import { AudioCache } from '../../src/embedded/media/audio-cache.js';
import { decodeAlaw } from '../../src/embedded/media/g711.js';
import { encodeTelephoneEvent } from '../../src/embedded/media/dtmf.js';
import { RtpPeer, silentLogger, sleep, tone, tonePower } from './fixtures/rtp-peer.js';

const dir = t.testdir({});
const deps = (): PlayerDeps => ({ cache: new AudioCache(), resolve: (p) => (typeof p === 'string' ? p : 'file' in p ? p.file : p.name) });

async function setup(t: Test, payloadType = 0) {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType, telephoneEventPayloadType: 101, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  return { peer, leg };
}

t.test('10 s prompt: one packet per 20 ms, negotiated PT, no drift', async (t) => {
  const file = join(dir, 'ten-seconds.wav');
  await writeWavFile(file, tone(440, 80000));
  const { peer, leg } = await setup(t, 8);
  const started = process.hrtime.bigint();
  const result = await playOnLeg(leg, { prompts: [file] }, deps());
  t.same(result, { reason: 'done' });
  await peer.waitFor(() => peer.received.length >= 500, 2000, 'all frames');
  const rx = peer.received;
  t.equal(rx.length, 500, '10 s / 20 ms = 500 packets');
  t.ok(rx.every((r) => r.packet.payloadType === 8 && r.packet.payload.length === 160), 'PCMA, 160 bytes each');
  const gaps = rx.slice(1).map((r, i) => Number(r.at - (rx[i] as { at: bigint }).at) / 1e6).sort((a, b) => a - b);
  const p50 = gaps[Math.floor(gaps.length / 2)] as number;
  t.ok(p50 > 17 && p50 < 23, `inter-arrival p50 ${p50.toFixed(2)} ms`);
  const span = Number((rx[499] as { at: bigint }).at - (rx[0] as { at: bigint }).at) / 1e6;
  const audioMs = 499 * 20;
  t.ok(Math.abs(span - audioMs) / audioMs < 0.01, `first-to-last ${span.toFixed(1)} ms vs ${audioMs} ms of audio (<1% drift)`);
  const total = Number(process.hrtime.bigint() - started) / 1e6;
  t.ok(total >= 9990 && total < 10600, `play() took ${total.toFixed(0)} ms`);
  // Timestamps advance 160 per packet, sequence numbers by 1, one marker.
  const p = rx.map((r) => r.packet);
  t.ok(p.slice(1).every((x, i) => ((x.timestamp - (p[i]?.timestamp ?? 0)) >>> 0) === 160), 'timestamps +160');
  t.ok(p.slice(1).every((x, i) => ((x.sequenceNumber - (p[i]?.sequenceNumber ?? 0)) & 0xffff) === 1), 'sequence +1');
  t.equal(p.filter((x) => x.marker).length, 1, 'marker only at the start');
  // What was heard is the tone.
  const heard = decodeAlaw(p[250]?.payload ?? new Uint8Array());
  t.ok(tonePower(heard, 440) > 0.02, 'the 440 Hz tone is there');
});

t.test('prompts play back to back; a digit interrupts; abort stops; hangup ends', async (t) => {
  const a = join(dir, 'a.wav');
  const b = join(dir, 'b.wav');
  await writeWavFile(a, tone(500, 1000)); // 6.25 frames
  await writeWavFile(b, tone(700, 600));
  const reader = new FrameReader([tone(1, 1000), tone(1, 600)], false);
  let n = 0;
  while (reader.next()) n++;
  t.equal(n, 10, '1600 samples = 10 frames, no padding between clips');

  const { peer, leg } = await setup(t);
  t.same(await playOnLeg(leg, { prompts: [a, b] }, deps()), { reason: 'done' });
  await peer.waitFor(() => peer.received.length >= 10, 2000);
  t.equal(peer.received.length, 10);

  const long = join(dir, 'long.wav');
  await writeWavFile(long, tone(300, 8000 * 5));
  const playing = playOnLeg(leg, { prompts: [long], interruptOn: '5#' }, deps());
  await sleep(200);
  // A digit not in the set does not stop it; '#' does.
  for (const [ev, ts] of [[1, 100], [11, 2000]] as const) {
    for (let i = 0; i < 3; i++) await peer.send({ payloadType: 101, timestamp: ts, sequenceNumber: ts + i, payload: encodeTelephoneEvent({ event: ev, end: true, volume: 10, duration: 400 }) }, leg.localPort);
  }
  t.same(await playing, { reason: 'dtmf', digit: '#' });

  const ctl = new AbortController();
  const aborted = playOnLeg(leg, { prompts: [long], signal: ctl.signal }, deps());
  setTimeout(() => ctl.abort(), 100);
  t.same(await aborted, { reason: 'stopped' });

  const looping = playOnLeg(leg, { prompts: [a], loop: true }, deps());
  const before = peer.received.length;
  await sleep(400);
  t.ok(peer.received.length - before > 10, 'a looping prompt keeps going past its length');
  await leg.close();
  t.same(await looping, { reason: 'hangup' });
  t.same(await playOnLeg(leg, { prompts: [a] }, deps()), { reason: 'hangup' }, 'a closed leg plays nothing');
});

t.test('a stalled event loop neither loses frames nor breaks the stream', async (t) => {
  const file = join(dir, 'two-seconds.wav');
  await writeWavFile(file, tone(440, 16000));
  const { peer, leg } = await setup(t);
  const playing = playOnLeg(leg, { prompts: [file] }, deps());
  await sleep(500);
  const until = Date.now() + 150;
  while (Date.now() < until) { /* a 150 ms stall, as a GC pause or a busy CPU would cause */ }
  t.same(await playing, { reason: 'done' });
  await peer.waitFor(() => peer.received.length >= 100, 2000);
  const p = peer.packets();
  t.equal(p.length, 100, 'every frame sent');
  t.ok(p.slice(1).every((x, i) => ((x.timestamp - (p[i]?.timestamp ?? 0)) >>> 0) === 160), 'timestamps stay continuous');
  t.equal(p.filter((x) => x.marker).length, 1, 'no false talkspurt after the stall');
});

t.test('a missing file rejects', async (t) => {
  const { leg } = await setup(t);
  await t.rejects(playOnLeg(leg, { prompts: [join(dir, 'nope.wav')] }, deps()));
  t.equal(leg.output.sourceNames.length, 0);
});
