// GET /api/events over a real port with real `ws` clients: the snapshot by
// role, coalescing to at most 10 messages a second with the latest state
// kept, a fresh snapshot on reconnect, keep-alive, and the socket closing
// (4401) when its session expires or logs out.

import t from 'tap';
import type { LiveSnapshot } from '../../src/services/live-events/index.js';
import { LiveSocket, login, seedPeople, startAccessServer } from '../access/harness.js';

type AnyEvent = { type: string; payload: { login?: string; to?: string; queue?: string; waiting?: number } };

t.test('on connect a supervisor gets every agent and queue, an agent their own agent and queues', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  await server.services.get('acd').login('bob', { breakReason: 'lunch' });
  const sue = await login(server, 'sue');
  const ann = await login(server, 'ann');

  const supervisor = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  const agent = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  for (const s of [supervisor, agent]) await s.until(() => s.snapshots().length === 1, 10_000, 'snapshot');
  t.equal(supervisor.messages[0]?.type, 'snapshot', 'the snapshot comes first');

  const all = supervisor.snapshots()[0]?.data as LiveSnapshot;
  t.match(all, { role: 'supervisor', username: 'sue', agent: null, current: null, calls: [] });
  t.match(all.agents, [{ login: 'ann', state: 'logged-out', queues: ['sales'] }, { login: 'bob', state: 'break', reason: 'lunch', queues: ['support'] }]);
  t.ok(typeof all.agents[1]?.timeInStateSeconds === 'number' && Date.parse(all.agents[1]?.since ?? '') > 0, 'state with time in state');
  t.match(all.queues, [{ queue: 'sales', waiting: 0, calls: [] }, { queue: 'support', waiting: 0, agentsLoggedIn: 1, agentsOnBreak: 1, calls: [] }]);
  t.ok(all.campaigns === null || Array.isArray(all.campaigns), 'campaigns: a list when the campaigns service can give one');

  const own = agent.snapshots()[0]?.data as LiveSnapshot;
  t.match(own, { role: 'agent', username: 'ann', agent: 'ann', current: null, campaigns: null });
  t.same(own.agents.map((a) => a.login), ['ann']);
  t.same(own.queues.map((q) => q.queue), ['sales'], "only the agent's queues");
});

t.test('200 events in a second reach a client in at most ~11 messages, ending with the latest state', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const sue = await login(server, 'sue');
  const socket = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  await socket.until(() => socket.snapshots().length === 1, 10_000, 'snapshot');

  const bus = server.services.get('events');
  const states = ['ready', 'break'] as const;
  const started = Date.now();
  let last: (typeof states)[number] = 'ready';
  for (let i = 0; i < 200; i++) {
    last = states[i % 2] ?? 'ready';
    bus.publish('agent_state_changed', { login: 'ann', from: states[(i + 1) % 2] ?? 'break', to: last, reason: `step ${i}`, callId: undefined, at: new Date().toISOString() });
    bus.publish('call_offer_missed', { callId: `c${i}`, entryId: `c${i}`, queue: 'sales', agent: 'ann', reason: 'no-answer' });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = Date.now() - started;
  const finalState = () => (socket.events() as AnyEvent[]).filter((e) => e.type === 'agent_state_changed').at(-1)?.payload;
  await socket.until(() => (socket.events() as AnyEvent[]).filter((e) => e.type === 'call_offer_missed').length === 200, 10_000, 'every event');
  const messages = socket.messages.filter((m) => m.type === 'events').length;
  t.comment(`${messages} messages for 400 events published over ${elapsed} ms`);
  t.ok(messages <= Math.ceil(elapsed / 100) + 2, `at most one message per 100 ms (${messages} in ${elapsed} ms)`);
  t.ok(messages <= 20, 'far fewer messages than events');
  t.match(finalState(), { login: 'ann', to: last, reason: 'step 199' }, 'the latest state arrived');
  const stateEvents = (socket.events() as AnyEvent[]).filter((e) => e.type === 'agent_state_changed').length;
  t.ok(stateEvents <= messages, `state changes of one agent collapse to one per message (${stateEvents})`);
  t.same((socket.events() as { type: string; payload: { callId?: string } }[]).filter((e) => e.type === 'call_offer_missed').map((e) => e.payload.callId),
    Array.from({ length: 200 }, (_, i) => `c${i}`), 'other events are all delivered, in order');
});

t.test('a client that reconnects gets a fresh snapshot', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const first = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await first.until(() => first.snapshots().length === 1, 10_000, 'snapshot');
  t.equal(first.snapshots()[0]?.data.agents[0]?.state, 'logged-out');
  first.ws.close();
  await first.until(() => first.closeCode !== undefined, 10_000, 'close');

  await server.services.get('acd').login('ann');
  const again = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await again.until(() => again.snapshots().length === 1, 10_000, 'snapshot');
  t.match(again.snapshots()[0]?.data.agents, [{ login: 'ann', state: 'ready' }], 'the new snapshot shows the state now');

  again.ws.send(JSON.stringify({ type: 'resync' }));
  await again.until(() => again.snapshots().length === 2, 10_000, 'second snapshot');
  t.pass('a client may ask for a fresh snapshot at any time');
  again.ws.send(JSON.stringify({ type: 'ping' }));
  await again.until(() => again.messages.some((m) => m.type === 'pong'), 10_000, 'pong');
  again.ws.send('gibberish');
  await again.until(() => again.messages.some((m) => m.type === 'error'), 10_000, 'error');
  t.match(again.messages.find((m) => m.type === 'error'), { code: 'TENOR_ERR_VALIDATION' });
});

t.test('keep-alive: clients answering pings stay, a silent one is dropped', async (t) => {
  const server = await startAccessServer(t, { liveEvents: { pingIntervalMs: 100 } });
  await seedPeople(server);
  const sue = await login(server, 'sue');
  const answering = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  const silent = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie }, { autoPong: false });
  await silent.until(() => silent.closeCode !== undefined, 10_000, 'the silent client dropped');
  t.equal(silent.closeCode, 1006, 'terminated');
  t.equal(answering.closeCode, undefined, 'the answering client is still connected');
  t.equal(answering.ws.readyState, answering.ws.OPEN);
});

t.test('the socket closes with 4401 when its session expires or logs out', async (t) => {
  const server = await startAccessServer(t, { liveEvents: { sessionCheckMs: 50 } });
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');
  const annSocket = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  const sueSocket = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  for (const s of [annSocket, sueSocket]) await s.until(() => s.snapshots().length === 1, 10_000, 'snapshot');

  await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: sue.cookie } });
  await sueSocket.until(() => sueSocket.closeCode !== undefined, 10_000, 'close on logout');
  t.equal(sueSocket.closeCode, 4401, 'logout closes the socket');

  server.clock.advance(29 * 60_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(annSocket.closeCode, undefined, 'open while the session lives (the socket itself does not keep it alive)');
  server.clock.advance(2 * 60_000);
  await annSocket.until(() => annSocket.closeCode !== undefined, 10_000, 'close on expiry');
  t.equal(annSocket.closeCode, 4401, 'idle expiry closes the socket');

  const refused = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await refused.until(() => refused.refusedWith !== undefined, 10_000, 'refusal');
  t.equal(refused.refusedWith, 401, 'and it cannot reconnect with the expired session');
});

t.test("an agent gets the events of calls offered to them (shown as theirs alone), and nothing of other calls", async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const socket = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie });
  await socket.until(() => socket.snapshots().length === 1, 10_000, 'snapshot');
  const bus = server.services.get('events');
  bus.publish('call_offered', { callId: 'c1', entryId: 'c1', queue: 'sales', kind: 'call', agents: ['bob', 'ann'] });
  bus.publish('call_offered', { callId: 'c2', entryId: 'c2', queue: 'support', kind: 'call', agents: ['bob'] });
  bus.publish('call_abandoned', { callId: 'c2', entryId: 'c2', queue: 'support', waitMs: 1000 });
  bus.publish('call_abandoned', { callId: 'c1', entryId: 'c1', queue: 'sales', waitMs: 2000 });
  bus.publish('call_ended', { callId: 'c1', recordId: 'c1', customerId: undefined, queue: 'sales', agent: undefined, outcome: 'abandoned', cause: 'caller-hangup' });
  bus.publish('call_ended', { callId: 'c2', recordId: 'c2', customerId: undefined, queue: 'support', agent: undefined, outcome: 'abandoned', cause: 'caller-hangup' });
  await socket.until(() => socket.events().some((e) => e.type === 'call_ended'), 10_000, 'call_ended');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const seen = (socket.events() as { type: string; payload: { callId?: string; agents?: string[] } }[]).filter((e) => e.type !== 'queue_figures');
  t.same(seen.map((e) => [e.type, e.payload.callId]), [['call_offered', 'c1'], ['call_abandoned', 'c1'], ['call_ended', 'c1']], "only the call offered to ann");
  t.same(seen[0]?.payload.agents, ['ann'], 'a ring-all offer does not tell her who else it rang');
});
