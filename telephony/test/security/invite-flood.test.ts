// An INVITE flood from one address, just under the per-source ban rate (100
// requests per 2 s): INVITEs to the echo number at 45/s for 30 s, never ACKed.
// Before the call caps, every such INVITE held an RTP port until its 200 gave
// up waiting for the ACK, the port pool ran out ("no media port") and honest
// callers got 503. Now the flooding address holds at most its unanswered-call
// cap, is answered 486 with Retry-After beyond it, and a phone at another
// address gets through, with its own audio back, during and after the flood.
import t, { type Test } from 'tap';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describeSipp, runSipp, startSipp } from '../peers/sipp.js';
import { startCapture } from '../peers/capture.js';
import { assertNoLeaks, eventually, startEngine, type TestEngine } from '../interop/engine.js';
import { DEFAULT_CALL_LIMITS } from '../../src/embedded/engine/admission.js';
import { checkEcho, writeDistinctUlaw } from './audio-check.js';

const FLOOD_RATE = 45;
const FLOOD_SECONDS = 30;
const CALL_FRAMES = 100; // 2 s of audio per honest call

async function honestEchoCall(t: Test, engine: TestEngine, file: string, frames: Buffer[], label: string): Promise<void> {
  const cap = await startCapture({ portRange: engine.rtpPorts });
  t.teardown(() => cap.dispose());
  const sipp = await startSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '9196', calls: 1,
    pauseMs: 3000, files: { 'audio.ul': file }, timeoutMs: 20_000,
  });
  const r = await sipp.done;
  t.equal(r.code, 0, `${label}: the call connected and ended normally: ${describeSipp(r)}`);
  const { packets } = await cap.stop(300);
  const echo = checkEcho(packets, sipp.mediaPort, frames, engine.rtpPorts);
  t.ok(echo.ownFramesBack >= CALL_FRAMES * 0.9, `${label}: the caller's own audio came back (${echo.ownFramesBack}/${CALL_FRAMES} frames)`);
  t.equal(echo.foreign, 0, `${label}: nothing but the caller's audio`);
}

t.test('GIVEN INVITEs at 45/s from 127.0.0.2 for 30 s that are never ACKed WHEN a phone at 127.0.0.1 calls the echo number during and after the flood THEN both calls connect with their audio, the flood is answered 486 beyond the cap and the port pool is never used up', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-flood-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const audio = join(dir, 'audio.ul');
  const frames = await writeDistinctUlaw(audio, CALL_FRAMES);
  const pairs = Math.floor((engine.rtpPorts.to - engine.rtpPorts.from + 1) / 2);

  let peakPorts = 0;
  const sampler = setInterval(() => { peakPorts = Math.max(peakPorts, engine.driver.stats().resources.mediaPorts ?? 0); }, 50);
  t.teardown(() => clearInterval(sampler));

  const flood = await startSipp({
    scenario: 'uac-invite-never-ack.xml', remote: engine.address, service: '9196', localAddress: '127.0.0.2',
    rate: FLOOD_RATE, calls: FLOOD_RATE * FLOOD_SECONDS, timeoutMs: (FLOOD_SECONDS + 15) * 1000,
  });
  t.teardown(() => flood.stop(500));
  // Well into the flood: the cap is reached and the 200s wait for ACKs that never come.
  t.ok(await eventually(() => (engine.driver.stats().resources.incomingCalls ?? 0) >= DEFAULT_CALL_LIMITS.maxUnansweredPerSource, 15_000),
    'the flood fills its own unanswered-call allowance');
  await honestEchoCall(t, engine, audio, frames, 'during the flood');

  const floodResult = await flood.done;
  clearInterval(sampler);
  const answered = (floodResult.logs.match(/FLOOD-200/g) ?? []).length;
  const busy = (floodResult.logs.match(/FLOOD-486/g) ?? []).length;
  t.ok(busy > FLOOD_RATE * FLOOD_SECONDS * 0.5, `most flood INVITEs were refused 486 (486: ${busy}, 200: ${answered}, sipp exit ${floodResult.code})`);
  t.notOk(engine.driver.stats().resources.bannedSources, 'the flood stayed under the ban rate (the caps, not a ban, stopped it)');
  t.ok(peakPorts <= DEFAULT_CALL_LIMITS.maxUnansweredPerSource + 2 && peakPorts < pairs,
    `RTP ports in use peaked at ${peakPorts} of ${pairs} pairs`);

  await honestEchoCall(t, engine, audio, frames, 'after the flood');
  await assertNoLeaks(t, engine);
});
