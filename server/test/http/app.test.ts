import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TenorApp } from '../../src/http/app.js';
import { defineService, type ServiceDefinition, type ServiceManager } from '../../src/core/service-manager.js';
import { ADMIN_AUTH, sleep, startTestApp } from '../helpers.js';

const ADMIN = ADMIN_AUTH.authorization;

async function setup(t: Test, extra: ServiceDefinition<object>[] = []): Promise<{ app: TenorApp; services: ServiceManager; dir: string }> {
  const { app, services, config } = await startTestApp(t, { extraServices: extra, healthTimeoutMs: 200 });
  return { app, services, dir: config.dataDir };
}

t.test('GET /health is 200 when every service is healthy, 503 otherwise', async (t) => {
  let healthy = true;
  const { app } = await setup(t, [
    defineService({ name: 'uplink', start: () => ({}), health: () => (healthy ? { status: 'ok' } : { status: 'down', detail: 'no route' }) }),
  ]);
  const ok = await app.inject('/health');
  t.equal(ok.statusCode, 200);
  t.match(ok.json(), { status: 'ok', version: '9.9.9', services: { store: 'ok', users: 'ok', events: 'ok', uplink: 'ok' } });
  t.match(ok.json(), { checkedAt: String, checkAgeMs: Number }, 'says how old its checks are');
  healthy = false;
  // Checks run in the background (http/health-cache.ts): the failure shows within a refresh round.
  let bad = await app.inject('/health');
  for (const give = Date.now() + 15_000; bad.statusCode === 200 && Date.now() < give; bad = await app.inject('/health')) await sleep(50);
  t.equal(bad.statusCode, 503);
  t.match(bad.json(), { status: 'unhealthy', services: { uplink: 'down' } });
});

t.test('GET /api/services lists services with status, health and dependencies', async (t) => {
  const { app } = await setup(t);
  t.equal((await app.inject('/api/services')).statusCode, 401, 'the service list is for admins');
  const res = await app.inject({ url: '/api/services', headers: { authorization: ADMIN } });
  t.equal(res.statusCode, 200);
  const users = (res.json() as { name: string }[]).find((s) => s.name === 'users');
  t.match(users, { name: 'users', status: 'running', health: { status: 'ok' }, dependsOn: ['store'], origin: 'builtin', version: '1.0.0' });
});

t.test('GET /api/docs/json is an OpenAPI 3 document listing the routes; /api/docs is browsable', async (t) => {
  const { app } = await setup(t);
  const res = await app.inject('/api/docs/json');
  t.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, unknown> };
  t.match(doc.openapi, /^3\./);
  t.ok(doc.paths['/health'] && doc.paths['/api/services'] && doc.paths['/api/services/{name}/replace']);
  const ui = await app.inject('/api/docs/');
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
});

t.test('replace and add services over HTTP: admins only, validated, callers switch', async (t) => {
  const { app, services, dir } = await setup(t);
  const mod = (version: string) => `export default { name: 'quotes', version: '${version}', start: () => ({ quote: () => 'v${version}' }) };\n`;
  writeFileSync(path.join(dir, 'quotes-1.mjs'), mod('1.0.0'));
  writeFileSync(path.join(dir, 'quotes-2.mjs'), mod('2.0.0'));

  const anonymous = await app.inject({ method: 'POST', url: '/api/services', payload: { module: 'quotes-1.mjs' } });
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.json().error.code, 'TENOR_ERR_UNAUTHORIZED');
  const wrong = await app.inject({
    method: 'POST', url: '/api/services', payload: { module: 'quotes-1.mjs' },
    headers: { authorization: 'Basic ' + Buffer.from('admin:nope').toString('base64') },
  });
  t.equal(wrong.statusCode, 401);

  const added = await app.inject({ method: 'POST', url: '/api/services', payload: { module: 'quotes-1.mjs' }, headers: { authorization: ADMIN } });
  t.equal(added.statusCode, 201);
  t.match(added.json(), { name: 'quotes', version: '1.0.0', status: 'running' });
  const quotes = services.get<{ quote(): string }>('quotes');
  t.equal(quotes.quote(), 'v1.0.0');

  const replaced = await app.inject({ method: 'POST', url: '/api/services/quotes/replace', payload: { module: 'quotes-2.mjs' }, headers: { authorization: ADMIN } });
  t.equal(replaced.statusCode, 200);
  t.match(replaced.json(), { name: 'quotes', version: '2.0.0', status: 'running' });
  t.equal(quotes.quote(), 'v2.0.0', 'a handle taken before the replace now reaches the new version');

  const reloaded = await app.inject({ method: 'POST', url: '/api/services/users/replace', headers: { authorization: ADMIN } });
  t.equal(reloaded.statusCode, 200, 'reload without a module restarts the same definition');

  const missing = await app.inject({ method: 'POST', url: '/api/services/nope/replace', payload: {}, headers: { authorization: ADMIN } });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().error.code, 'TENOR_ERR_SERVICE_NOT_FOUND');

  const invalid = await app.inject({ method: 'POST', url: '/api/services', payload: { options: {} }, headers: { authorization: ADMIN } });
  t.equal(invalid.statusCode, 400);
  t.equal(invalid.json().error.code, 'TENOR_ERR_VALIDATION');
  t.match(invalid.json().error.message, /body must have required property 'module'/);

  writeFileSync(path.join(dir, 'junk.mjs'), 'export default { hello: 1 };\n');
  const junk = await app.inject({ method: 'POST', url: '/api/services', payload: { module: 'junk.mjs' }, headers: { authorization: ADMIN } });
  t.equal(junk.statusCode, 400);
  t.equal(junk.json().error.code, 'TENOR_ERR_SERVICE_MODULE_INVALID');
});

t.test('unknown routes and malformed bodies get coded errors', async (t) => {
  const { app } = await setup(t);
  const notFound = await app.inject('/api/nothing-here');
  t.equal(notFound.statusCode, 404);
  t.equal(notFound.json().error.code, 'TENOR_ERR_NOT_FOUND');
  const badJson = await app.inject({
    method: 'POST', url: '/api/services', payload: '{"module": ', headers: { 'content-type': 'application/json', authorization: ADMIN },
  });
  t.equal(badJson.statusCode, 400);
  t.equal(badJson.json().error.code, 'TENOR_ERR_VALIDATION');
});
