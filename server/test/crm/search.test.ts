// Customer search over real HTTP on a real SQLite file: a number in any
// format, name fragments whatever their case and accents, e-mail, case
// number; ranked and paged; an agent finds only the customers they handle
// (the same rule as reading one by id); hostile input is only text.

import t from 'tap';
import { CallRecordsRepository } from '../../src/services/acd/store/call-records.js';
import { basic, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { testConfig } from '../helpers.js';

interface Hit { customer: { id: number; name: string; phones: string[] | null }; matched: string }
interface Found { items: Hit[]; total: number; phone: string | null }

const ADA = basic('ada', 'ada-password');
const ANN = basic('ann', 'ann-password');
const BOB = basic('bob', 'bob-password');

async function startGermanSite(t: Parameters<typeof startAccessServer>[0]): Promise<AccessServer> {
  const config = testConfig(t);
  // Numbers as a Berlin contact center's agents type them: the site's default country is Germany.
  const server = await startAccessServer(t, { config: { ...config, crm: { ...config.crm, defaultCountry: 'DE' } } });
  await seedPeople(server);
  return server;
}

async function send(server: AccessServer, auth: string, method: string, url: string, body?: object): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? null : (JSON.parse(text) as unknown) };
}

async function search(server: AccessServer, auth: string, q: string, page = ''): Promise<Found> {
  const res = await send(server, auth, 'GET', `/api/customers/search?q=${encodeURIComponent(q)}${page}`);
  if (res.status !== 200) throw new Error(`search '${q}' answered ${res.status}: ${JSON.stringify(res.json)}`);
  return res.json as Found;
}

const names = (found: Found): string[] => found.items.map((h) => h.customer.name);

async function createCustomer(server: AccessServer, values: object): Promise<number> {
  const res = await send(server, ADA, 'POST', '/api/customers', values);
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${JSON.stringify(res.json)}`);
  return (res.json as { id: number }).id;
}

/** Ann answered a call from this customer a while ago (a call record as the ACD writes it): her customer now. */
async function annAnswered(server: AccessServer, customerId: number, callId: string): Promise<void> {
  const records = new CallRecordsRepository(server.services.get('store'));
  const hourAgo = Date.now() - 3_600_000;
  await records.open({ id: callId, direction: 'inbound', from: '+49301234567', to: '100', customerId: String(customerId), arrivedAt: hourAgo });
  await records.update(callId, { queue: 'sales', agent: 'ann', answeredAt: hourAgo + 10_000, endedAt: hourAgo + 100_000, outcome: 'answered', live: false });
}

t.test('one query box finds a number in any format, name fragments, an e-mail or a case number', async (t) => {
  const server = await startGermanSite(t);
  const mueller = await createCustomer(server, { name: 'Jürgen Müller', phones: ['+49 30 1234567'], emails: ['j.mueller@example.de'] });
  const grace = await createCustomer(server, { name: 'Grace Hopper', phones: ['+1 212 555 0100'], emails: ['grace@navy.example'] });
  await createCustomer(server, { name: 'Zoë Ångström', phones: ['040 7654321'] });

  for (const typed of ['+49 30 1234567', '030/1234567', '0049301234567', '(030) 123 45 67', '+49-30-123-4567']) {
    const found = await search(server, ADA, typed);
    t.same(names(found), ['Jürgen Müller'], `'${typed}' finds the customer`);
    t.equal(found.phone, '+49301234567', `'${typed}' is read as the E.164 number`);
    t.equal(found.items[0]?.matched, 'phone');
  }
  t.same(names(await search(server, ADA, '+12125550100')), ['Grace Hopper'], 'a foreign number in E.164');

  for (const fragment of ['müll', 'MULLER', 'jurg', 'Jürgen Mü', 'zoe', 'angst', 'ÅNGSTRÖM']) {
    t.equal(names(await search(server, ADA, fragment)).length, 1, `'${fragment}' finds one customer`);
  }
  t.same(names(await search(server, ADA, 'mull')), ['Jürgen Müller'], 'case- and accent-insensitive word starts');
  t.same(names(await search(server, ADA, 'grace@navy.example')), ['Grace Hopper'], 'by e-mail');
  t.same(names(await search(server, ADA, 'j.mueller')), ['Jürgen Müller'], 'by the start of an e-mail address');
  t.same(names(await search(server, ADA, 'nobody')), [], 'no match, no result');

  const kase = await send(server, ADA, 'POST', '/api/cases', { customer: grace, code: 'FAULT', description: 'line noise' });
  t.equal(kase.status, 201);
  const caseId = (kase.json as { id: number }).id;
  for (const typed of [`#${caseId}`, `case ${caseId}`, `Case #${caseId}`]) {
    const found = await search(server, ADA, typed);
    t.same(names(found), ['Grace Hopper'], `'${typed}' finds the case's customer`);
    t.equal(found.items[0]?.matched, 'case');
  }

  t.same(names(await search(server, ADA, '#99999')), [], 'a case number nobody has');

  // A customer added after the index was built is found at once (the triggers keep it in step), and so is a changed name.
  const later = await createCustomer(server, { name: 'Ada Lovelace' });
  t.same(names(await search(server, ADA, 'lovel')), ['Ada Lovelace']);
  t.equal((await send(server, ADA, 'PATCH', `/api/customers/${later}`, { name: 'Ada King' })).status, 200);
  t.same(names(await search(server, ADA, 'lovel')), [], 'the old name is gone from the index');
  t.same(names(await search(server, ADA, 'king')), ['Ada King']);
  t.equal((await send(server, ADA, 'DELETE', `/api/customers/${later}`)).status, 204);
  t.same(names(await search(server, ADA, 'king')), [], 'a deleted customer is not found');
  t.ok(mueller > 0);
});

t.test('results are ranked and paged', async (t) => {
  const server = await startGermanSite(t);
  for (let i = 1; i <= 25; i++) await createCustomer(server, { name: `Schmidt ${String(i).padStart(2, '0')}` });
  await createCustomer(server, { name: 'Anna Schmidt-Schmidt' });
  const first = await search(server, ADA, 'schmidt', '&limit=10');
  t.equal(first.total, 26);
  t.equal(first.items.length, 10);
  t.equal(first.items[0]?.customer.name, 'Anna Schmidt-Schmidt', 'the name that matches best ranks first');
  const last = await search(server, ADA, 'schmidt', '&limit=10&offset=20');
  t.equal(last.items.length, 6, 'the last page');
  const all = new Set([...(await search(server, ADA, 'schmidt', '&limit=50')).items.map((h) => h.customer.id)]);
  t.equal(all.size, 26, 'pages hold each customer once');
});

t.test("an agent finds and opens only the customers they handle", async (t) => {
  const server = await startGermanSite(t);
  const mueller = await createCustomer(server, { name: 'Jürgen Müller', phones: ['+49 30 1234567'], emails: ['j.mueller@example.de'] });
  const grace = await createCustomer(server, { name: 'Grace Müller', phones: ['+1 212 555 0100'] });

  t.same(names(await search(server, ANN, '030/1234567')), [], 'no call, no customer');
  t.same(names(await search(server, ANN, 'müller')), []);

  await annAnswered(server, mueller, 'call-mueller');
  t.same(names(await search(server, ANN, '030/1234567')), ['Jürgen Müller'], 'the customer of her call, by number');
  t.same(names(await search(server, ANN, 'müller')), ['Jürgen Müller'], 'by name: Grace Müller stays hidden');
  t.equal((await search(server, ANN, 'müller')).total, 1, 'and is not even counted');
  t.same(names(await search(server, ANN, '+12125550100')), [], 'another customer by number: nothing');
  t.equal((await send(server, ANN, 'GET', `/api/customers/${grace}`)).status, 403, 'nor by id');
  t.equal((await send(server, ANN, 'GET', `/api/customers/${grace}/history`)).status, 403, 'nor her history');
  t.equal((await send(server, ANN, 'GET', `/api/customers/${mueller}/history`)).status, 200, 'her own customer opens');

  t.same(names(await search(server, BOB, 'müller')), [], "another agent's customer is not found");
  t.same(names(await search(server, basic('sue', 'sue-password'), 'müller')).sort(), ['Grace Müller', 'Jürgen Müller'], 'supervisors find everyone');
  const stranger = await send(server, ANN, 'GET', '/api/customers/search?q=x', undefined);
  t.equal(stranger.status, 200);
  t.equal((await fetch(`${server.url}/api/customers/search?q=m%C3%BCller`)).status, 401, 'no credentials');
});

t.test('hostile or odd input is only text', async (t) => {
  const server = await startGermanSite(t);
  await createCustomer(server, { name: '100%_Rabatt GmbH' });
  await createCustomer(server, { name: "O'Brien" });
  await createCustomer(server, { name: 'Plain Customer' });

  for (const q of ['%', '_', '%%', '*', '"', 'NEAR', "' OR '1'='1", '"; DROP TABLE customers; --', 'a" OR "b', 'name:*', '^x', '(', '\\']) {
    const res = await send(server, ADA, 'GET', `/api/customers/search?q=${encodeURIComponent(q)}`);
    t.equal(res.status, 200, `${JSON.stringify(q)} is answered`);
    t.ok((res.json as Found).total < 3, `${JSON.stringify(q)} is no wildcard for every customer`);
  }
  t.same(names(await search(server, ADA, '100%')), ['100%_Rabatt GmbH'], 'a % typed is not a wildcard');
  t.same(names(await search(server, ADA, "o'brien")), ["O'Brien"], 'a quote typed is part of the text');
  t.equal((await send(server, ADA, 'GET', '/api/customers/search?q=plain')).status, 200);
  t.same(names(await search(server, ADA, 'plain')), ['Plain Customer'], 'the table is still there');

  const bad: [string, number][] = [
    [`q=${'x'.repeat(5000)}`, 400],
    ['q=', 400],
    ['', 400],
    ['q=x&limit=0', 400],
    ['q=x&limit=1000', 400],
    ['q=x&offset=-1', 400],
    ['q=x&other=1', 400],
  ];
  for (const [query, status] of bad) {
    const res = await send(server, ADA, 'GET', `/api/customers/search?${query}`);
    t.equal(res.status, status, `${query.slice(0, 40)} → ${status}`);
    t.equal((res.json as { error: { code: string } }).error.code, 'TENOR_ERR_VALIDATION');
  }
});

t.test('creating a customer and a case from the desk: the API rules, the agent scope', async (t) => {
  const server = await startGermanSite(t);
  const created = await send(server, ANN, 'POST', '/api/customers', { name: 'Neue Kundin', phones: ['030 9876543'], emails: ['neu@example.de'] });
  t.equal(created.status, 201, 'an agent creates a customer');
  t.same((created.json as { phones: string[] }).phones, ['+49309876543'], 'the number in E.164');
  t.equal((await send(server, ANN, 'POST', '/api/customers', { phones: ['030 9876543'] })).status, 400, 'a name is required');
  t.equal((await send(server, ANN, 'POST', '/api/customers', { name: 'X', phones: ['not a number'] })).status, 400, 'numbers are checked');

  const mueller = await createCustomer(server, { name: 'Jürgen Müller', phones: ['+49 30 1234567'] });
  t.equal((await send(server, ANN, 'POST', '/api/cases', { customer: mueller, code: 'FAULT' })).status, 403, 'no case for a customer she does not handle');
  await annAnswered(server, mueller, 'call-mueller');
  const kase = await send(server, ANN, 'POST', '/api/cases', { customer: mueller, code: 'FAULT', description: 'no dial tone' });
  t.equal(kase.status, 201, 'a case for her customer');
  t.match(kase.json, { code: 'FAULT', status: 'open', dueAt: String });
  t.equal((await send(server, ANN, 'POST', '/api/cases', { customer: mueller })).status, 400, 'a case needs a code');
  t.equal((await send(server, ANN, 'POST', '/api/cases', { customer: mueller, code: 'X', status: 'lost' })).status, 400, 'a status from the list');
  const history = await send(server, ANN, 'GET', `/api/customers/${mueller}/history`);
  t.match(history.json, { summary: { openCases: 1 }, items: [{ channel: 'case', notes: /FAULT/ }] }, 'the case is on the timeline');
});
