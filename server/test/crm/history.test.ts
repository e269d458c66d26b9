import t from 'tap';
import { ADMIN_AUTH as ADMIN, startTestApp } from '../helpers.js';

t.test('the contact history: every channel on one timeline, newest first, paged, with a summary', async (t) => {
  const { app } = await startTestApp(t);

  // An unknown caller becomes a prospect; the same number later finds the same customer.
  const first = await app.inject({ method: 'POST', url: '/api/customers/identify', headers: ADMIN, payload: { phone: '(415) 555-0123' } });
  t.match(first.json(), { created: true, customer: { name: '+14155550123', prospect: true, phones: ['+14155550123'] } });
  const id = (first.json() as { customer: { id: number } }).customer.id;
  const again = await app.inject({ method: 'POST', url: '/api/customers/identify', headers: ADMIN, payload: { phone: '+1 415 555 0123' } });
  t.match(again.json(), { created: false, customer: { id } });

  const day = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
  const add = (payload: object) => app.inject({ method: 'POST', url: '/api/interactions', headers: ADMIN, payload: { customer: id, ...payload } });
  await add({ channel: 'call', direction: 'inbound', occurredAt: day(40), queue: 'support', outcome: 'answered', durationSeconds: 300 });
  await add({ channel: 'voicemail', occurredAt: day(10), recording: 'vm/1.wav' });
  await add({ channel: 'callback', direction: 'outbound', occurredAt: day(9) });
  await add({ channel: 'note', direction: 'internal', occurredAt: day(2), notes: 'prefers mornings' });

  // A case gets its due time from the SLA of its code, and opening it is on the timeline.
  const before = Date.now();
  const kase = await app.inject({ method: 'POST', url: '/api/cases', headers: ADMIN, payload: { customer: id, code: 'FAULT', description: 'no power since 6am' } });
  t.equal(kase.statusCode, 201, kase.body);
  const due = Date.parse((kase.json() as { dueAt: string }).dueAt);
  t.ok(Math.abs(due - (before + 4 * 3_600_000)) < 60_000, 'FAULT is due in 4 hours (SLA from the model)');
  const caseId = (kase.json() as { id: number }).id;
  await app.inject({ method: 'PATCH', url: `/api/cases/${caseId}`, headers: ADMIN, payload: { status: 'resolved' } });
  await app.inject({ method: 'POST', url: '/api/cases', headers: ADMIN, payload: { customer: id, code: 'BILLING' } });

  const res = await app.inject({ url: `/api/customers/${id}/history?limit=3`, headers: ADMIN });
  t.equal(res.statusCode, 200);
  const history = res.json() as { summary: Record<string, unknown>; items: { channel: string; notes?: string }[]; total: number };
  t.same(history.items.map((i) => i.channel), ['case', 'case', 'case'], 'newest first: the three case entries');
  t.match(history.items[1]?.notes, /Case FAULT #\d+: status: open → resolved/);
  t.equal(history.total, 7, 'four contacts and three case changes');
  t.match(history.summary, { segment: 'C', openCases: 1, contactsLast30Days: 6 });
  t.ok(Date.parse(String(history.summary['lastContact'])) >= before - 1000, 'last contact is the latest entry');
  const page2 = await app.inject({ url: `/api/customers/${id}/history?limit=3&offset=3`, headers: ADMIN });
  t.same((page2.json() as typeof history).items.map((i) => i.channel), ['note', 'callback', 'voicemail']);
  t.equal((await app.inject({ url: '/api/customers/999/history', headers: ADMIN })).statusCode, 404);
});
