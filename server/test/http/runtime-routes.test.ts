// A service added while the server runs serves its routes: over real HTTP,
// behind the same access guards and error answers as the routes of the start.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ADMIN_AUTH, startTestApp } from '../helpers.js';

const AUTH_MODULE = pathToFileURL(path.resolve(import.meta.dirname, '../../src/http/auth.js')).href;

/** A module service with a guarded GET and a POST that echoes its body, answering with its version. */
const greeterModule = (version: number): string => `
import { requireRole } from '${AUTH_MODULE}';
export default {
  name: 'greeter',
  version: '${version}.0.0',
  start: () => ({ greeting: () => 'hello from ${version}' }),
  routes: {
    prefix: '/api/greeter',
    plugin: (http) => async (app) => {
      const staff = requireRole(http.services.get('users'), 'admin', 'supervisor');
      app.get('/', { onRequest: staff }, async () => ({ greeting: http.services.get('greeter').greeting(), version: ${version} }));
      app.post('/echo', { onRequest: staff }, async (request) => ({ echoed: request.body, version: ${version} }));
      ${version === 2 ? "app.get('/new', { onRequest: staff }, async () => ({ added: true }));" : ''}
    },
  },
};
`;

t.test('a service added through POST /api/services serves its routes, guarded; a replace swaps them', async (t) => {
  const { app, config } = await startTestApp(t);
  writeFileSync(path.join(config.baseDir, 'greeter-1.mjs'), greeterModule(1));
  writeFileSync(path.join(config.baseDir, 'greeter-2.mjs'), greeterModule(2));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  const base = `http://127.0.0.1:${address.port}`;
  const get = (url: string, auth = true) => fetch(base + url, { headers: auth ? ADMIN_AUTH : {} });

  const before = await get('/api/greeter');
  t.equal(before.status, 404, 'no such route before the service is added');
  t.equal(((await before.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_NOT_FOUND');

  const added = await fetch(base + '/api/services', {
    method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ module: 'greeter-1.mjs' }),
  });
  t.equal(added.status, 201);

  const anonymous = await get('/api/greeter', false);
  t.equal(anonymous.status, 401, 'the access guard refuses a request without credentials');
  t.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_UNAUTHORIZED');
  const greeted = await get('/api/greeter');
  t.equal(greeted.status, 200);
  t.same(await greeted.json(), { greeting: 'hello from 1', version: 1 });

  const echoed = await fetch(base + '/api/greeter/echo', {
    method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ n: 7 }),
  });
  t.equal(echoed.status, 200, 'the service reads the request body itself');
  t.same(await echoed.json(), { echoed: { n: 7 }, version: 1 });
  const badJson = await fetch(base + '/api/greeter/echo', {
    method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: '{"n": ',
  });
  t.equal(badJson.status, 400);
  t.equal(((await badJson.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_VALIDATION', 'errors answer as everywhere else');

  t.equal((await get('/api/greeter/new')).status, 404, 'version 1 has no /new');
  const replaced = await fetch(base + '/api/services/greeter/replace', {
    method: 'POST', headers: { ...ADMIN_AUTH, 'content-type': 'application/json' }, body: JSON.stringify({ module: 'greeter-2.mjs' }),
  });
  t.equal(replaced.status, 200);
  t.same(await (await get('/api/greeter')).json(), { greeting: 'hello from 2', version: 2 }, 'the new version answers');
  t.same(await (await get('/api/greeter/new')).json(), { added: true }, 'and serves its new route');

  const boot = await get('/api/services');
  t.equal(boot.status, 200, 'the routes of the start still answer');
  const unknown = await get('/api/greeter-nope');
  t.equal(unknown.status, 404);
});
