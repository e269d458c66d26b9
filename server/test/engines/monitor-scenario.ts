// Supervisor monitoring over real SIP and RTP, on any engine. A SIPp caller
// streams a 700 Hz tone to a queue (through the carrier); the agent's baresip softphone answers and
// sends 440 Hz; the supervisor's registered baresip softphone sends 1200 Hz.
// Captured on the wire, the tones show what the engine sent to whom in each
// mode: listen (the supervisor hears both, nobody hears them), whisper (the
// agent hears them, the caller does not), barge (both do). Then the supervisor
// stops, hangs up themself, and finally the caller's hang-up ends the last
// monitor. Run by monitor-sip/monitor.test.ts (embedded engine) and
// freeswitch/listen.test.ts.
import path from 'node:path';
import type { Test } from 'tap';
import { Baresip, makeToneUlaw, rtpPackets, startCapture, type RtpPacket } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { agentPhone, caller, finished, sleep, within } from '../acd-sip/site.js';
import { pcmOf, startMonitorSite, toneShare } from '../monitor-sip/harness.js';
import { deviceSecret } from '../sip-devices.js';
import { CARRIER_ADDRESS, carrierTrunk, runsOn, type TestEngine } from './engine.js';

const CALLER_HZ = 700;
const AGENT_HZ = 440;
const SUPERVISOR_HZ = 1200;

export const sue = { username: 'sue', password: 'sue-secret-1' };
export const ann = { username: 'ann', password: 'ann-secret-word' };

export const LISTEN_WHISPER_BARGE = 'a supervisor listens, whispers to the agent and barges in on a connected call';

export async function monitorScenario(t: Test, engine: TestEngine): Promise<void> {
  const s = await startMonitorSite(t, engine.site({
    queues: [{ name: 'sales', ringTimeoutSeconds: 10 }],
    agents: [{ login: 'ann', name: 'Ann', password: ann.password, queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
    trunks: [carrierTrunk],
  }), [{ ...sue, role: 'supervisor' }]);
  runsOn(t, engine, s.engine);
  const annPhone = await agentPhone(t, s, 'ann'); // its microphone: an endless 440 Hz sine
  const suePhone = await Baresip.start({ user: 'sue', registrar: s.sip, password: deviceSecret('sue'), registerIntervalS: 300, autoAnswer: true, mic: { sineHz: SUPERVISOR_HZ } });
  t.teardown(() => suePhone.stop());
  t.equal(await suePhone.waitForRegistration(15_000), 'ok', "the supervisor's softphone registered");

  // Before any call: nothing to monitor.
  const early = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.match(early, { status: 404, body: { error: { code: 'TENOR_ERR_NO_CALL' } } }, 'no connected call: 404 TENOR_ERR_NO_CALL');

  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: CALLER_HZ });
  const capture = await startCapture({ portRange: s.rtp });
  t.teardown(() => capture.dispose());
  await s.setState('ann', 'ready');
  const callerProc = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 22_000, toneFile: tone, localAddress: CARRIER_ADDRESS });
  const answered = await s.bus.wait('call_answered');
  await within((async () => { while (!s.acd.connectedLegs('ann')) await sleep(50); })(), 10_000, 'the bridge');
  const callId = answered.payload.callId;

  // An agent may not monitor, not even their own call.
  const byAgent = await s.request(ann, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(byAgent.status, 403, 'an agent gets 403');

  // Listen: Tenor calls sue's softphone; the request returns once she hears the call.
  const mark = suePhone.mark();
  const started = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(started.status, 201, `listen started (${JSON.stringify(started.body)})`);
  t.match(started.body, { agent: 'ann', callId, mode: 'listen', supervisor: 'sue' }, 'the monitor names the agent, the call and the supervisor');
  const id = String(started.body['id']);
  await suePhone.waitForEvent('CALL_ESTABLISHED', { from: mark, timeoutMs: 5000 });
  t.pass("the supervisor's softphone rang and answered");
  t.match((await s.bus.wait('monitor_started')).payload, { id, agent: 'ann', callId, mode: 'listen', supervisor: 'sue' }, 'monitor_started on the bus');
  t.same(s.services.get('monitoring').monitorsOf('ann'), [{ id, supervisor: 'sue', mode: 'listen' }], 'monitorsOf(ann) lists it for the call view');
  t.match(await s.request(sue, 'GET', '/api/monitors'), { status: 200, body: [{ id, mode: 'listen' }] }, 'GET /api/monitors lists it');

  const again = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'barge' });
  t.match(again, { status: 409, body: { error: { code: 'TENOR_ERR_CALL_STATE' } } }, 'monitoring the same call twice: 409');

  await sleep(3000);
  const whisper = await s.request(sue, 'POST', `/api/monitors/${id}`, { mode: 'whisper' });
  t.match(whisper, { status: 200, body: { id, mode: 'whisper' } }, 'switched to whisper');
  await sleep(3000);
  const barge = await s.request(sue, 'POST', `/api/monitors/${id}`, { mode: 'barge' });
  t.match(barge, { status: 200, body: { id, mode: 'barge' } }, 'switched to barge');
  const changes = await s.bus.atLeast('monitor_changed', 2, 5000, (p) => p.id === id);
  t.same(changes.map((e) => e.payload.mode), ['whisper', 'barge'], 'monitor_changed for each switch');
  await sleep(3000);

  // DELETE: the monitor ends and Tenor hangs up the supervisor's phone.
  const closedMark = suePhone.mark();
  t.equal((await s.request(sue, 'DELETE', `/api/monitors/${id}`)).status, 204, 'DELETE ends the monitor');
  await suePhone.waitForEvent('CALL_CLOSED', { from: closedMark, timeoutMs: 5000 });
  t.pass("the supervisor's phone was hung up");
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === id)).payload, { id, mode: 'barge', reason: 'stopped' }, 'monitor_ended (stopped)');
  t.equal((await s.request(sue, 'POST', `/api/monitors/${id}`, { mode: 'listen' })).status, 404, 'the ended monitor is gone');

  // The supervisor hangs up their phone: the monitor ends by itself.
  const second = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(second.status, 201, 'monitoring again after a stop');
  const id2 = String(second.body['id']);
  await suePhone.hangup();
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === id2, 5000)).payload, { id: id2, reason: 'supervisor-hung-up' }, 'monitor_ended (the supervisor hung up)');
  t.same(s.services.get('monitoring').monitorsOf('ann'), [], 'no monitor left on the call');

  // The caller hangs up: the last monitor ends and the supervisor's leg is hung up.
  const third = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(third.status, 201, 'a third monitor');
  const id3 = String(third.body['id']);
  const lastMark = suePhone.mark();
  await finished(callerProc, 'the caller', 30_000);
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === id3, 10_000)).payload, { id: id3, callId, reason: 'call-ended' }, 'monitor_ended when the caller hung up');
  await suePhone.waitForEvent('CALL_CLOSED', { from: lastMark, timeoutMs: 5000 });
  t.pass("the supervisor's leg was hung up with the call");
  const gone = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.match(gone, { status: 404, body: { error: { code: 'TENOR_ERR_NO_CALL' } } }, 'after the call: 404 TENOR_ERR_NO_CALL');

  // What crossed the wire in each mode (a margin at each switch for the mixer and the network).
  const { packets } = await capture.stop();
  const rtp = rtpPackets(packets);
  const at = (type: 'monitor_started' | 'monitor_changed' | 'monitor_ended', match: (p: { id: string; mode: string }) => boolean): number =>
    Date.parse(s.bus.of(type, match)[0]?.at ?? '');
  const listenFrom = at('monitor_started', (p) => p.id === id);
  const whisperFrom = at('monitor_changed', (p) => p.id === id && p.mode === 'whisper');
  const bargeFrom = at('monitor_changed', (p) => p.id === id && p.mode === 'barge');
  const endAt = at('monitor_ended', (p) => p.id === id);
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isAnn = (port: number): boolean => port >= annPhone.rtpPorts.from && port <= annPhone.rtpPorts.to;
  const isSue = (port: number): boolean => port >= suePhone.rtpPorts.from && port <= suePhone.rtpPorts.to;
  const isCaller = (port: number): boolean => port === callerProc.mediaPort;
  const sent = (to: (port: number) => boolean, from: number, until: number): RtpPacket[] =>
    rtp.filter((p) => inTenor(p.srcPort) && to(p.dstPort) && p.timeMs >= from + 500 && p.timeMs <= until - 300);
  const heard = (to: (port: number) => boolean, from: number, until: number) => {
    const pcm = pcmOf(sent(to, from, until));
    return { caller: toneShare(pcm, CALLER_HZ), agent: toneShare(pcm, AGENT_HZ), supervisor: toneShare(pcm, SUPERVISOR_HZ), seconds: pcm.length / 8000 };
  };
  const show = (h: ReturnType<typeof heard>): string =>
    `${h.seconds.toFixed(1)} s; shares caller ${h.caller.toFixed(2)} agent ${h.agent.toFixed(2)} supervisor ${h.supervisor.toFixed(2)}`;
  const PRESENT = 0.1;
  const ABSENT = 0.02;

  const listen = { sue: heard(isSue, listenFrom, whisperFrom), ann: heard(isAnn, listenFrom, whisperFrom), caller: heard(isCaller, listenFrom, whisperFrom) };
  t.ok(listen.sue.seconds >= 2, `listen: the supervisor got audio (${show(listen.sue)})`);
  t.ok(listen.sue.caller >= PRESENT && listen.sue.agent >= PRESENT, `listen: the supervisor hears the caller and the agent (${show(listen.sue)})`);
  t.ok(listen.ann.supervisor < ABSENT, `listen: the agent does not hear the supervisor (${show(listen.ann)})`);
  t.ok(listen.caller.supervisor < ABSENT, `listen: the caller does not hear the supervisor (${show(listen.caller)})`);

  const whisp = { ann: heard(isAnn, whisperFrom, bargeFrom), caller: heard(isCaller, whisperFrom, bargeFrom), sue: heard(isSue, whisperFrom, bargeFrom) };
  t.ok(whisp.ann.supervisor >= PRESENT && whisp.ann.caller >= PRESENT, `whisper: the agent hears the supervisor over the caller (${show(whisp.ann)})`);
  t.ok(whisp.caller.supervisor < ABSENT && whisp.caller.agent >= PRESENT, `whisper: the caller hears the agent, not the supervisor (${show(whisp.caller)})`);
  t.ok(whisp.sue.caller >= PRESENT && whisp.sue.agent >= PRESENT, `whisper: the supervisor still hears both (${show(whisp.sue)})`);

  const bargeIn = { ann: heard(isAnn, bargeFrom, endAt), caller: heard(isCaller, bargeFrom, endAt) };
  t.ok(bargeIn.caller.supervisor >= PRESENT && bargeIn.caller.agent >= PRESENT, `barge: the caller hears the supervisor and the agent (${show(bargeIn.caller)})`);
  t.ok(bargeIn.ann.supervisor >= PRESENT && bargeIn.ann.caller >= PRESENT, `barge: the agent hears the supervisor and the caller (${show(bargeIn.ann)})`);

  const after = heard(isCaller, endAt, endAt + 2500);
  t.ok(after.supervisor < ABSENT, `after DELETE: the caller no longer hears the supervisor (${show(after)})`);
}
