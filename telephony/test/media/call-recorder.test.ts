// The embedded engine's stereo call recording on one media leg, over real
// RTP on 127.0.0.1: received audio left, sent audio right, wall-clock
// length whatever the network does, pause as silence, streamed to disk.
import t from 'tap';
import type { Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readWavFileHeader } from '../../src/audio/index.js';
import { WavFileWriter } from '../../src/audio/wav-writer.js';
import { readStereoTones, shareOf, windowsIn } from '../../src/contract/tone-analysis.js';
import { recordCallOnLeg } from '../../src/embedded/media/call-recorder.js';
import { encodeAlaw, encodeUlaw } from '../../src/embedded/media/g711.js';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { FRAME_MS } from '../../src/embedded/media/output.js';
import { startPacer } from '../../src/embedded/media/pacer.js';
import type { CallRecording } from '../../src/driver.js';
import { RtpPeer, silentLogger, sleep, tone } from './fixtures/rtp-peer.js';

const dir = t.testdir({});
// Whole cycles in 20 ms, so frames repeated back to back make a clean tone.
const RECEIVED_HZ = 500;
const SENT_HZ = 1000;
const EDGE_MS = 200;

async function setup(t: Test, payloadType = 0) {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  return { peer, leg };
}

/** What the leg sends: a tone from a paced source, as a bridge or a player would write it. */
function sendTone(leg: MediaLeg, hz: number): () => void {
  const source = leg.output.attach('test-tone');
  const frame = tone(hz, 160);
  const pacer = startPacer(FRAME_MS, () => { source.write(frame, true); });
  return () => { pacer.stop(); source.detach(); };
}

/** Polls the file's length until it reaches `ms` (writes are asynchronous); gives up after 5 s. */
async function fileHolds(file: string, ms: number): Promise<number> {
  const deadline = Date.now() + 5000;
  let held = 0;
  while (Date.now() < deadline) {
    held = (await readWavFileHeader(file)).durationMs;
    if (held >= ms) break;
    await sleep(20);
  }
  return held;
}

async function recordFor(rec: CallRecording, ms: number): Promise<void> {
  const until = rec.elapsedMs + ms;
  while (rec.elapsedMs < until) await sleep(20);
}

t.test('received audio is left, sent audio right; a gap in either is silence and the file keeps wall time', async (t) => {
  const { peer, leg } = await setup(t);
  const file = join(dir, 'gap.wav');
  const started = Date.now();
  const rec = await recordCallOnLeg(leg, { file });
  const stopSending = sendTone(leg, SENT_HZ);
  const toneFrame = encodeUlaw(tone(RECEIVED_HZ, 160));
  // 1.5 s with every 7th packet lost, then nothing for a while, then 1 s more.
  await peer.stream({ port: leg.localPort, frames: 75, payload: () => toneFrame, drop: (i) => i % 7 === 3 });
  const gapFrom = rec.elapsedMs;
  stopSending();
  await recordFor(rec, 1200);
  const gapTo = rec.elapsedMs;
  const resumeSending = sendTone(leg, SENT_HZ);
  await peer.stream({ port: leg.localPort, frames: 50, payload: () => toneFrame, ssrc: 0x1234 });
  const endAt = rec.elapsedMs;
  resumeSending();
  const stoppedAt = Date.now();
  const result = await rec.stop();
  const wallMs = stoppedAt - started;

  t.ok(Math.abs(result.durationMs - wallMs) <= 500, `recorded ${result.durationMs} ms over ${wallMs} ms of wall time (±500)`);
  const s = readStereoTones(await readFile(file), [RECEIVED_HZ, SENT_HZ]);
  t.match(s, { channels: 2, sampleRate: 8000 });
  t.equal(s.durationMs, result.durationMs, 'the file is as long as reported');
  const expect = (what: string, from: number, to: number, left: number | undefined, right: number | undefined): void => {
    for (const [side, readings, want] of [['left', s.left, left], ['right', s.right, right]] as const) {
      const windows = windowsIn(readings, from + EDGE_MS, to - EDGE_MS);
      const share = shareOf(windows, (w) => (want === undefined ? w.rms < 60 : w.tone === want));
      t.ok(windows.length > 0 && share >= 0.8, `${what}: ${side} ${want ?? 'silent'} (${Math.round(share * 100)}% of ${windows.length})`);
    }
  };
  expect('lossy stream', 0, gapFrom, RECEIVED_HZ, SENT_HZ);
  expect('nothing sent either way', gapFrom, gapTo, undefined, undefined);
  expect('both again', gapTo, endAt, RECEIVED_HZ, SENT_HZ);
  const soxSeconds = Number(execFileSync('sox', ['--i', '-D', file]).toString().trim());
  t.ok(Math.abs(soxSeconds * 1000 - result.durationMs) < 5, `sox reads the same length (${soxSeconds} s)`);
});

t.test('sent audio is decoded in the leg\'s own codec (PCMA), and the file is on disk while recording', async (t) => {
  const { peer, leg } = await setup(t, 8);
  const file = join(dir, 'alaw.wav');
  const rec = await recordCallOnLeg(leg, { file });
  const stopSending = sendTone(leg, SENT_HZ);
  const toneFrame = encodeAlaw(tone(RECEIVED_HZ, 160));
  const streaming = peer.stream({ port: leg.localPort, frames: 100, payload: () => toneFrame, payloadType: 8 });
  await recordFor(rec, 1500);
  const partial = await fileHolds(file, 1000);
  t.ok(partial >= 1000 && partial < rec.elapsedMs + 1000, `the recording is written as it goes (${partial} ms in the file)`);
  await streaming;
  stopSending();
  const result = await rec.stop();
  const s = readStereoTones(await readFile(file), [RECEIVED_HZ, SENT_HZ]);
  const body = (r: typeof s.left) => windowsIn(r, EDGE_MS, result.durationMs - 600);
  t.ok(shareOf(body(s.left), (w) => w.tone === RECEIVED_HZ) >= 0.8, 'left: what the far end sent');
  t.ok(shareOf(body(s.right), (w) => w.tone === SENT_HZ) >= 0.8, 'right: what the leg sent');
});

t.test('pause writes silence on both sides and keeps nothing received meanwhile; stop is idempotent; the leg closing stops it', async (t) => {
  const { peer, leg } = await setup(t);
  const file = join(dir, 'pause.wav');
  const rec = await recordCallOnLeg(leg, { file });
  const stopSending = sendTone(leg, SENT_HZ);
  const toneFrame = encodeUlaw(tone(RECEIVED_HZ, 160));
  const streaming = peer.stream({ port: leg.localPort, frames: 200, payload: () => toneFrame });
  await recordFor(rec, 1000);
  const pausedAt = rec.elapsedMs;
  rec.pause();
  rec.pause();
  t.equal(rec.paused, true);
  await recordFor(rec, 1500);
  const resumedAt = rec.elapsedMs;
  rec.resume();
  rec.resume();
  t.equal(rec.paused, false);
  await recordFor(rec, 1000);
  const endAt = rec.elapsedMs;
  await leg.close();
  const result = await rec.stop();
  t.same(await rec.stop(), result, 'stop again gives the same result');
  t.ok(result.durationMs >= endAt, `stopped by the leg closing, after ${result.durationMs} ms`);
  stopSending();
  await streaming;
  const s = readStereoTones(await readFile(file), [RECEIVED_HZ, SENT_HZ], 20);
  const paused = [...windowsIn(s.left, pausedAt, resumedAt, 20), ...windowsIn(s.right, pausedAt, resumedAt, 20)];
  t.ok(paused.length > 100 && paused.every((w) => w.rms === 0), `every frame of the pause is digital silence (${paused.length} windows)`);
  t.ok(shareOf(windowsIn(s.left, resumedAt + EDGE_MS, endAt, 20), (w) => w.rms > 1000) >= 0.8, 'audio again after resume');
  t.ok(shareOf(windowsIn(s.left, EDGE_MS, pausedAt, 20), (w) => w.rms > 1000) >= 0.8, 'audio before the pause');
  t.equal(leg.listenerCount('audio'), 0, 'the recording let go of the leg');
});

t.test('an abort signal stops it; a file that cannot be created rejects the start and leaves the leg alone', async (t) => {
  const { leg } = await setup(t);
  await t.rejects(recordCallOnLeg(leg, { file: join(dir, 'no-such-folder', 'x.wav') }), { code: 'ENOENT' });
  t.equal(leg.listenerCount('audio'), 0, 'no listener left behind');
  const ctl = new AbortController();
  const rec = await recordCallOnLeg(leg, { file: join(dir, 'aborted.wav'), signal: ctl.signal });
  await recordFor(rec, 300);
  ctl.abort();
  const result = await rec.stop();
  t.ok(result.durationMs >= 300, `${result.durationMs} ms recorded`);
  t.equal((await readWavFileHeader(result.file)).durationMs, result.durationMs, 'the header was finalised');
  await leg.close();
  await t.rejects(recordCallOnLeg(leg, { file: join(dir, 'closed.wav') }), /media has ended/);
});

t.test('WavFileWriter: sizes patched at the end; a file cut short still reads to its end', async (t) => {
  const file = join(dir, 'writer.wav');
  const writer = await WavFileWriter.create(file, { channels: 2, sampleRate: 8000 });
  writer.append(Buffer.alloc(32000, 1));
  writer.append(Buffer.alloc(16000, 2));
  // Before finish the header says 0: a reader takes the data to the end of the file.
  t.equal(await fileHolds(file, 1500), 1500, 'readable before the end');
  t.equal(await writer.finish(), 48000);
  t.equal(await writer.finish(), 48000, 'finish is idempotent');
  const bytes = await readFile(file);
  t.equal(bytes.readUInt32LE(40), 48000, 'data size');
  t.equal(bytes.readUInt32LE(4), 36 + 48000, 'RIFF size');
  t.match(await readWavFileHeader(file), { channels: 2, sampleRate: 8000, bitsPerSample: 16, durationMs: 1500 });
});
