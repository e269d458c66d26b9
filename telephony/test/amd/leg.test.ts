// Detection on a live media leg (the path EmbeddedCall uses), fed by a real
// UDP RTP peer in real time: a far end that stops sending after "Hello?",
// packet loss inside a long message, and a pause in sending that the RTP
// timestamps reveal, counted once.
import t, { type Test } from 'tap';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { detectOnLeg } from '../../src/embedded/media/amd/on-leg.js';
import { encodeUlaw } from '../../src/embedded/media/g711.js';
import { RtpPeer, silentLogger } from '../media/fixtures/rtp-peer.js';
import { onLine, silence, speech } from './signals.js';

async function setup(t: Test): Promise<{ peer: RtpPeer; leg: MediaLeg }> {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => {
    await leg.close();
    await peer.close();
  });
  return { peer, leg };
}

/** µ-law payload of 20 ms frame i of `audio`. */
const frameOf = (audio: Int16Array) => (i: number): Uint8Array => encodeUlaw(audio.subarray(i * 160, i * 160 + 160));

t.test('GIVEN "Hello?" and then no packets at all WHEN detecting on the leg THEN human, from the clock, soon after the word', async (t) => {
  const { peer, leg } = await setup(t);
  const audio = onLine(silence(300), speech(400));
  const detecting = detectOnLeg(leg);
  await peer.stream({ port: leg.localPort, frames: audio.length / 160, payload: frameOf(audio) });
  const r = await detecting;
  t.same([r.result, r.reason], ['human', 'short-greeting-then-silence']);
  // speech ends at 700 ms; + 700 ms of silence; + up to 200 ms before the clock counts silence; + a loaded machine
  t.ok(r.durationMs >= 1300 && r.durationMs <= 3000, `decided at ${r.durationMs} ms`);
});

t.test('GIVEN a long message with lost packets WHEN detecting on the leg THEN the loss does not split it: machine', async (t) => {
  const { peer, leg } = await setup(t);
  const audio = onLine(silence(200), speech(3000));
  const detecting = detectOnLeg(leg);
  const streaming = peer.stream({ port: leg.localPort, frames: audio.length / 160, payload: frameOf(audio), drop: (i) => i % 25 >= 20 });
  const r = await detecting;
  await streaming;
  t.same([r.result, r.reason], ['machine', 'long-greeting'], JSON.stringify(r));
});

t.test('GIVEN "Hello?", 0.8 s with no packets, "Hello?" again WHEN detecting THEN the pause counts as silence once (clock and RTP timestamps agree)', async (t) => {
  const { peer, leg } = await setup(t);
  // "Hello?" 300-700 ms; frames 35-74 (700-1500 ms) are never sent, the timestamps jump over them; "Hello?" 1500-1900 ms
  const audio = onLine(silence(300), speech(400), silence(800), speech(400, 3000, 11), silence(1500));
  const detecting = detectOnLeg(leg, { afterGreetingSilenceMs: 1000, greetingMs: 5000 });
  const streaming = peer.stream({ port: leg.localPort, frames: audio.length / 160, payload: frameOf(audio), drop: (i) => i >= 35 && i < 75 });
  const r = await detecting;
  await streaming;
  t.same([r.result, r.reason], ['human', 'short-greeting-then-silence'], JSON.stringify(r));
  // Counted once, the 0.8 s gap is shorter than afterGreetingSilenceMs and both words make one greeting;
  // counted twice (clock fill + timestamp jump) it would pass for 1.4 s of silence and end the greeting at the first word.
  t.ok(r.greetingMs >= 1400, `one greeting over both words (${r.greetingMs} ms)`);
  t.ok(r.durationMs >= 2800 && r.durationMs <= 3200, `decided ${r.durationMs} ms in: 1 s after the second word`);
});

t.test('GIVEN a closed leg or an aborted signal WHEN detecting THEN unknown at once; an invalid option rejects', async (t) => {
  const { leg } = await setup(t);
  await t.rejects(detectOnLeg(leg, { greetingMs: -5 }), { name: 'RangeError' }, 'an invalid option rejects');
  const abort = new AbortController();
  abort.abort();
  t.same((await detectOnLeg(leg, { signal: abort.signal })).reason, 'stopped');
  const pending = detectOnLeg(leg);
  await leg.close();
  t.same(await pending.then((r) => [r.result, r.reason]), ['unknown', 'hangup']);
  t.same((await detectOnLeg(leg)).reason, 'hangup');
});
