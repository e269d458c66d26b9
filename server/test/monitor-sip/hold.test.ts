// Monitoring across hold: holding unbridges the customer and the agent
// (docs/acd.md, call controls), so the supervisor stays on the line, hears
// nothing while the customer hears music, and is joined again, in the mode
// last asked for, when the agent takes the customer off hold. The agent
// hanging up their phone ends the monitor. An admin monitors the same call
// from a number through the trunk (a SIPp phone network answers). Real SIP and
// RTP, tones on the wire.
import t from 'tap';
import path from 'node:path';
import { Baresip, makeToneUlaw, rtpPackets, startCapture, type RtpPacket } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { agentPhone, caller, homeNetwork, sleep, trunkTo, within } from '../acd-sip/site.js';
import { pcmOf, startMonitorSite, toneShare } from './harness.js';
import { deviceSecret } from '../sip-devices.js';

const CALLER_HZ = 700;
const AGENT_HZ = 440;
const SUPERVISOR_HZ = 1200;
const sue = { username: 'sue', password: 'sue-secret-1' };
const ann = { username: 'ann', password: 'ann-secret-word' };
const admin = { username: 'admin', password: 'pw-admin-secret' }; // testConfig's admin password (ADMIN_AUTH)

t.test('a monitor survives hold and rejoins the call in its latest mode; the agent hanging up ends it', async (t) => {
  const home = await homeNetwork(t);
  const s = await startMonitorSite(t, {
    trunks: [trunkTo(home)],
    dialing: { allow: ['+1555'] }, // the supervisor's number is in the fictional 555 range
    queues: [{ name: 'sales', ringTimeoutSeconds: 10 }],
    agents: [{ login: 'ann', name: 'Ann', password: ann.password, queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  }, [{ ...sue, role: 'supervisor' }]);
  const annPhone = await agentPhone(t, s, 'ann'); // 440 Hz
  const suePhone = await Baresip.start({ user: 'sue', registrar: s.sip, password: deviceSecret('sue'), registerIntervalS: 300, autoAnswer: true, mic: { sineHz: SUPERVISOR_HZ } });
  t.teardown(() => suePhone.stop());
  t.equal(await suePhone.waitForRegistration(15_000), 'ok', "the supervisor's softphone registered");

  const tone = await makeToneUlaw(path.join(tempDir(t), 'caller.ul'), { seconds: 1, frequency: CALLER_HZ });
  const capture = await startCapture({ portRange: s.rtp });
  t.teardown(() => capture.dispose());
  await s.setState('ann', 'ready');
  const callerProc = await caller(t, s, { number: '+15550100', caller: '+31201110001', stayMs: 40_000, toneFile: tone });
  const { payload: { callId } } = await s.bus.wait('call_answered');
  await within((async () => { while (!s.acd.connectedLegs('ann')) await sleep(50); })(), 10_000, 'the bridge');

  // The admin has no softphone registered: Tenor cannot reach them.
  const unreachable = await s.request(admin, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.match(unreachable, { status: 409, body: { error: { code: 'TENOR_ERR_MONITOR_UNREACHABLE' } } }, `no softphone registered: 409 (${JSON.stringify(unreachable.body)})`);
  // ...so they give a number: Tenor dials it through the trunk and joins them once it answers.
  const byNumber = await s.request(admin, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen', device: { number: '+15550199', trunk: 'home' } });
  t.match(byNumber, { status: 201, body: { supervisor: 'admin', mode: 'listen', callId } }, 'the admin monitors from a number through the trunk');
  const adminId = String(byNumber.body['id']);

  const started = await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' });
  t.equal(started.status, 201, 'listen started');
  const id = String(started.body['id']);
  t.equal((await s.request(sue, 'GET', '/api/monitors')).body.length, 2, 'two monitors on the call');
  t.equal((await s.request(sue, 'POST', `/api/monitors/${adminId}`, { mode: 'barge' })).status, 403, "a supervisor may not switch someone else's monitor");
  t.same(s.services.get('monitoring').monitorsOf('ann'), [{ id: adminId, supervisor: 'admin', mode: 'listen' }, { id, supervisor: 'sue', mode: 'listen' }], 'monitorsOf(ann) lists both monitors');
  await sleep(2000);

  const held = await s.request(ann, 'POST', '/api/agents/ann/call/hold');
  t.match(held, { status: 200, body: { held: true } }, 'the agent put the customer on hold');
  const holdAt = Date.now();
  t.match(await s.request(sue, 'POST', `/api/monitors/${id}`, { mode: 'barge' }), { status: 200, body: { mode: 'barge' } }, 'mode changed to barge while on hold');
  t.match(await s.request(sue, 'POST', '/api/agents/ann/call/monitor', { mode: 'listen' }), { status: 409 }, 'a second monitor while on hold: 409');
  await sleep(2500);
  t.match(await s.request(sue, 'GET', '/api/monitors'), { status: 200, body: [{ id: adminId, mode: 'listen' }, { id, mode: 'barge' }] }, 'the monitors last through the hold');
  t.notOk(suePhone.events.some((e) => e.type === 'CALL_CLOSED'), "the supervisor's phone stays up");

  const unheld = await s.request(ann, 'POST', '/api/agents/ann/call/unhold');
  t.match(unheld, { status: 200, body: { held: false } }, 'the agent took the customer off hold');
  const unholdAt = Date.now();
  await sleep(3000);

  // The agent hangs up their phone: the monitor ends and Tenor hangs up the supervisor's leg.
  const mark = suePhone.mark();
  const endedMark = s.bus.events.length;
  await annPhone.hangup();
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === id, 10_000, endedMark)).payload, { id, callId, mode: 'barge', reason: 'call-ended' }, 'monitor_ended when the agent hung up');
  t.match((await s.bus.wait('monitor_ended', (p) => p.id === adminId, 10_000, endedMark)).payload, { id: adminId, reason: 'call-ended' }, "the admin's monitor ended too");
  await suePhone.waitForEvent('CALL_CLOSED', { from: mark, timeoutMs: 5000 });
  t.pass("the supervisor's leg was hung up");
  const endAt = Date.now();

  const { packets } = await capture.stop();
  const rtp = rtpPackets(packets);
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isAnn = (port: number): boolean => port >= annPhone.rtpPorts.from && port <= annPhone.rtpPorts.to;
  const isSue = (port: number): boolean => port >= suePhone.rtpPorts.from && port <= suePhone.rtpPorts.to;
  const isCaller = (port: number): boolean => port === callerProc.mediaPort;
  const isHome = (port: number): boolean => port === home.mediaPort;
  const sent = (to: (port: number) => boolean, from: number, until: number): RtpPacket[] =>
    rtp.filter((p) => inTenor(p.srcPort) && to(p.dstPort) && p.timeMs >= from + 500 && p.timeMs <= until - 300);
  const heard = (to: (port: number) => boolean, from: number, until: number) => {
    const pcm = pcmOf(sent(to, from, until));
    return { caller: toneShare(pcm, CALLER_HZ), agent: toneShare(pcm, AGENT_HZ), supervisor: toneShare(pcm, SUPERVISOR_HZ), seconds: pcm.length / 8000 };
  };
  const show = (h: ReturnType<typeof heard>): string =>
    `${h.seconds.toFixed(1)} s; shares caller ${h.caller.toFixed(2)} agent ${h.agent.toFixed(2)} supervisor ${h.supervisor.toFixed(2)}`;

  const onHold = { sue: heard(isSue, holdAt, unholdAt), caller: heard(isCaller, holdAt, unholdAt) };
  t.ok(onHold.sue.caller < 0.02 && onHold.sue.agent < 0.02, `on hold: the supervisor hears neither party (${show(onHold.sue)})`);
  t.ok(onHold.caller.supervisor < 0.02 && onHold.caller.agent < 0.02, `on hold: the customer hears neither the agent nor the supervisor (${show(onHold.caller)})`);
  const back = { sue: heard(isSue, unholdAt, endAt), caller: heard(isCaller, unholdAt, endAt) };
  t.ok(back.sue.caller >= 0.1 && back.sue.agent >= 0.1, `off hold: the supervisor hears both again (${show(back.sue)})`);
  t.ok(back.caller.supervisor >= 0.1 && back.caller.agent >= 0.1, `off hold: barge applies, the customer hears the supervisor and the agent (${show(back.caller)})`);
  const adminHears = heard(isHome, unholdAt, endAt);
  t.ok(adminHears.caller >= 0.1 && adminHears.agent >= 0.1, `the admin's number hears the caller and the agent (${show(adminHears)})`);
});
