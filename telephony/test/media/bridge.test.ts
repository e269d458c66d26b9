import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import { MediaLeg, MediaLegBusyError } from '../../src/embedded/media/leg.js';
import { MediaBridge, MediaEcho } from '../../src/embedded/media/bridge.js';
import { playOnLeg } from '../../src/embedded/media/player.js';
import type { PlayerDeps } from '../../src/embedded/media/player.js';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../../src/embedded/media/g711.js';
import { decodeTelephoneEvent } from '../../src/embedded/media/dtmf.js';
import { writeWavFile } from '../../src/audio/index.js';
import { AudioCache } from '../../src/embedded/media/audio-cache.js';
import type { RtpPacket } from '../../src/embedded/rtp/packet.js';
import { RtpPortAllocator } from '../../src/embedded/rtp/ports.js';
import { RtpPeer, silentLogger, sleep, tone, tonePower } from './fixtures/rtp-peer.js';
import { pressDigit } from './fixtures/digits.js';

const dir = t.testdir({});
const deps: PlayerDeps = { cache: new AudioCache(), resolve: (p) => (typeof p === 'string' ? p : 'file' in p ? p.file : p.name) };

// Legs on ports of a range, as the engine binds them (so their sockets connect once latched).
const ports = new RtpPortAllocator({ min: 41400, max: 41600 });

async function leg(t: Test, payloadType: number, telephoneEventPayloadType?: number) {
  const peer = await RtpPeer.open();
  const l = await MediaLeg.open({ payloadType, telephoneEventPayloadType, remote: peer.endpoint, allocator: ports, logger: silentLogger });
  t.teardown(async () => { await l.close(); await peer.close(); });
  return { peer, leg: l };
}

/** Concatenated decoded audio of the packets (by their own PT). */
function heard(packets: RtpPacket[]): Int16Array {
  const parts = packets.filter((p) => p.payloadType === 0 || p.payloadType === 8).map((p) => (p.payloadType === 0 ? decodeUlaw(p.payload) : decodeAlaw(p.payload)));
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const frames = (freq: number, encode: (pcm: Int16Array) => Uint8Array) => {
  const pcm = tone(freq, 160 * 200);
  return (i: number) => encode(pcm.subarray(i * 160, i * 160 + 160));
};

t.test('relays both ways between a PCMU and a PCMA leg, transcoding and renumbering', async (t) => {
  const A = await leg(t, 0, 101);
  const B = await leg(t, 8, 96);
  const bridge = new MediaBridge(A.leg, B.leg);
  t.equal(A.leg.mode, 'bridged');
  t.throws(() => new MediaBridge(A.leg, B.leg), MediaLegBusyError, 'a bridged leg cannot be bridged again');
  await Promise.all([
    A.peer.stream({ port: A.leg.localPort, frames: 50, payloadType: 0, payload: frames(500, encodeUlaw), ssrc: 111 }),
    B.peer.stream({ port: B.leg.localPort, frames: 50, payloadType: 8, payload: frames(800, encodeAlaw), ssrc: 222 }),
  ]);
  await B.peer.waitFor(() => B.peer.received.length >= 45, 2000, 'A to B');
  await A.peer.waitFor(() => A.peer.received.length >= 45, 2000, 'B to A');
  const toB = B.peer.packets();
  const toA = A.peer.packets();
  t.ok(toB.every((p) => p.payloadType === 8 && p.ssrc === B.leg.session.ssrc), 'B gets PCMA with B-leg SSRC');
  t.ok(toA.every((p) => p.payloadType === 0 && p.ssrc === A.leg.session.ssrc), 'A gets PCMU with A-leg SSRC');
  t.ok(toB.slice(1).every((p, i) => ((p.sequenceNumber - (toB[i]?.sequenceNumber ?? 0)) & 0xffff) === 1), 'sequence numbers of the B stream are continuous');
  t.ok(toB.slice(1).every((p, i) => ((p.timestamp - (toB[i]?.timestamp ?? 0)) >>> 0) === 160), 'timestamps follow the relayed stream');
  t.equal(toB.filter((p) => p.marker).length, 1, 'one talkspurt, one marker');
  const hb = heard(toB.slice(5, 45));
  const ha = heard(toA.slice(5, 45));
  t.ok(tonePower(hb, 500) > 0.02 && tonePower(hb, 800) < 0.001, 'B hears A (500 Hz), transcoded');
  t.ok(tonePower(ha, 800) > 0.02 && tonePower(ha, 500) < 0.001, 'A hears B (800 Hz), transcoded');

  // DTMF from A is regenerated on B with B's telephone-event PT.
  const reported: string[] = [];
  bridge.on('dtmf', (side, d) => reported.push(`${side}:${d}`));
  await pressDigit(A.peer, A.leg.localPort, '7', 101);
  await B.peer.waitFor(() => B.peer.packets(96).some((p) => decodeTelephoneEvent(p.payload)?.end === true), 2000, 'relayed digit');
  t.equal(decodeTelephoneEvent(B.peer.packets(96)[0]?.payload ?? new Uint8Array())?.event, 7);
  t.same(reported, ['a:7']);

  bridge.unbridge();
  bridge.unbridge();
  t.equal(A.leg.mode, 'idle');
  t.equal(B.leg.mode, 'idle');
  const before = B.peer.packets(8).length;
  await A.peer.stream({ port: A.leg.localPort, frames: 10, payloadType: 0, payload: frames(500, encodeUlaw) });
  await sleep(100);
  t.equal(B.peer.packets(8).length, before, 'no audio relayed after unbridge');
  t.same(A.leg.output.sourceNames, [], 'outputs are free again');
});

t.test('same law both ways: packets take the fast path, a monitor switches to the slow path and back, and the far end sees one continuous stream', async (t) => {
  const A = await leg(t, 0, 101);
  const B = await leg(t, 0, 96);
  const L = await leg(t, 0);
  const bridge = new MediaBridge(A.leg, B.leg);
  const forwarded = () => B.leg.stats().packetsForwarded;
  // B's phone speaks first: B latches to it, and its socket connects there.
  await B.peer.send({ payload: encodeUlaw(new Int16Array(160)), ssrc: 222 }, B.leg.localPort);
  for (let i = 0; i < 200 && !B.leg.session.connected; i++) await sleep(10);
  t.ok(B.leg.session.connected, 'B\'s socket is connected to its latched far end');
  const streaming = A.peer.stream({ port: A.leg.localPort, frames: 75, payload: frames(500, encodeUlaw), ssrc: 111 });
  await B.peer.waitFor(() => B.peer.received.length >= 20, 3000, 'fast-path audio');
  t.ok(forwarded() >= 20, `relayed on the fast path (${forwarded()} packets)`);
  const mon = bridge.monitor(L.leg, 'listen');
  const atAttach = forwarded();
  const atAttachReceived = B.peer.received.length;
  await B.peer.waitFor(() => B.peer.received.length >= atAttachReceived + 15, 3000, 'slow-path audio');
  t.equal(forwarded(), atAttach, 'while the supervisor listens, every packet is decoded (none forwarded raw)');
  await L.peer.waitFor(() => L.peer.received.length >= 10, 3000, 'listener audio');
  t.ok(tonePower(heard(L.peer.packets().slice(2)), 500) > 0.005, 'the supervisor hears A');
  mon.stop();
  const atDetach = forwarded();
  await streaming;
  await B.peer.waitFor(() => B.peer.received.length >= 70, 3000, 'the whole stream');
  t.ok(forwarded() > atDetach, `back on the fast path once the supervisor left (${forwarded() - atDetach} packets)`);

  await pressDigit(A.peer, A.leg.localPort, '4', 101);
  await B.peer.waitFor(() => B.peer.packets(96).some((p) => decodeTelephoneEvent(p.payload)?.end === true), 2000, 'relayed digit');
  t.equal(decodeTelephoneEvent(B.peer.packets(96)[0]?.payload ?? new Uint8Array())?.event, 4, 'a digit is still regenerated with B\'s own payload type');

  const toB = B.peer.packets();
  const audio = B.peer.packets(0);
  t.ok(toB.every((p) => p.ssrc === B.leg.session.ssrc), 'one SSRC, B\'s own, on both paths');
  t.ok(toB.slice(1).every((p, i) => ((p.sequenceNumber - (toB[i]?.sequenceNumber ?? 0)) & 0xffff) === 1), 'sequence numbers continuous across the switches (and the digit)');
  t.ok(audio.slice(1).every((p, i) => ((p.timestamp - (audio[i]?.timestamp ?? 0)) >>> 0) === 160), 'timestamps step one frame across the switches');
  t.equal(audio.filter((p) => p.marker).length, 1, 'one talkspurt, one marker');
  t.ok(tonePower(heard(audio.slice(5, 70)), 500) > 0.02, 'B hears A');
  bridge.unbridge();
});

t.test('fast path across a pause: the next talkspurt gets the marker and a timestamp that follows the time that passed', async (t) => {
  const A = await leg(t, 0);
  const B = await leg(t, 0);
  const bridge = new MediaBridge(A.leg, B.leg);
  await A.peer.stream({ port: A.leg.localPort, frames: 10, payload: frames(500, encodeUlaw) });
  await B.peer.waitFor(() => B.peer.received.length >= 10, 3000, 'first talkspurt');
  await sleep(200); // silence: the phone sends nothing
  await A.peer.stream({ port: A.leg.localPort, frames: 10, payload: frames(500, encodeUlaw) });
  await B.peer.waitFor(() => B.peer.received.length >= 20, 3000, 'second talkspurt');
  const p = B.peer.packets();
  t.equal(B.leg.stats().packetsForwarded, 20, 'every packet on the fast path');
  t.same(p.map((x, i) => (x.marker ? i : -1)).filter((i) => i >= 0), [0, 10], 'a marker at the start of each talkspurt only');
  t.ok(p.slice(1).every((x, i) => ((x.sequenceNumber - (p[i]?.sequenceNumber ?? 0)) & 0xffff) === 1), 'sequence numbers continuous over the pause');
  const jump = ((p[10]?.timestamp ?? 0) - (p[9]?.timestamp ?? 0)) >>> 0;
  t.ok(jump >= 160 * 8, `the timestamp followed the pause (${jump} samples)`);
  bridge.unbridge();
});

t.test('echo sends back what it receives', async (t) => {
  const A = await leg(t, 0);
  const echo = new MediaEcho(A.leg);
  await A.peer.stream({ port: A.leg.localPort, frames: 20, payload: frames(600, encodeUlaw) });
  await A.peer.waitFor(() => A.peer.received.length >= 20, 2000, 'echo');
  t.ok(tonePower(heard(A.peer.packets()), 600) > 0.02);
  t.ok(A.leg.stats().packetsForwarded >= 19, 'echoed on the fast path');
  echo.stop();
  t.equal(A.leg.mode, 'idle');
});

t.test('hold: relaying stops and the held side hears looping music', async (t) => {
  const A = await leg(t, 0);
  const B = await leg(t, 0);
  const music = join(dir, 'moh.wav');
  await writeWavFile(music, tone(300, 1600)); // 200 ms, so it must loop
  const bridge = new MediaBridge(A.leg, B.leg);
  await bridge.hold('a', music, deps);
  await A.peer.stream({ port: A.leg.localPort, frames: 30, payload: frames(500, encodeUlaw) });
  await A.peer.waitFor(() => A.peer.received.length >= 25, 2000, 'music');
  t.ok(tonePower(heard(A.peer.packets().slice(2, 25)), 300) > 0.02, 'A hears the music, past its length');
  t.equal(B.peer.received.length, 0, 'B hears nothing of A while A is held');
  bridge.unhold('a');
  await sleep(60);
  const n = B.peer.received.length;
  await A.peer.stream({ port: A.leg.localPort, frames: 10, payload: frames(500, encodeUlaw) });
  await B.peer.waitFor(() => B.peer.received.length >= n + 8, 2000, 'relay after unhold');
  t.pass('relaying resumes after unhold');
  bridge.unbridge();
});

t.test('monitor: listen hears both, whisper reaches one side, barge both', async (t) => {
  const A = await leg(t, 0);
  const B = await leg(t, 8);
  const L = await leg(t, 0);
  const bridge = new MediaBridge(A.leg, B.leg);
  const mon = bridge.monitor(L.leg, 'listen', 'b');
  const talk = (extra?: Promise<void>) => Promise.all([
    A.peer.stream({ port: A.leg.localPort, frames: 40, payloadType: 0, payload: frames(500, encodeUlaw) }),
    B.peer.stream({ port: B.leg.localPort, frames: 40, payloadType: 8, payload: frames(800, encodeAlaw) }),
    extra,
  ]);
  await talk();
  await L.peer.waitFor(() => L.peer.received.length >= 30, 2000, 'listener audio');
  const lh = heard(L.peer.packets().slice(5, 30));
  t.ok(tonePower(lh, 500) > 0.005 && tonePower(lh, 800) > 0.005, 'the listener hears both sides mixed');
  t.ok(L.peer.packets().every((p) => p.ssrc === L.leg.session.ssrc && p.payloadType === 0));
  t.equal(A.peer.packets().length > 0 && tonePower(heard(A.peer.packets()), 1200) < 0.001, true);

  mon.setMode('whisper');
  const a0 = A.peer.received.length;
  const b0 = B.peer.received.length;
  await talk(L.peer.stream({ port: L.leg.localPort, frames: 40, payload: frames(1200, encodeUlaw) }));
  await sleep(100);
  const bh = heard(B.peer.packets().slice(b0 + 5, b0 + 30));
  const ah = heard(A.peer.packets().slice(a0 + 5, a0 + 30));
  t.ok(tonePower(bh, 1200) > 0.005 && tonePower(bh, 500) > 0.005, 'whisper: B hears the supervisor over A');
  t.ok(tonePower(ah, 1200) < 0.001, 'whisper: A does not hear the supervisor');

  mon.setMode('barge');
  const a1 = A.peer.received.length;
  await talk(L.peer.stream({ port: L.leg.localPort, frames: 40, payload: frames(1200, encodeUlaw) }));
  await sleep(100);
  t.ok(tonePower(heard(A.peer.packets().slice(a1 + 5, a1 + 30)), 1200) > 0.005, 'barge: A hears the supervisor too');
  mon.stop();
  t.equal(L.leg.mode, 'idle');
  bridge.unbridge();
});

t.test('a prompt played to a bridged leg is mixed over the relayed audio (whisper)', async (t) => {
  const A = await leg(t, 0);
  const B = await leg(t, 0);
  const bridge = new MediaBridge(A.leg, B.leg);
  const prompt = join(dir, 'whisper.wav');
  await writeWavFile(prompt, tone(1500, 8000));
  const playing = playOnLeg(A.leg, { prompts: [prompt] }, deps);
  await B.peer.stream({ port: B.leg.localPort, frames: 40, payload: frames(700, encodeUlaw) });
  t.same(await playing, { reason: 'done' });
  const ah = heard(A.peer.packets().slice(5, 35));
  t.ok(tonePower(ah, 1500) > 0.005 && tonePower(ah, 700) > 0.005, 'A hears the prompt and B together');
  t.equal(B.peer.received.length, 0, 'B does not hear the prompt (and A said nothing)');
  t.same(A.leg.output.sourceNames, ['bridge'], 'the player left the mix');
  bridge.unbridge();
});
