// A SIPp caller bridged by an app to a baresip agent phone reached as a
// registered device: audio must flow both ways through the engine.
import t from 'tap';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Call, HangupCause } from '../../src/driver.js';
import { describeSipp, runSipp } from '../peers/sipp.js';
import { startCapture } from '../peers/capture.js';
import { Baresip } from '../peers/baresip.js';
import { registerContact } from '../peers/register-client.js';
import { freeUdpTcpPort } from '../peers/ports.js';
import { makeToneUlaw, makeToneWav, rmsAmplitude } from '../peers/audio.js';
import { assertNoLeaks, deferred, engineFlows, onIncoming, startEngine, within } from './engine.js';

t.test('GIVEN agent registered as a device WHEN a SIPp caller is bridged to it by originate({kind:"device"}) THEN RTP flows both ways and both legs end cleanly', async (t) => {
  const engine = await startEngine(t);
  const dir = await mkdtemp(join(tmpdir(), 'tenor-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const callerAudio = await makeToneUlaw(join(dir, 'caller.ul'), { seconds: 3, frequency: 700 });
  const agentMic = await makeToneWav(join(dir, 'agent.wav'), { seconds: 60, frequency: 300 });
  // The registration is made for the phone by a digest client that takes the
  // first algorithm it supports (baresip 1.0.0 itself rejects any challenge list
  // naming SHA-256, see register.test.ts), from the port the phone then listens
  // on: the engine calls a device where its REGISTER came from (NAT-friendly).
  const phonePort = await freeUdpTcpPort();
  const reg = await registerContact({
    registrar: engine.address, user: 'agent', password: 'agent-secret',
    contact: `sip:agent@127.0.0.1:${phonePort}`, localPort: phonePort,
  });
  t.equal(reg.status, 200, `REGISTER for agent: ${reg.headers.join(' | ')}`);
  const phone = await Baresip.start({ user: 'agent', sipPort: phonePort, mic: { wav: agentMic }, recordDir: join(dir, 'rec') });
  t.teardown(() => phone.stop());

  const ended = deferred<{ caller: HangupCause; agent: HangupCause }>();
  onIncoming(t, engine, async ({ call }) => {
    await call.answer();
    const agent: Call = await engine.driver.originate({ kind: 'device', user: 'agent' }, { timeoutMs: 10_000, callerId: call.from });
    await engine.driver.bridge(call, agent);
    const callerCause = await new Promise<HangupCause>((resolve) => call.once('hangup', resolve));
    await agent.hangup();
    ended.resolve({ caller: callerCause, agent: agent.hangupCause ?? 'failed' });
  });

  const cap = await startCapture({ portRange: engine.rtpPorts });
  t.teardown(() => cap.dispose());
  const r = await runSipp({
    scenario: 'uac-call-echo-rtp.xml', remote: engine.address, service: '5000', calls: 1,
    pauseMs: 4000, files: { 'audio.ul': callerAudio }, timeoutMs: 30_000,
  });
  t.equal(r.code, 0, describeSipp(r));
  const causes = await within(ended.promise, 10_000, 'both legs to end');
  t.equal(causes.caller, 'normal');
  await phone.waitForEvent('CALL_CLOSED', { timeoutMs: 10_000 });
  t.ok(phone.events.some((e) => e.type === 'CALL_ESTABLISHED'), 'the agent phone answered');

  const { packets } = await cap.stop();
  const { toEngine, fromEngine } = engineFlows(packets, engine);
  const isPhone = (p: number): boolean => p >= phone.rtpPorts.from && p <= phone.rtpPorts.to;
  const toPhone = fromEngine.find((f) => isPhone(f.dstPort));
  const toCaller = fromEngine.find((f) => !isPhone(f.dstPort));
  const fromPhone = toEngine.find((f) => isPhone(f.srcPort));
  const fromCaller = toEngine.find((f) => !isPhone(f.srcPort));
  const describe = [...toEngine, ...fromEngine].map((f) => `${f.key}:${f.packets}`).join(' ');
  t.ok(fromCaller && fromCaller.packets >= 145, `caller sent its 3 s stream (${describe})`);
  t.ok(toPhone && toPhone.packets >= 140, `the engine relayed it to the agent (${toPhone?.packets})`);
  t.ok(fromPhone && fromPhone.packets >= 140, `the agent phone sent audio (${fromPhone?.packets})`);
  t.ok(toCaller && toCaller.packets >= 140, `the engine relayed it to the caller (${toCaller?.packets})`);
  t.ok(toCaller && (toCaller.payloadTypes[0] ?? 0) > 0, 'the caller gets PCMU');

  await phone.stop();
  const dec = (await phone.recordings()).find((f) => f.endsWith('-dec.wav'));
  t.ok(dec, 'baresip recorded what it heard');
  if (dec) t.ok((await rmsAmplitude(dec)) > 0.02, 'the agent heard the caller\'s tone');
  await assertNoLeaks(t, engine);
});
