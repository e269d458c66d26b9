// Refusals reach the live monitor (GET /api/events): a supervisor sees every
// dialing_refused; an agent sees those that name them and no one else's. The
// supervisor's snapshot lists them (newest first, today's count by reason) for
// the monitor's "Refused outbound calls" panel; an agent's snapshot has none.
// Two refusals are caused over HTTP: an admin gives bob a premium-rate home
// phone, then ann one abroad.
import t from 'tap';
import { basic, LiveSocket, seedPeople, startAccessServer } from '../access/harness.js';

t.test('dialing_refused reaches supervisors, and each agent only their own', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const supervisor = new LiveSocket(t, server.wsUrl, { authorization: basic('sue', 'sue-password') });
  const ann = new LiveSocket(t, server.wsUrl, { authorization: basic('ann', 'ann-password') });
  for (const s of [supervisor, ann]) await s.until(() => s.snapshots().length === 1, 10_000, 'snapshot');

  const admin = { authorization: basic('ada', 'ada-password'), 'content-type': 'application/json' };
  const give = (login: string, queue: string, number: string) =>
    fetch(`${server.url}/api/agents/${login}`, { method: 'PUT', headers: admin, body: JSON.stringify({ name: login.toUpperCase(), device: { type: 'external', number }, queues: [{ queue }] }) });
  t.equal((await give('bob', 'support', '+19005551234')).status, 403, "bob's premium-rate phone is refused");
  t.equal((await give('ann', 'sales', '+442079460000')).status, 403, "ann's phone abroad is refused");

  type Refused = { type: string; payload: { agent?: string; number?: string; class?: string } };
  const refusals = (s: LiveSocket) => (s.events() as Refused[]).filter((e) => e.type === 'dialing_refused');
  await supervisor.until(() => refusals(supervisor).length === 2, 10_000, 'both refusals');
  t.same(refusals(supervisor).map((e) => [e.payload.agent, e.payload.number, e.payload.class]), [['bob', '+19005551234', 'premium-rate'], ['ann', '+442079460000', 'international']], 'the supervisor sees both');
  await ann.until(() => refusals(ann).length === 1, 10_000, "ann's refusal");
  t.same(refusals(ann).map((e) => e.payload.agent), ['ann'], 'ann sees her own only');

  // A fresh snapshot (what the web client asks for after events) carries the list to supervisors only.
  for (const s of [supervisor, ann]) {
    s.ws.send(JSON.stringify({ type: 'resync' }));
    await s.until(() => s.snapshots().length === 2, 10_000, 'the second snapshot');
  }
  const dialing = supervisor.snapshots()[1]?.data.dialing;
  t.match(dialing, { refusedToday: 2, refusedTodayByReason: { 'number-class': 2 } }, "the supervisor's snapshot counts today's refusals by reason");
  t.same(dialing?.recent.map((r) => [r.agent, r.number, r.class, r.purpose, r.reason]),
    [['ann', '+442079460000', 'international', 'agent-device', 'number-class'], ['bob', '+19005551234', 'premium-rate', 'agent-device', 'number-class']],
    'and lists them newest first, with the number, class, purpose and reason');
  t.ok(dialing?.recent.every((r) => !Number.isNaN(Date.parse(r.at))), 'each with the time it was refused');
  t.equal(ann.snapshots()[1]?.data.dialing, null, "an agent's snapshot has no refused calls");
});
