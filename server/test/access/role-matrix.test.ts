// The role matrix: every route of the fully built app (collected as they are
// registered, so routes added later are covered without editing this test)
// refuses callers without credentials (401) unless it is on the short public
// list, refuses agents where only supervisors or admins are admitted and
// supervisors where only admins are (403). The live events socket refuses
// what it must too, and agents reach only their own agent, calls and customers.

import t from 'tap';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { basic, LiveSocket, login, seedPeople, startAccessServer, type AccessServer, type LoggedIn } from './harness.js';

/** Routes anyone may call: health, login/logout, the API docs, the self-service pages and the static web client. */
const PUBLIC: RegExp[] = [
  /^\/health$/,
  /^\/api\/auth\/(login|logout)$/,
  /^\/api\/docs(\/.*)?$/,
  /^\/s\/:token$/,
  /^\/api\/self-service\//,
  /^\/\*$/,
  /^\/$/,
];

const isPublic = (url: string) => PUBLIC.some((re) => re.test(url));
const sampleUrl = (url: string) => url.replace(/:[A-Za-z0-9_]+/g, '1').replace(/\*/g, 'x');

async function call(server: AccessServer, method: string, url: string, who: LoggedIn | undefined): Promise<{ status: number; code: string | undefined }> {
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const headers: Record<string, string> = who ? { cookie: who.cookie, ...(unsafe ? { 'x-csrf-token': who.csrf } : {}) } : {};
  const res = await fetch(`${server.url}${sampleUrl(url)}`, { method, headers });
  const text = method === 'HEAD' ? '' : await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

t.test('every route refuses the roles it must', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const agent = await login(server, 'ann');
  const supervisor = await login(server, 'sue');
  const routes = server.app.access.routes.filter((r) => r.method !== 'OPTIONS');
  t.ok(routes.length > 30, `${routes.length} routes registered`);

  const guarded = routes.filter((r) => !isPublic(r.url));
  for (const r of guarded) t.ok(r.roles.length > 0, `${r.method} ${r.url} has a role guard`);

  // A HEAD answer has no body: only its status can be checked.
  const forbidden = (method: string) => [403, method === 'HEAD' ? undefined : 'TENOR_ERR_FORBIDDEN'];
  for (const r of guarded) {
    const anonymous = await call(server, r.method, r.url, undefined);
    t.equal(anonymous.status, 401, `${r.method} ${r.url} without credentials → 401`);
    if (!r.roles.includes('agent')) {
      const res = await call(server, r.method, r.url, agent);
      t.same([res.status, res.code], forbidden(r.method), `${r.method} ${r.url} (${r.roles.join(', ')}) refuses an agent`);
    }
    if (!r.roles.includes('supervisor')) {
      const res = await call(server, r.method, r.url, supervisor);
      t.same([res.status, res.code], forbidden(r.method), `${r.method} ${r.url} (${r.roles.join(', ')}) refuses a supervisor`);
    }
  }

  // The roles each guard admits are pinned, route by route, in one table: route-roles.ts (route-roles.test.ts).
});

t.test('agents act on their own agent only; supervisors force break or logout; admins configure', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = basic('ann', 'ann-password');
  const sue = basic('sue', 'sue-password');
  const req = async (auth: string, method: string, url: string, body?: object) => {
    const res = await fetch(`${server.url}${url}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as unknown };
  };

  t.equal((await req(ann, 'POST', '/api/agents/ann/state', { state: 'ready' })).status, 200, 'an agent logs themselves in');
  t.equal((await req(ann, 'POST', '/api/agents/bob/state', { state: 'ready' })).status, 403, 'but not another agent');
  t.equal((await req(ann, 'GET', '/api/agents/bob')).status, 403);
  t.same(((await req(ann, 'GET', '/api/agents')).body as { login: string }[]).map((a) => a.login), ['ann'], 'the agent list shows only themselves');
  t.same(((await req(ann, 'GET', '/api/queues')).body as { name: string }[]).map((q) => q.name), ['sales'], 'and the queues they serve');
  t.equal((await req(ann, 'GET', '/api/queues/support')).status, 403);
  t.equal((await req(ann, 'GET', '/api/agents/ann/log')).status, 200, 'their own state log');
  t.equal((await req(ann, 'GET', '/api/agents/bob/log')).status, 403);

  t.same(((await req(sue, 'GET', '/api/agents')).body as { login: string }[]).map((a) => a.login), ['ann', 'bob'], 'supervisors see every agent');
  t.equal((await req(sue, 'POST', '/api/agents/ann/state', { state: 'break', reason: 'meeting' })).status, 200, 'a supervisor forces a break');
  t.equal(server.services.get('acd').agent('ann')?.state, 'break');
  t.equal((await req(sue, 'POST', '/api/agents/ann/state', { state: 'ready' })).status, 403, 'but does not put someone else ready');
  t.equal((await req(sue, 'POST', '/api/agents/ann/state', { state: 'logged-out' })).status, 200, 'and forces a logout');
  t.equal((await req(sue, 'PUT', '/api/queues/new', { strategy: 'longest-idle' })).status, 403, 'supervisors do not configure');
  t.equal((await req(basic('ada', 'ada-password'), 'PUT', '/api/queues/new', {})).status, 200, 'admins do');
});

t.test("agents see only the customers and calls they handle", async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const admin = basic('ada', 'ada-password');
  const req = async (auth: string, method: string, url: string, body?: object) =>
    (await fetch(`${server.url}${url}`, { method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) })).status;
  const create = async (name: string) => {
    const res = await fetch(`${server.url}/api/customers`, { method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ name, phones: ['+12125550100'] }) });
    return ((await res.json()) as { id: number }).id;
  };
  const grace = await create('Grace');
  const alan = await create('Alan');
  const ann = basic('ann', 'ann-password');
  const bob = basic('bob', 'bob-password');

  t.equal(await req(ann, 'GET', `/api/customers/${grace}`), 403, 'no call, no customer');
  t.equal(await req(ann, 'GET', `/api/customers/${grace}/history`), 403);
  t.equal(await req(ann, 'GET', '/api/customers'), 403, 'agents do not list customers');

  // Ann answered a call from Grace an hour ago (a call record as the ACD writes it).
  const records = new CallRecordsRepository(server.services.get('store'));
  const hourAgo = Date.now() - 3_600_000;
  await records.open({ id: 'call-grace', direction: 'inbound', from: '+12125550100', to: '100', customerId: String(grace), arrivedAt: hourAgo });
  await records.update('call-grace', { queue: 'sales', agent: 'ann', answeredAt: hourAgo + 10_000, endedAt: hourAgo + 100_000, outcome: 'answered', live: false });

  t.equal(await req(ann, 'GET', `/api/customers/${grace}`), 200, 'the customer of a recent call is visible');
  t.equal(await req(ann, 'GET', `/api/customers/${grace}/history`), 200, 'with the history');
  t.equal(await req(ann, 'PATCH', `/api/customers/${grace}`, { language: 'pt' }), 200, 'and can be updated');
  t.equal(await req(ann, 'POST', '/api/interactions', { customer: grace, channel: 'note', occurredAt: new Date().toISOString(), notes: 'called back' }), 201, 'a note on her timeline');
  t.equal(await req(ann, 'GET', `/api/interactions?customer=${grace}`), 200, 'her interactions');
  t.equal(await req(ann, 'GET', '/api/interactions'), 403, 'but not everyone\'s');
  t.equal(await req(ann, 'GET', `/api/customers/${alan}`), 403, 'other customers stay hidden');
  t.equal(await req(ann, 'POST', '/api/interactions', { customer: alan, channel: 'note', occurredAt: new Date().toISOString() }), 403);
  t.equal(await req(bob, 'GET', `/api/customers/${grace}`), 403, "another agent's customer is hidden");
  t.equal(await req(basic('sue', 'sue-password'), 'GET', `/api/customers/${alan}`), 200, 'supervisors see every customer');

  const annCalls = await fetch(`${server.url}/api/calls`, { headers: { authorization: ann } });
  t.same(((await annCalls.json()) as { id: string }[]).map((c) => c.id), ['call-grace'], 'an agent lists their own calls');
  t.equal(await req(ann, 'GET', '/api/calls?agent=bob'), 403);
  t.equal(await req(ann, 'GET', '/api/calls/call-grace'), 200);
  t.equal(await req(bob, 'GET', '/api/calls/call-grace'), 403);
});

t.test('the live events socket refuses what it must; an agent never receives another agent\'s events', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');

  const anonymous = new LiveSocket(t, server.wsUrl, {});
  await anonymous.until(() => anonymous.refusedWith !== undefined, 10_000, 'refusal');
  t.equal(anonymous.refusedWith, 401, 'no cookie: refused');
  const forged = new LiveSocket(t, server.wsUrl, { cookie: 'tenor_session=forged' });
  await forged.until(() => forged.refusedWith !== undefined, 10_000, 'refusal');
  t.equal(forged.refusedWith, 401, 'unknown session: refused');
  const foreign = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie, origin: 'https://evil.example' });
  await foreign.until(() => foreign.refusedWith !== undefined, 10_000, 'refusal');
  t.equal(foreign.refusedWith, 403, 'another site: refused');
  const wrongPassword = new LiveSocket(t, server.wsUrl, { authorization: basic('ann', 'nope') });
  await wrongPassword.until(() => wrongPassword.refusedWith !== undefined, 10_000, 'refusal');
  t.equal(wrongPassword.refusedWith, 401, 'wrong Basic credentials: refused');

  const annSocket = new LiveSocket(t, server.wsUrl, { cookie: ann.cookie, origin: server.url });
  const sueSocket = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  const tool = new LiveSocket(t, server.wsUrl, { authorization: basic('ada', 'ada-password') });
  for (const s of [annSocket, sueSocket, tool]) await s.until(() => s.snapshots().length === 1, 10_000, 'snapshot');
  t.same(annSocket.snapshots()[0]?.data.agents.map((a) => a.login), ['ann'], "the agent's snapshot has only their agent");
  t.same(sueSocket.snapshots()[0]?.data.agents.map((a) => a.login), ['ann', 'bob'], "the supervisor's has everyone");

  const acd = server.services.get('acd');
  await acd.login('bob');
  await acd.login('ann');
  acd.takeBreak('bob', 'lunch');
  acd.takeBreak('ann', 'coffee');

  type StateEvent = { type: string; payload: { login?: string; to?: string; queue?: string } };
  const stateOf = (s: LiveSocket, login: string) =>
    (s.events() as StateEvent[]).filter((e) => e.type === 'agent_state_changed' && e.payload.login === login).at(-1)?.payload.to;
  await sueSocket.until(() => stateOf(sueSocket, 'ann') === 'break' && stateOf(sueSocket, 'bob') === 'break', 10_000, 'both breaks');
  await annSocket.until(() => stateOf(annSocket, 'ann') === 'break', 10_000, "ann's break");
  await tool.until(() => stateOf(tool, 'bob') === 'break', 10_000, 'Basic-authenticated tools get events too');
  const leaked = (annSocket.events() as StateEvent[]).filter((e) => JSON.stringify(e.payload).includes('"bob"') || e.payload.queue === 'support');
  t.same(leaked, [], "nothing of bob's reaches ann");
  t.ok((annSocket.events() as StateEvent[]).some((e) => e.type === 'queue_figures' && e.payload.queue === 'sales'), 'ann gets her queue\'s figures');
});
