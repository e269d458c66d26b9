// Break reasons come from the site (the desktop offers exactly those), a supervisor's
// forced break is recorded with its own reason, and an agent learns whom they can
// transfer to although their live view holds only themselves.

import t from 'tap';
import { login, seedPeople, startAccessServer, type LoggedIn } from '../access/harness.js';

t.test('break reasons, forced breaks and transfer targets', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const as = (who: LoggedIn) => async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${server.url}${url}`, {
      method,
      headers: { cookie: who.cookie, 'x-csrf-token': who.csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const ann = as(await login(server, 'ann'));
  const sue = as(await login(server, 'sue'));

  const reasons = await ann('GET', '/api/break-reasons');
  t.same(reasons, { status: 200, body: { reasons: ['lunch', 'coffee', 'meeting', 'training', 'other'] } }, 'agents get the break reasons to choose from (the defaults here)');

  t.equal((await ann('POST', '/api/agents/ann/state', { state: 'break', reason: 'coffee' })).body['reason'], 'coffee', 'an agent takes a break with one of them');
  const refused = await ann('POST', '/api/agents/ann/state', { state: 'break', reason: 'supervisor' });
  t.equal(refused.status, 400, "an agent cannot pick the supervisor's reason");
  t.match((refused.body['error'] as { message: string }).message, /choose one of: lunch, coffee/, 'and is told the reasons to choose from');

  await ann('POST', '/api/agents/ann/state', { state: 'ready' });
  const forced = await sue('POST', '/api/agents/ann/state', { state: 'break' });
  t.match(forced, { status: 200, body: { state: 'break', reason: 'supervisor' } }, "a supervisor's forced break needs no reason and says who set it");
  const log = await server.services.get('acd').agentStateLog({ login: 'ann' });
  t.equal(log.at(-1)?.reason, 'supervisor', 'the state log (and so the reports) keeps it');

  await server.services.get('acd').login('bob');
  const targets = await ann('GET', '/api/agents/ann/call/targets');
  t.same(targets, { status: 200, body: { agents: [{ login: 'bob', name: 'BOB', state: 'ready' }], queues: ['sales', 'support'], numbers: false } },
    'an agent sees the other logged-in agents with their state, and the queues, to transfer to (no outside numbers: the site does not let agents dial out)');
  t.equal((await ann('GET', '/api/agents/bob/call/targets')).status, 403, "but not another agent's list");
});
