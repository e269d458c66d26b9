// Attended transfer over real SIP: ann (baresip) has a SIPp customer and
// consults bob (baresip): the customer waits on hold while ann and bob talk.
// Cancel: bob's phone is hung up and ann is back with the customer. Consult
// again and complete: the customer hears bob (his RTP reaches them), ann goes
// to wrap-up, and bob has the call with its controls until he hangs up.
import t from 'tap';
import { rtpPackets, startCapture } from '../../../telephony/test/peers/index.js';
import { finished, sleep, within } from '../acd-sip/site.js';
import { customer, readyAgent, startControlSite } from './site.js';

t.test('consult, cancel back to the customer, consult again and complete', async (t) => {
  const s = await startControlSite(t, {
    queues: [{ name: 'sales', ringTimeoutSeconds: 10, wrapUpSeconds: 30 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'sales' }] },
    ],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  });
  const ann = await readyAgent(t, s, 'ann');
  const bob = await readyAgent(t, s, 'bob');
  await s.setState('bob', 'break');
  const caller = await customer(t, s, { number: '+15550100', caller: '+31201110001' });
  const answered = await s.bus.wait('call_answered', (p) => p.agent === 'ann', 30_000);
  const callId = answered.payload.callId;
  await s.setState('bob', 'ready');

  const target = { type: 'agent', agent: 'bob' };
  const consulting = await s.control('ann', 'POST', '/consult', { target });
  t.match(consulting, { status: 200, body: { held: true, consult: { target, state: 'dialing' } } }, 'consult: the customer on hold, bob dialed');
  await s.bus.wait('call_control', (p) => p.action === 'consult-answered', 20_000);
  t.match(await s.control('ann', 'GET', ''), { status: 200, body: { held: true, consult: { target, state: 'talking' } } }, 'ann talks to bob');
  t.equal(s.acd.agent('bob')?.state, 'on-call', 'bob is on the call');
  t.equal(s.acd.connectedLegs('ann'), undefined, 'the customer is not bridged to ann meanwhile');

  const bobMark = bob.mark();
  t.match(await s.control('ann', 'POST', '/consult/cancel'), { status: 200, body: { held: false, consult: null } }, 'cancel: back with the customer');
  await within(bob.waitForEvent('CALL_CLOSED', { from: bobMark, timeoutMs: 10_000 }), 12_000, "bob's phone hung up");
  t.equal(s.acd.agent('bob')?.state, 'ready', 'bob is free again');
  t.equal(s.acd.connectedLegs('ann')?.callId, callId, 'ann and the customer are bridged again');

  await s.control('ann', 'POST', '/consult', { target });
  const secondAnswer = s.bus.events.length;
  await s.bus.wait('call_control', (p) => p.action === 'consult-answered', 20_000, secondAnswer - 1);
  await within(bob.waitForEvent('CALL_RTPESTAB', { from: bobMark, timeoutMs: 10_000 }), 12_000, "RTP at bob's phone");
  const annMark = ann.mark();
  t.match(await s.control('ann', 'POST', '/consult/complete'), { status: 202, body: { transferred: true } }, 'complete');
  t.equal(s.acd.agent('ann')?.state, 'wrap-up', 'ann goes to wrap-up');
  await within(ann.waitForEvent('CALL_CLOSED', { from: annMark, timeoutMs: 10_000 }), 12_000, "ann's phone hung up");
  t.equal(s.acd.connectedLegs('bob')?.callId, callId, 'the customer and bob are bridged');
  t.match(await s.control('bob', 'GET', ''), { status: 200, body: { callId, held: false, consult: null } }, 'bob has the call with its controls');

  // The customer hears bob: what bob's phone sends reaches the customer.
  const capture = await startCapture({ portRange: s.rtp, snaplen: 400 });
  t.teardown(() => capture.dispose());
  await sleep(2000);
  const { packets } = await capture.stop();
  const rtp = rtpPackets(packets);
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isBob = (port: number): boolean => port >= bob.rtpPorts.from && port <= bob.rtpPorts.to;
  const isAnn = (port: number): boolean => port >= ann.rtpPorts.from && port <= ann.rtpPorts.to;
  const fromBob = new Set(rtp.filter((p) => isBob(p.srcPort) && inTenor(p.dstPort)).map((p) => p.payload.toString('hex')));
  const toCustomer = rtp.filter((p) => inTenor(p.srcPort) && !inTenor(p.dstPort) && !isBob(p.dstPort) && !isAnn(p.dstPort) && p.payloadType === 0);
  const heard = toCustomer.filter((p) => fromBob.has(p.payload.toString('hex'))).length;
  t.ok(toCustomer.length >= 60 && heard >= toCustomer.length * 0.9, `the customer gets bob's audio (${heard} of ${toCustomer.length} packets)`);

  await bob.hangup();
  await finished(caller, 'the customer (BYE when bob hangs up)', 20_000);
  const ended = await s.bus.wait('call_ended', () => true, 10_000);
  const record = await s.record(ended.payload.recordId);
  t.match(record, { outcome: 'answered', agent: 'ann', live: false }, 'the record: answered by ann');
  t.ok((record.holdSeconds ?? 0) > 0, `hold during the consults counted (${record.holdSeconds} s)`);
  t.same(record.segments.map((g) => [g.kind, g.agent, g.outcome]), [
    ['queue', null, 'answered'], ['agent', 'ann', 'transferred'], ['agent', 'bob', 'consult-cancelled'], ['agent', 'bob', 'answered'], ['transfer', 'ann', 'connected'],
  ], 'segments: ann, bob consulted and cancelled, bob consulted and given the call, the transfer');
  t.same(record.segments.find((g) => g.kind === 'transfer')?.detail, { mode: 'attended', target });
  t.same(s.bus.of('call_control').map((e) => e.payload.action), ['consult', 'consult-answered', 'consult-cancel', 'consult', 'consult-answered', 'consult-complete']);
});
