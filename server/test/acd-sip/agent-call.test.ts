// GIVEN an agent with a baresip softphone and a customer behind the trunk
// (SIPp answering and speaking a tone), THEN a call the agent places from the
// desktop rings the agent first, then the customer with the caller ID
// desk.outbound presents; they hear each other (the RTP each side gets carries
// what the other sent); the record has the agent, direction outbound and the
// customer; the disposition set in wrap-up is on the customer's timeline.
// A number the dialing policy refuses is never dialed; nobody places a call
// as another agent; a second call while on one is refused.
import t from 'tap';
import path from 'node:path';
import { makeToneUlaw, rtpPackets, startCapture, startGreetingCallee } from '../../../telephony/test/peers/index.js';
import { tempDir } from '../helpers.js';
import { agentPhone, ms, startSite, within } from './site.js';

const basic = (user: string, password: string): { authorization: string } => ({ authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') });
const ANN = basic('ann', 'ann-secret-word');
const BOB = basic('bob', 'bob-secret-word');

t.test('an agent calls a customer from the desktop: their phone first, then the customer; they talk; the record is theirs', async (t) => {
  const tone = await makeToneUlaw(path.join(tempDir(t), 'customer.ul'), { seconds: 8, frequency: 600 });
  const customerPhone = await startGreetingCallee({ greeting: tone, ringMs: 1000, timeoutMs: 120_000, sipp: { traceMessages: true } });
  t.teardown(() => customerPhone.stop(2000));
  const s = await startSite(t, {
    dialing: { country: 'DE' },
    desk: { outbound: { callerId: '+49301110000', queues: { sales: '+49302220000' } } },
    trunks: [{ name: 'home', host: '127.0.0.1', port: customerPhone.port }],
    queues: [{ name: 'sales', ringTimeoutSeconds: 15, wrapUpSeconds: 30 }],
    agents: [
      { login: 'ann', name: 'Ann', password: 'ann-secret-word', queues: [{ queue: 'sales' }] },
      { login: 'bob', name: 'Bob', password: 'bob-secret-word', queues: [{ queue: 'sales' }] },
    ],
  });
  const customer = await s.crm.create('Customer', { name: 'Clara Kunde', phones: ['+49301234567'] });
  const phone = await agentPhone(t, s, 'ann');
  await s.setState('ann', 'ready');

  const place = (auth: { authorization: string }, login: string, number: string) =>
    s.app.inject({ method: 'POST', url: `/api/agents/${login}/calls`, headers: auth, payload: { number } });

  await t.test('nobody places a call as another agent', async (t) => {
    const res = await place(BOB, 'ann', '030 1234-567');
    t.equal(res.statusCode, 403, 'bob cannot ring ann and dial for her');
    t.equal(s.bus.of('call_offered').length, 0, 'nothing was offered');
  });

  await t.test('a number the dialing policy refuses is never dialed', async (t) => {
    const res = await place(ANN, 'ann', '+33 1 23 45 67 89');
    t.equal(res.statusCode, 403);
    t.match(JSON.parse(res.body), { error: { code: 'TENOR_ERR_DIALING_REFUSED' } });
    t.match(s.bus.of('dialing_refused').at(-1)?.payload, { number: '+33123456789', purpose: 'agent-call', agent: 'ann' }, 'dialing_refused published');
    t.equal(s.bus.of('call_offered').length, 0, "ann's phone did not ring");
    t.equal((await s.agentView('ann')).state, 'ready', 'ann is still ready');
  });

  await t.test("an agent's scheduled callbacks are theirs only", async (t) => {
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const past = new Date(Date.now() - 600_000).toISOString();
    const later = await s.app.inject({ method: 'POST', url: '/api/agents/ann/callbacks', headers: ANN, payload: { number: '030 1234-567', dueAt: due, note: 'tariff question' } });
    t.equal(later.statusCode, 201, later.body);
    const early = await s.app.inject({ method: 'POST', url: '/api/agents/ann/callbacks', headers: ANN, payload: { number: '(030) 7654321', dueAt: past } });
    const earlyId = (JSON.parse(early.body) as { id: string }).id;
    const list = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/agents/ann/callbacks', headers: ANN })).body) as { id: string; number: string; overdue: boolean; customer: unknown }[];
    t.match(list, [{ number: '+49307654321', overdue: true }, { number: '+49301234567', overdue: false }], 'in due order, the overdue one marked, numbers in E.164');
    t.equal((await s.app.inject({ method: 'GET', url: '/api/agents/ann/callbacks', headers: BOB })).statusCode, 403, "bob cannot list ann's callbacks");
    t.equal((await s.app.inject({ method: 'PATCH', url: `/api/agents/ann/callbacks/${earlyId}`, headers: BOB, payload: { status: 'closed', reason: 'x' } })).statusCode, 403, "nor close them as ann");
    t.equal((await s.app.inject({ method: 'PATCH', url: `/api/agents/bob/callbacks/${earlyId}`, headers: BOB, payload: { status: 'closed', reason: 'x' } })).statusCode, 404, 'nor through his own list');
    t.equal((await s.app.inject({ method: 'POST', url: '/api/agents/ann/callbacks', headers: ANN, payload: { number: '0900 1234567', dueAt: due } })).statusCode, 403, 'a premium-rate number is not kept');
    const viaBob = await s.app.inject({ method: 'POST', url: '/api/agents/bob/calls', headers: BOB, payload: { number: '030 7654321', callbackId: earlyId } });
    t.equal(viaBob.statusCode, 404, "bob cannot call ann's callback as his");
    t.equal(s.bus.of('call_offered').length, 0, 'nothing rang');
    const closed = await s.app.inject({ method: 'PATCH', url: `/api/agents/ann/callbacks/${earlyId}`, headers: ANN, payload: { status: 'closed', reason: 'customer called in' } });
    t.match(JSON.parse(closed.body), { status: 'closed', closeReason: 'customer called in' }, 'ann closes one with a reason');
    const moved = await s.app.inject({ method: 'PATCH', url: `/api/agents/ann/callbacks/${(JSON.parse(later.body) as { id: string }).id}`, headers: ANN, payload: { dueAt: past } });
    t.match(JSON.parse(moved.body), { status: 'open', dueAt: past.replace(/\.\d+Z$/, '') }, 'and reschedules the other');
    const left = JSON.parse((await s.app.inject({ method: 'GET', url: '/api/agents/ann/callbacks', headers: ANN })).body) as unknown[];
    t.equal(left.length, 1, 'the closed one is off her list');
  });

  const capture = await startCapture({ portRange: s.rtp });
  t.teardown(() => capture.dispose());
  // Typed as a person in Berlin writes it; the site is in DE.
  const placing = place(ANN, 'ann', '030 1234-567');
  const offered = await s.bus.wait('call_offered', (p) => p.agents.includes('ann'));
  t.match(offered.payload, { direction: 'outbound', number: '+49301234567', queue: 'sales' }, 'ann is offered her own call first');
  const res = await within(placing, 60_000, 'the call to be placed');
  t.equal(res.statusCode, 201, res.body);
  const placed = JSON.parse(res.body) as { recordId: string; callId: string; number: string; customer: { id: string; name: string } | null };
  t.match(placed, { number: '+49301234567', queue: 'sales', customer: { id: String(customer.id), name: 'Clara Kunde' } }, 'the customer is matched by the number');
  t.equal((await s.agentView('ann')).state, 'on-call', 'ann is on call: offered no inbound caller meanwhile');
  const order = s.bus.events.map((e) => e.type).filter((x) => x === 'call_offered' || x === 'call_answered');
  t.same(order, ['call_offered', 'call_answered'], 'the agent was rung before the customer answered');

  await t.test('a second call while on one is refused', async (t) => {
    const again = await place(ANN, 'ann', '030 7654-321');
    t.equal(again.statusCode, 409);
    t.match(JSON.parse(again.body), { error: { code: 'TENOR_ERR_AGENT_BUSY' } });
  });

  // They talk for 4 s, then ann hangs up.
  await new Promise((r) => setTimeout(r, 4000));
  const hangup = await s.app.inject({ method: 'POST', url: '/api/agents/ann/call/hangup', headers: ANN });
  t.equal(hangup.statusCode, 204, hangup.body);
  await s.bus.wait('call_ended', (p) => p.recordId === placed.recordId);
  const result = await within(customerPhone.done, 30_000, 'the customer to hang up');
  t.equal(result.code, 0, 'the customer got our BYE');
  const invite = result.messages.split(/\n(?=INVITE )/).find((m) => m.startsWith('INVITE ')) ?? result.messages;
  t.match(invite, /INVITE sip:\+?49301234567@/, 'the customer was dialed in E.164');
  t.match(invite, /From:[^\n]*\+49302220000/, "the caller ID is the queue's desk.outbound number");
  const { packets } = await capture.stop();

  // Wrap-up: the disposition goes on the call's entry in the customer's timeline (as the desktop's notes form does).
  t.equal((await s.agentView('ann')).state, 'wrap-up', 'ann wraps up');
  const entry = await within((async () => {
    for (;;) {
      const res = await s.app.inject({ method: 'GET', url: `/api/interactions?customer=${customer.id}`, headers: ANN });
      const found = (JSON.parse(res.body) as { items: { id: number; callId: string | null; direction: string; agent: string | null }[] }).items.find((i) => i.callId === placed.callId);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 200));
    }
  })(), 20_000, "the call on the customer's timeline");
  t.match(entry, { direction: 'outbound', agent: 'ann' }, "the call is on the customer's timeline, outbound, by ann");
  const note = await s.app.inject({ method: 'PATCH', url: `/api/interactions/${entry.id}`, headers: ANN, payload: { notes: 'Offered the new tariff', disposition: 'tariff-offered' } });
  t.equal(note.statusCode, 200, note.body);

  const record = (await s.calls()).find((c) => c.id === placed.recordId);
  t.match(record, { direction: 'outbound', to: '+49301234567', from: '+49302220000', agent: 'ann', queue: 'sales', customerId: String(customer.id), outcome: 'answered', live: false },
    'the record: outbound, by ann, to the number, for the customer, answered');
  const mine = await s.app.inject({ method: 'GET', url: '/api/calls', headers: ANN });
  t.ok((JSON.parse(mine.body) as { id: string }[]).some((c) => c.id === placed.recordId), "the call is in ann's own history");
  const timeline = await s.app.inject({ method: 'GET', url: `/api/interactions?customer=${customer.id}`, headers: ANN });
  t.match(timeline.body, /tariff-offered/, "the disposition is on the customer's timeline");

  // Audio both ways, by content: what ann's phone gets is what the customer sent, and the other way round.
  if (!record) return;
  const from = ms(record.answeredAt) + 500;
  const to = ms(record.endedAt) - 300;
  const window = rtpPackets(packets.filter((p) => p.timeMs >= from && p.timeMs <= to)).filter((p) => p.payloadType === 0);
  const inTenor = (port: number): boolean => port >= s.rtp.from && port <= s.rtp.to;
  const isPhone = (port: number): boolean => port >= phone.rtpPorts.from && port <= phone.rtpPorts.to;
  const isCustomer = (port: number): boolean => !inTenor(port) && !isPhone(port);
  const hex = (pred: (p: { srcPort: number; dstPort: number }) => boolean): string[] => window.filter(pred).map((p) => p.payload.toString('hex'));
  const customerSent = new Set(hex((p) => isCustomer(p.srcPort) && inTenor(p.dstPort)));
  const toAgent = hex((p) => inTenor(p.srcPort) && isPhone(p.dstPort));
  const agentHeard = toAgent.filter((h) => customerSent.has(h)).length;
  t.ok(toAgent.length > 100 && agentHeard >= toAgent.length * 0.9, `ann hears the customer (${agentHeard} of ${toAgent.length} packets carry their audio)`);
  const agentSent = new Set(hex((p) => isPhone(p.srcPort) && inTenor(p.dstPort)));
  const toCustomer = hex((p) => inTenor(p.srcPort) && isCustomer(p.dstPort));
  const customerHeard = toCustomer.filter((h) => agentSent.has(h)).length;
  t.ok(toCustomer.length > 100 && customerHeard >= toCustomer.length * 0.9, `the customer hears ann (${customerHeard} of ${toCustomer.length} packets carry her audio)`);
});
