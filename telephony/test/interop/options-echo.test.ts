// GIVEN Tenor's embedded engine on 127.0.0.1, real SIPp peers prove the basics on the wire.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSipp, runSipp } from '../peers/sipp.js';
import { rtpFlows, startCapture } from '../peers/capture.js';
import { makeToneUlaw } from '../peers/audio.js';
import { assertNoLeaks, startEngine } from './engine.js';

t.test('GIVEN the engine WHEN SIPp sends OPTIONS THEN it answers 200 with an Allow header', async (t) => {
  const engine = await startEngine(t);
  const r = await runSipp({ scenario: 'uac-options.xml', remote: engine.address, service: 'tenor', calls: 1, timeoutMs: 15_000 });
  t.equal(r.code, 0, describeSipp(r));
  t.match(r.logs, /OPTIONS-200 Allow=.*INVITE/, `Allow lists INVITE: ${r.logs}`);
  await assertNoLeaks(t, engine);
});

t.test('GIVEN the echo number 9196 WHEN SIPp streams 3 s of PCMU THEN the same packets come back (±3%) at a 20 ms cadence', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const ul = await makeToneUlaw(join(dir, 'tone.ul'), { seconds: 3 });
  const cap = await startCapture({ portRange: engine.rtpPorts });
  t.teardown(() => cap.dispose());
  const r = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '9196', calls: 1,
    pauseMs: 3600, files: { 'audio.ul': ul }, timeoutMs: 20_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  const { packets } = await cap.stop();
  const flows = [...rtpFlows(packets).values()];
  const inRange = (p: number): boolean => p >= engine.rtpPorts.from && p <= engine.rtpPorts.to;
  const toEngine = flows.find((f) => inRange(f.dstPort));
  const fromEngine = flows.find((f) => inRange(f.srcPort));
  if (!toEngine || !fromEngine) {
    t.fail(`expected RTP both ways, flows: ${flows.map((f) => `${f.key}:${f.packets}`).join(' ')}`);
    return;
  }
  t.equal(toEngine.packets, 150, 'SIPp sent 3 s of 20 ms packets');
  t.ok(Math.abs(fromEngine.packets - toEngine.packets) <= toEngine.packets * 0.03,
    `echoed ${fromEngine.packets} of ${toEngine.packets}`);
  t.same(Object.keys(fromEngine.payloadTypes), ['0'], 'echo is PCMU');
  t.ok(fromEngine.intervals.p50 > 17 && fromEngine.intervals.p50 < 23, `echo p50 ${fromEngine.intervals.p50} ms`);
  await assertNoLeaks(t, engine);
});
