import t from 'tap';
import type { Test } from 'tap';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { MediaLeg } from '../../src/embedded/media/leg.js';
import { recordOnLeg } from '../../src/embedded/media/recorder.js';
import { encodeUlaw } from '../../src/embedded/media/g711.js';
import { encodeTelephoneEvent } from '../../src/embedded/media/dtmf.js';
import { readWavFile } from '../../src/audio/index.js';
import { RtpPeer, silentLogger, sleep, tone, tonePower } from './fixtures/rtp-peer.js';

const dir = t.testdir({});
const toneFrame = encodeUlaw(tone(1000, 160));
const silentFrame = new Uint8Array(160).fill(0xff);

async function setup(t: Test) {
  const peer = await RtpPeer.open();
  const leg = await MediaLeg.open({ payloadType: 0, telephoneEventPayloadType: 101, remote: peer.endpoint, logger: silentLogger });
  t.teardown(async () => { await leg.close(); await peer.close(); });
  return { peer, leg };
}

t.test('duration is true to wall time despite packet loss and a pause in sending', async (t) => {
  const { peer, leg } = await setup(t);
  const file = join(dir, 'lossy.wav');
  const ctl = new AbortController();
  const start = process.hrtime.bigint();
  const recording = recordOnLeg(leg, { file, maxSeconds: 30, signal: ctl.signal });
  // 2 s with every 7th packet lost, 1 s with nothing at all, then 1 s more.
  await peer.stream({ port: leg.localPort, frames: 100, payload: () => toneFrame, drop: (i) => i % 7 === 3 });
  await sleep(1000);
  await peer.stream({ port: leg.localPort, frames: 50, payload: () => toneFrame, ssrc: 0xabcdef });
  ctl.abort();
  const result = await recording;
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  t.equal(result.reason, 'stopped');
  t.ok(Math.abs(result.durationMs - wallMs) / wallMs < 0.05, `recorded ${result.durationMs} ms over ${wallMs.toFixed(0)} ms of wall time`);
  const wav = await readWavFile(file);
  t.match(wav, { sampleRate: 8000, channels: 1, formatCode: 1 });
  t.equal(Math.round((wav.samples.length / 8) ), result.durationMs, 'the file is as long as reported');
  // The pause is silence; around it is the tone.
  const at = (ms: number) => wav.samples.subarray(ms * 8, ms * 8 + 400);
  t.ok(tonePower(at(1000), 1000) > 0.01, 'tone in the first part');
  t.ok(tonePower(at(2500), 1000) < 0.0001, 'silence where nothing was sent');
  t.ok(tonePower(at(3500), 1000) > 0.01, 'tone after the pause');
  const soxInfo = execFileSync('sox', ['--i', '-D', file]).toString().trim();
  t.ok(Math.abs(Number(soxInfo) * 1000 - result.durationMs) < 5, `sox reads the same duration (${soxInfo} s)`);
});

t.test('stops after N seconds of silence', async (t) => {
  const { peer, leg } = await setup(t);
  const start = Date.now();
  const sending = peer.stream({ port: leg.localPort, frames: 200, payload: (i) => (i < 25 ? toneFrame : silentFrame) });
  const result = await recordOnLeg(leg, { file: join(dir, 'silence.wav'), maxSeconds: 30, silenceSeconds: 1 });
  t.equal(result.reason, 'silence');
  const took = Date.now() - start;
  t.ok(took > 1300 && took < 2500, `stopped ${took} ms in: 0.5 s of speech + 1 s of silence`);
  await sending;
});

t.test('stops on a stop key, and at max length', async (t) => {
  const { peer, leg } = await setup(t);
  const sending = peer.stream({ port: leg.localPort, frames: 100, payload: () => toneFrame });
  const keyed = recordOnLeg(leg, { file: join(dir, 'key.wav'), maxSeconds: 30, stopKeys: '#' });
  await sleep(300);
  for (let i = 0; i < 3; i++) await peer.send({ payloadType: 101, timestamp: 99, sequenceNumber: 5000 + i, payload: encodeTelephoneEvent({ event: 11, end: true, volume: 10, duration: 800 }) }, leg.localPort);
  const r1 = await keyed;
  t.match(r1, { reason: 'key', key: '#' });
  t.ok(r1.durationMs > 200 && r1.durationMs < 600, `${r1.durationMs} ms recorded before the key`);
  const r2 = await recordOnLeg(leg, { file: join(dir, 'max.wav'), maxSeconds: 1 });
  t.equal(r2.reason, 'max-length');
  t.equal(r2.durationMs, 1000, 'exactly the maximum');
  await sending;
});

t.test('the far end hanging up ends the recording', async (t) => {
  const { leg } = await setup(t);
  const recording = recordOnLeg(leg, { file: join(dir, 'hangup.wav'), maxSeconds: 10 });
  await sleep(300);
  await leg.close();
  const r = await recording;
  t.equal(r.reason, 'hangup');
  t.ok(r.durationMs >= 250 && r.durationMs < 600, `${r.durationMs} ms of silence kept`);
});
