import t, { type Test } from 'tap';
import type { TenorApp } from '../../src/http/app.js';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';

const auth = (user: string, pw: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64') });
const ADMIN = ADMIN_AUTH;

async function setup(t: Test): Promise<TenorApp> {
  const { app, services } = await startTestApp(t);
  await services.get('users').create({ username: 'alice', password: 'alice-password', role: 'agent' });
  return app;
}

t.test('customers over REST: create, find by any number, change, page, delete', async (t) => {
  const app = await setup(t);
  const created = await app.inject({
    method: 'POST', url: '/api/customers', headers: auth('alice', 'alice-password'),
    payload: { name: 'Grace Hopper', phones: ['(212) 555-0100', '+1 646 555 0199'], segment: 'A', emails: ['grace@example.com'] },
  });
  t.equal(created.statusCode, 201);
  const grace = created.json() as { id: number; phones: string[] };
  t.same(grace.phones, ['+12125550100', '+16465550199'], 'numbers normalized to E.164 (default country US)');

  for (const dialed of ['+12125550100', '212-555-0100', '001 646 555 0199']) {
    const found = await app.inject({ url: `/api/customers?phone=${encodeURIComponent(dialed)}`, headers: ADMIN });
    t.same((found.json() as { items: { name: string }[] }).items.map((c) => c.name), ['Grace Hopper'], `found by ${dialed}`);
  }
  const none = await app.inject({ url: '/api/customers?phone=%2B15550000000', headers: ADMIN });
  t.same(none.json(), { items: [], total: 0 });

  const patched = await app.inject({ method: 'PATCH', url: `/api/customers/${grace.id}`, headers: ADMIN, payload: { segment: 'B' } });
  t.equal(patched.statusCode, 200);
  t.match(patched.json(), { segment: 'B', name: 'Grace Hopper' });

  for (let i = 0; i < 5; i++) await app.inject({ method: 'POST', url: '/api/customers', headers: ADMIN, payload: { name: `C${i}`, segment: 'C' } });
  const page = await app.inject({ url: '/api/customers?segment=C&limit=2&offset=2', headers: ADMIN });
  t.match(page.json(), { total: 5, items: [{ name: 'C2' }, { name: 'C3' }] });

  t.equal((await app.inject({ method: 'DELETE', url: `/api/customers/${grace.id}`, headers: auth('alice', 'alice-password') })).statusCode, 403, 'agents may not delete');
  t.equal((await app.inject({ method: 'DELETE', url: `/api/customers/${grace.id}`, headers: ADMIN })).statusCode, 204);
  const gone = await app.inject({ url: `/api/customers/${grace.id}`, headers: ADMIN });
  t.equal(gone.statusCode, 404);
  t.equal(gone.json().error.code, 'TENOR_ERR_NOT_FOUND');
});

t.test('validation from the model: clear 400s, nothing written', async (t) => {
  const app = await setup(t);
  const cases: [unknown, RegExp][] = [
    [{ phones: ['+12125550100'] }, /must have required property 'name'/],
    [{ name: 'X', segment: 'Z' }, /segment/],
    [{ name: 'X', shoeSize: 44 }, /must NOT have additional properties/],
    [{ name: 'X', phones: ['call me maybe'] }, /'call me maybe' is not a phone number/],
  ];
  for (const [payload, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/customers', headers: ADMIN, payload: payload as object });
    t.equal(res.statusCode, 400, JSON.stringify(payload));
    t.equal(res.json().error.code, 'TENOR_ERR_VALIDATION');
    t.match(res.json().error.message, message);
  }
  t.match((await app.inject({ url: '/api/customers', headers: ADMIN })).json(), { total: 0 });
  t.equal((await app.inject({ url: '/api/customers' })).statusCode, 401, 'customer data needs a signed-in user');
});

t.test('the generated routes are in the OpenAPI document', async (t) => {
  const app = await setup(t);
  const doc = (await app.inject('/api/docs/json')).json() as { paths: Record<string, Record<string, unknown>> };
  for (const p of ['/api/customers', '/api/customers/{id}', '/api/interactions', '/api/cases/{id}']) t.ok(doc.paths[p], p);
  t.same(Object.keys(doc.paths['/api/customers/{id}'] ?? {}).sort(), ['delete', 'get', 'patch']);
});
