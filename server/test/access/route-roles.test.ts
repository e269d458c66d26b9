// Every route the app registers against one table of allowed roles (route-roles.ts): a
// route missing from the table, an entry whose route is gone, or a guard that admits other
// roles than its entry fails naming the route. Then each route is called by each role
// (HTTP Basic, so no call ends another's session): a role the table allows gets past the
// guard (any answer but 401 or 403: a 400 or 404 for the dummy path and body is fine), a
// role it does not is refused with 403, and nobody without credentials gets in (401).
// Paths are filled with ann's own agent and queue, so an agent's own data is what she asks for.

import t from 'tap';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import type { Role } from '../../src/store/repos/users.js';
import { basic, seedPeople, startAccessServer, type AccessServer } from './harness.js';
import { PUBLIC, ROUTE_ROLES } from './route-roles.js';

const CALLERS: Record<Role, string> = { agent: basic('ann', 'ann-password'), supervisor: basic('sue', 'sue-password'), admin: basic('ada', 'ada-password') };
/** An agent asks about her own agent, queue and customer (1, whose call she answered); the others about no one (1), so nothing is changed. */
const AGENT_SAMPLES: Record<string, string> = { login: 'ann', agent: 'ann', name: 'sales', queue: 'sales', id: '1' };
/** Lists an agent may read only for her own customer. */
const AGENT_QUERIES: Record<string, string> = { '/api/interactions': '?customer=1', '/api/cases': '?customer=1' };

/**
 * Routes whose guard admits agents but whose handler refuses an agent whatever she asks: the
 * generic business-object list admits every signed-in user, and agents list no customers;
 * recordings admit agents only where the site sets recording.agentsMayListen (this site does not).
 */
const AGENT_ALWAYS_REFUSED_BY_SCOPE = new Set([
  'GET /api/customers', 'HEAD /api/customers',
  ...['', '/:id', '/:id/audio', '/:id/download', '/:id/waveform'].flatMap((tail) => [`GET /api/recordings${tail}`, `HEAD /api/recordings${tail}`]),
]);

function samplePath(url: string, role: Role | undefined): string {
  const path = url.replace(/:([A-Za-z0-9_]+)/g, (_m, param: string) => (role === 'agent' ? AGENT_SAMPLES[param] : undefined) ?? '1').replace(/\*/g, 'x');
  return role === 'agent' ? path + (AGENT_QUERIES[url] ?? '') : path;
}

async function status(server: AccessServer, method: string, url: string, role: Role | undefined): Promise<number> {
  const res = await fetch(`${server.url}${samplePath(url, role)}`, { method, headers: role ? { authorization: CALLERS[role] } : {} });
  await res.arrayBuffer();
  return res.status;
}

t.test('every route is in the table of allowed roles, and its guard admits exactly those', async (t) => {
  const server = await startAccessServer(t);
  const registered = new Map(server.app.access.routes.filter((r) => r.method !== 'OPTIONS').map((r) => [`${r.method} ${r.url}`, r.roles]));
  t.ok(registered.size > 150, `${registered.size} routes registered`);
  const missing = [...registered.keys()].filter((key) => !ROUTE_ROLES.has(key));
  t.same(missing, [], 'every registered route has an entry in test/access/route-roles.ts');
  const stale = [...ROUTE_ROLES.keys()].filter((key) => !registered.has(key));
  t.same(stale, [], 'every entry names a registered route');
  for (const [key, roles] of registered) {
    const allowed = ROUTE_ROLES.get(key);
    if (allowed === undefined) continue;
    t.same(roles.length === 0 ? PUBLIC : [...roles], allowed === PUBLIC ? PUBLIC : [...allowed], `${key}: ${allowed === PUBLIC ? 'public' : allowed.join(', ')}`);
  }
});

t.test('each allowed role gets past the guard of every route; each other role is refused; nobody gets in without credentials', { timeout: 600_000 }, async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  // Customer 1 called an hour ago and ann answered: her customer (a call record as the ACD writes it).
  const customer = await server.services.get('crm').create('Customer', { name: 'Grace', phones: ['+12125550100'] });
  t.equal(customer.id, 1, 'customer 1');
  const records = new CallRecordsRepository(server.services.get('store'));
  const hourAgo = Date.now() - 3_600_000;
  await records.open({ id: 'call-grace', direction: 'inbound', from: '+12125550100', to: '100', customerId: '1', arrivedAt: hourAgo });
  await records.update('call-grace', { queue: 'sales', agent: 'ann', answeredAt: hourAgo + 10_000, endedAt: hourAgo + 100_000, outcome: 'answered', live: false });
  for (const [key, allowed] of ROUTE_ROLES) {
    if (allowed === PUBLIC) continue;
    const [method = 'GET', url = '/'] = key.split(' ');
    t.equal(await status(server, method, url, undefined), 401, `${key} without credentials → 401`);
    for (const role of ['agent', 'supervisor', 'admin'] as const) {
      const got = await status(server, method, url, role);
      if (role === 'agent' && allowed.includes(role) && AGENT_ALWAYS_REFUSED_BY_SCOPE.has(key)) t.equal(got, 403, `${key}: the guard admits an agent, the handler refuses her`);
      else if (allowed.includes(role)) t.notOk(got === 401 || got === 403, `${key}: ${role} gets past the guard (${got})`);
      else t.equal(got, 403, `${key}: ${role} is refused`);
    }
  }
});
