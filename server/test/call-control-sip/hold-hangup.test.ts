// Hold and hang up over real SIP and RTP: a SIPp customer answered by a
// baresip agent; through the REST API the agent puts the customer on hold
// (Tenor keeps sending them RTP: the queue's music, not silence), takes them
// off hold (the call record counts the hold time), then hangs up (the
// customer gets a BYE; the agent goes to wrap-up).
import t from 'tap';
import { rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { finished, ms, sleep, within } from '../acd-sip/site.js';
import { customer, readyAgent, startControlSite } from './site.js';

t.test('hold plays music to the customer, unhold counts hold time, hangup from the API ends the call', async (t) => {
  const s = await startControlSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 30 }],
    agents: [{ login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const phone = await readyAgent(t, s, 'ann');
  const capture = await startCapture({ portRange: s.rtp, snaplen: 400 });
  t.teardown(() => capture.dispose());

  const caller = await customer(t, s, { number: '+15550100', caller: '+31201110001' });
  const answered = await s.bus.wait('call_answered', () => true, 30_000);
  await sleep(1500);
  const view = await s.control('ann', 'GET', '');
  t.match(view, { status: 200, body: { callId: answered.payload.callId, queue: 'sales', kind: 'call', held: false, consult: null, caller: { number: '+31201110001' } } }, 'ann sees her call');
  t.match(await s.control('ann', 'POST', '/unhold'), { status: 409, body: { error: { code: 'TENOR_ERR_CALL_STATE' } } }, 'unhold before hold: 409');

  const held = await s.control('ann', 'POST', '/hold');
  t.match(held, { status: 200, body: { held: true } }, 'on hold');
  const holdFrom = Date.now();
  await sleep(3000);
  const holdTo = Date.now();
  t.match(await s.control('ann', 'POST', '/unhold'), { status: 200, body: { held: false } }, 'off hold');
  await sleep(1000);

  t.equal((await s.control('ann', 'POST', '/hangup')).status, 204, 'hang up through the API');
  await finished(caller, 'the customer (gets a BYE from Tenor)', 20_000);
  const ended = await s.bus.wait('call_ended', () => true, 10_000);
  t.equal(s.acd.agent('ann')?.state, 'wrap-up', 'ann goes to wrap-up');
  await within(phone.waitForEvent('CALL_CLOSED', { timeoutMs: 10_000 }), 12_000, "ann's phone hung up");
  t.match(await s.control('ann', 'GET', ''), { status: 404, body: { error: { code: 'TENOR_ERR_NO_CALL' } } }, 'no call any more');

  const record = await s.record(ended.payload.recordId);
  t.match(record, { outcome: 'answered', agent: 'ann', live: false }, 'the record: answered by ann');
  t.ok(record.holdSeconds !== null && Math.abs(record.holdSeconds - 3) <= 0.6, `holdSeconds ${record.holdSeconds} ≈ 3`);
  t.same(s.bus.of('call_control').map((e) => e.payload.action), ['hold', 'unhold', 'hangup'], 'call_control events');

  // What the customer got from Tenor while held: RTP every 20 ms, and not silence.
  const { packets } = await capture.stop();
  const rtp = rtpPackets(packets.filter((p) => p.timeMs >= holdFrom + 300 && p.timeMs <= holdTo - 100));
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isPhone = (port: number): boolean => port >= phone.rtpPorts.from && port <= phone.rtpPorts.to;
  const toCustomer = rtp.filter((p) => inTenor(p.srcPort) && !isPhone(p.dstPort) && !inTenor(p.dstPort) && p.payloadType === 0);
  const expected = (holdTo - 100 - (holdFrom + 300)) / 20;
  t.ok(toCustomer.length >= expected * 0.85, `the customer kept getting RTP on hold: ${toCustomer.length} packets (expected ≈ ${Math.round(expected)})`);
  const audible = toCustomer.filter((p) => new Set(p.payload).size > 8).length;
  t.ok(audible >= toCustomer.length * 0.8, `music, not silence: ${audible} of ${toCustomer.length} packets carry sound`);
  const toPhone = rtp.filter((p) => inTenor(p.srcPort) && isPhone(p.dstPort) && p.payloadType === 0);
  const callerSent = new Set(rtp.filter((p) => !inTenor(p.srcPort) && !isPhone(p.srcPort) && p.payloadType === 0).map((p) => p.payload.toString('hex')));
  t.ok(toPhone.filter((p) => callerSent.has(p.payload.toString('hex'))).length <= 2, 'ann does not hear the customer while on hold');
  t.ok(ms(record.answeredAt) <= holdFrom, 'answered before the hold');
});
