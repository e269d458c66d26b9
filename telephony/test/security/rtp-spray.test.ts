// An RTP spray: a stranger at another address sends RTP to every port of the
// engine's RTP range, before and during a call. Before, the first packet from
// any source was latched as the far end when it came before the caller's own,
// so the stranger got the call's audio and its packets were played into the
// call. Now media is taken only from the addresses the SDP and the signalling
// name: the caller hears exactly its own audio back and the stranger gets
// nothing.
import t from 'tap';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { serializeRtp } from '../../src/embedded/rtp/packet.js';
import { describeSipp, startSipp } from '../peers/sipp.js';
import { startCapture } from '../peers/capture.js';
import type { Call, HangupCause } from '../../src/driver.js';
import { assertNoLeaks, deferred, onIncoming, startEngine, within } from '../interop/engine.js';
import { checkEcho, FRAME_BYTES, writeDistinctUlaw } from './audio-check.js';

const CALL_FRAMES = 100;

interface Sprayer {
  /** RTP packets the engine sent back to the stranger. */
  readonly received: () => number;
  readonly sent: () => number;
  stop(): Promise<void>;
}

/** Sends PCMU packets of the stranger's own bytes to every port in the range, every 10 ms. */
async function startSpray(address: string, range: { from: number; to: number }): Promise<Sprayer> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, address, () => resolve()));
  let received = 0;
  let sent = 0;
  socket.on('message', () => { received++; });
  const payload = new Uint8Array(FRAME_BYTES).fill(0x2a);
  let seq = 0;
  let stopped = false;
  const timer = setInterval(() => {
    for (let port = range.from; port <= range.to; port++) {
      const packet = serializeRtp({ payloadType: 0, marker: false, sequenceNumber: seq & 0xffff, timestamp: seq * 160, ssrc: 0x5eed, csrc: [], payload });
      socket.send(packet, port, '127.0.0.1');
      sent++;
    }
    seq++;
  }, 10);
  return {
    received: () => received,
    sent: () => sent,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

t.test('GIVEN a stranger at 127.0.0.3 spraying RTP over the whole RTP port range WHEN a caller at 127.0.0.1 is on the echo number THEN the caller hears only its own audio, every frame of it, and the stranger receives nothing', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-spray-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const audio = join(dir, 'audio.ul');
  const frames = await writeDistinctUlaw(audio, CALL_FRAMES);
  const cap = await startCapture({ portRange: engine.rtpPorts });
  t.teardown(() => cap.dispose());
  const spray = await startSpray('127.0.0.3', engine.rtpPorts);
  t.teardown(() => spray.stop());

  const sipp = await startSipp({
    scenario: 'uac-call-echo-rtp-late.xml', remote: engine.address, service: '9196', calls: 1,
    pauseMs: 3500, files: { 'audio.ul': audio }, timeoutMs: 20_000,
  });
  const r = await sipp.done;
  await spray.stop();
  t.equal(r.code, 0, `the call went through: ${describeSipp(r)}`);
  const { packets } = await cap.stop(300);
  const echo = checkEcho(packets, sipp.mediaPort, frames, engine.rtpPorts);
  t.ok(spray.sent() > 1000, `the stranger sprayed (${spray.sent()} packets)`);
  t.ok(echo.ownFramesBack >= CALL_FRAMES * 0.9, `the caller's own audio came back (${echo.ownFramesBack}/${CALL_FRAMES} frames)`);
  t.equal(echo.foreign, 0, `none of the stranger's audio reached the caller (${echo.foreign} foreign of ${echo.received})`);
  t.equal(spray.received(), 0, 'the stranger got none of the call\'s audio');
  t.ok((engine.driver.stats().resources.rtpPacketsFromStrangers ?? 0) > 0, `the dropped packets are counted (${engine.driver.stats().resources.rtpPacketsFromStrangers})`);
  await assertNoLeaks(t, engine);
});

t.test('GIVEN a stranger spraying RTP over the whole RTP port range WHEN a caller is bridged to an echoing callee (both legs through the engine) THEN the caller hears only its own audio back through the bridge and the stranger receives nothing', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-spray-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const audio = join(dir, 'audio.ul');
  const frames = await writeDistinctUlaw(audio, CALL_FRAMES);
  const callee = await startSipp({ scenario: 'uas-answer-echo.xml', calls: 1, rtpEcho: true, timeoutMs: 30_000 });
  t.teardown(() => callee.stop(500));
  await callee.ready();
  const ended = deferred<HangupCause>();
  onIncoming(t, engine, async ({ call }) => {
    await call.answer();
    const far: Call = await engine.driver.originate({ kind: 'address', address: `sip:echo@127.0.0.1:${callee.port}` }, { timeoutMs: 10_000 });
    await engine.driver.bridge(call, far);
    const cause = await new Promise<HangupCause>((resolve) => call.once('hangup', resolve));
    await far.hangup();
    ended.resolve(cause);
  });
  const cap = await startCapture({ portRange: engine.rtpPorts });
  t.teardown(() => cap.dispose());
  const spray = await startSpray('127.0.0.3', engine.rtpPorts);
  t.teardown(() => spray.stop());

  const caller = await startSipp({
    scenario: 'uac-call-echo-rtp-late.xml', remote: engine.address, service: '5000', calls: 1,
    pauseMs: 4000, files: { 'audio.ul': audio }, timeoutMs: 30_000,
  });
  const r = await caller.done;
  await spray.stop();
  t.equal(r.code, 0, `the call went through: ${describeSipp(r)}`);
  t.equal(await within(ended.promise, 10_000, 'the bridged call to end'), 'normal');
  const { packets } = await cap.stop(300);
  const echo = checkEcho(packets, caller.mediaPort, frames, engine.rtpPorts);
  t.ok(echo.ownFramesBack >= CALL_FRAMES * 0.9, `the caller's own audio came back through the bridge (${echo.ownFramesBack}/${CALL_FRAMES} frames)`);
  t.equal(echo.foreign, 0, `none of the stranger's audio reached the caller (${echo.foreign} foreign of ${echo.received})`);
  t.equal(spray.received(), 0, 'the stranger got none of the call\'s audio');
  await callee.done;
  await assertNoLeaks(t, engine);
});
