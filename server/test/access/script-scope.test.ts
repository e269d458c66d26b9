// Customer scope and ownership beyond the CRM routes, over real HTTP: an agent
// may start a script run only for a customer they handle (the rule of
// GET /api/customers/:id), an interaction must be the customer's, a run belongs
// to the agent who started it, links are minted only for customers in scope,
// and campaign preview and dispositions take the agent from the session.

import t, { type Test } from 'tap';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { AttemptsRepository } from '../../src/services/campaigns/store/attempts.js';
import { basic, seedPeople, startAccessServer } from './harness.js';

const ann = basic('ann', 'ann-password');
const bob = basic('bob', 'bob-password');
const sue = basic('sue', 'sue-password');
const ada = basic('ada', 'ada-password');

async function setup(t: Test) {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const req = async (auth: string, method: string, url: string, body?: object) => {
    const res = await fetch(`${server.url}${url}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & { error?: { code: string } } };
  };
  const customer = async (name: string, phone: string) => ((await req(ada, 'POST', '/api/customers', { name, phones: [phone] })).body as { id: number }).id;
  const grace = await customer('Grace', '+12125550100');
  const alan = await customer('Alan', '+12125550101');
  // Ann answered a call from Grace an hour ago (a call record as the ACD writes it): Grace is in her scope, Alan is not.
  const records = new CallRecordsRepository(server.services.get('store'));
  const hourAgo = Date.now() - 3_600_000;
  await records.open({ id: 'call-grace', direction: 'inbound', from: '+12125550100', to: '100', customerId: String(grace), arrivedAt: hourAgo });
  await records.update('call-grace', { queue: 'sales', agent: 'ann', answeredAt: hourAgo + 10_000, endedAt: hourAgo + 100_000, outcome: 'answered', live: false });
  return { server, req, grace, alan };
}

t.test('an agent starts script runs only for customers they handle, and only they work on their run', async (t) => {
  const { server, req, grace, alan } = await setup(t);

  const outside = await req(ann, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', customerId: alan });
  t.same([outside.status, outside.body.error?.code], [403, 'TENOR_ERR_FORBIDDEN'], 'a customer outside her scope is refused');
  t.notMatch(JSON.stringify(outside.body), /Alan/, 'and nothing of the record comes back');

  const alansNote = (await req(ada, 'POST', '/api/interactions', { customer: alan, channel: 'note', occurredAt: new Date().toISOString() })).body as { id: number };
  const viaInteraction = await req(ann, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', interactionId: alansNote.id });
  t.equal(viaInteraction.status, 403, "another customer's interaction does not open the door");
  t.equal((await req(ann, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', interactionId: 999_999 })).status, 403, 'a missing interaction answers the same, so ids cannot be probed');
  const mixed = await req(ann, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', customerId: grace, interactionId: alansNote.id });
  t.equal(mixed.status, 403, "an interaction that is not the customer's is refused");
  const mixedBySupervisor = await req(sue, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', customerId: grace, interactionId: alansNote.id });
  t.equal(mixedBySupervisor.status, 403, 'for supervisors too: the run would write onto the wrong record');

  const own = await req(ann, 'POST', '/api/script-sessions', { scriptId: 'payment-arrangement', customerId: grace });
  t.equal(own.status, 201, 'her own customer is fine');
  const session = own.body as { id: string; agent: string; step: { info: string[] } };
  t.equal(session.agent, 'ann', 'the run belongs to her');
  t.match(session.step.info[0], /Grace/);

  for (const [method, url, body] of [
    ['GET', `/api/script-sessions/${session.id}`, undefined],
    ['POST', `/api/script-sessions/${session.id}/answer`, { value: 'income' }],
    ['POST', `/api/script-sessions/${session.id}/next`, {}],
    ['POST', `/api/script-sessions/${session.id}/back`, {}],
  ] as const) {
    const res = await req(bob, method, url, body);
    t.same([res.status, res.body.error?.code], [404, 'TENOR_ERR_NOT_FOUND'], `another agent cannot ${method} ${url.replace(session.id, ':id')}`);
  }
  t.equal((await server.services.get('scripts').sessions.get(session.id)).answers['reason'], undefined, "bob's answer did not reach the run");
  t.equal((await req(ann, 'GET', `/api/script-sessions/${session.id}`)).status, 200, 'she reads her run');
  t.equal((await req(sue, 'GET', `/api/script-sessions/${session.id}`)).status, 200, 'a supervisor reads it too');
});

t.test('an agent mints self-service links only for customers they handle', async (t) => {
  const { req, grace, alan } = await setup(t);
  const outside = await req(ann, 'POST', '/api/scripts/payment-arrangement/links', { customerId: alan, validHours: 24 });
  t.same([outside.status, outside.body.error?.code], [403, 'TENOR_ERR_FORBIDDEN'], 'a link for a customer outside her scope is refused');
  t.equal((await req(bob, 'POST', '/api/scripts/payment-arrangement/links', { customerId: grace, validHours: 24 })).status, 403, "nor for another agent's customer");
  t.equal((await req(ann, 'POST', '/api/scripts/payment-arrangement/links', { customerId: grace, validHours: 24 })).status, 201, 'her own customer is fine');
  t.equal((await req(sue, 'POST', '/api/scripts/payment-arrangement/links', { customerId: alan, validHours: 24 })).status, 201, 'supervisors reach every customer');
});

t.test('campaign preview and dispositions take the agent from the session', async (t) => {
  const { server, req } = await setup(t);
  for (const [route, body] of [
    ['next', { agent: 'bob' }],
    ['dial', { agent: 'bob', phone: '+12125550199' }],
    ['skip', { agent: 'bob', phone: '+12125550199' }],
  ] as const) {
    const res = await req(ann, 'POST', `/api/campaigns/spring/preview/${route}`, body);
    t.same([res.status, res.body.error?.code], [403, 'TENOR_ERR_FORBIDDEN'], `preview/${route} naming another agent is refused`);
  }
  // Naming herself (or no one) passes the agent check and reaches the campaign, which does not exist here.
  t.equal((await req(ann, 'POST', '/api/campaigns/spring/preview/next', { agent: 'ann' })).body.error?.code, 'TENOR_ERR_NOT_FOUND', 'naming herself passes');
  t.equal((await req(ann, 'POST', '/api/campaigns/spring/preview/next', {})).body.error?.code, 'TENOR_ERR_NOT_FOUND', 'naming no one passes');
  t.equal((await req(sue, 'POST', '/api/campaigns/spring/preview/next', { agent: 'bob' })).body.error?.code, 'TENOR_ERR_NOT_FOUND', 'a supervisor acts for an agent');
  t.equal((await req(sue, 'POST', '/api/campaigns/spring/preview/next', {})).body.error?.code, 'TENOR_ERR_VALIDATION', 'a supervisor who is no agent names one');

  const attempts = new AttemptsRepository(server.services.get('store'));
  await attempts.open({ id: 'att-bob', campaign: 'spring', phone: '+12125550199', customerId: undefined, attempt: 1, startedAt: Date.now() - 60_000 });
  await attempts.update('att-bob', { agent: 'bob', outcome: 'answered-human', status: 'ended', answeredAt: Date.now() - 50_000, endedAt: Date.now() - 10_000 });
  const foreign = await req(ann, 'POST', '/api/campaigns/spring/attempts/att-bob/disposition', { disposition: 'no-sale' });
  t.same([foreign.status, foreign.body.error?.code], [403, 'TENOR_ERR_FORBIDDEN'], "an agent cannot disposition another agent's call");
  t.equal((await attempts.get('att-bob'))?.disposition, undefined, 'the disposition did not change');
  t.equal((await req(bob, 'POST', '/api/campaigns/spring/attempts/att-bob/disposition', { disposition: 'sale' })).status, 200, 'the agent of the call does');
  t.equal((await attempts.get('att-bob'))?.disposition, 'sale');
});
