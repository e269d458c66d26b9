// The flows admin API over HTTP (fastify inject, real SQLite): list and read
// with history, save YAML or JSON (refused with node and line on a problem),
// check without saving, simulate with digits and a time, delete; who may do
// what; and API-saved versions surviving a restart.
import t, { type Test } from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uiRoot } from '@tenor/agent-ui';
import { ServiceManager } from '../../src/core/service-manager.js';
import { build, type TenorApp } from '../../src/http/app.js';
import { builtinServices } from '../../src/services/index.js';
import type { TenorConfig } from '../../src/config/schema.js';
import { ADMIN_AUTH, silentLogger, tempDir, testConfig } from '../helpers.js';

const MENU = `
name: menu
version: 1
language: en
timezone: UTC
start: main
nodes:
  main:
    type: menu
    prompts: [thank-you]
    options: { '1': sales, '2': closed }
    timeout: 3s
    retries: 1
    fallback: sales
  closed:
    type: condition
    cases:
      - when: { days: mon-fri, time: '09:00-17:00' }
        next: support
    else: sales
  sales: { type: queue, queue: sales }
  support: { type: queue, queue: support }
`;

const auth = (user: string, pw: string) => ({ authorization: 'Basic ' + Buffer.from(`${user}:${pw}`).toString('base64') });

async function boot(t: Test, config: TenorConfig): Promise<{ app: TenorApp; services: ServiceManager; stop(): Promise<void> }> {
  const services = new ServiceManager({ logger: silentLogger });
  for (const def of builtinServices(config)) services.register(def);
  await services.startAll();
  const app = await build({ services, logger: silentLogger, version: '9.9.9', baseDir: config.baseDir, uiRoot });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await app.close();
    await services.stopAll();
  };
  t.teardown(stop);
  return { app, services, stop };
}

function siteConfig(t: Test): TenorConfig {
  const dir = tempDir(t, 'tenor-ivr-api-');
  mkdirSync(path.join(dir, 'flows'));
  writeFileSync(path.join(dir, 'flows', 'menu.yaml'), MENU);
  writeFileSync(path.join(dir, 'site.yaml'), JSON.stringify({
    queues: [{ name: 'sales' }, { name: 'support' }],
    flows: [{ name: 'menu', file: 'flows/menu.yaml' }],
    entryNumbers: [{ number: '+15550600', flow: 'menu' }],
  }));
  return testConfig(t, { TENOR_CONFIG: path.join(dir, 'site.yaml') });
}

t.test('flows API: read, save, check, simulate, delete; admins change, supervisors read, agents are refused', async (t) => {
  const config = siteConfig(t);
  const { app, services } = await boot(t, config);
  await services.get('users').create({ username: 'sue', displayName: 'Sue', password: 'sue-secret-word', role: 'supervisor' });
  await services.get('users').create({ username: 'al', displayName: 'Al', password: 'al-secret-word', role: 'agent' });
  const req = async (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, opts: { body?: string; type?: string; headers?: Record<string, string> } = {}) => {
    const res = await app.inject({
      method, url, headers: { ...(opts.headers ?? ADMIN_AUTH), ...(opts.body !== undefined ? { 'content-type': opts.type ?? 'application/yaml' } : {}) },
      ...(opts.body !== undefined ? { payload: opts.body } : {}),
    });
    return { status: res.statusCode, json: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : undefined };
  };

  const list = await req('GET', '/api/flows', { headers: auth('sue', 'sue-secret-word') });
  t.equal(list.status, 200, 'a supervisor may list flows');
  t.match(list.json, [{ name: 'menu', version: 1, origin: 'file', nodes: 4, language: 'en', timezone: 'UTC' }], 'the site flow is live as version 1');
  t.equal((await req('GET', '/api/flows', { headers: auth('al', 'al-secret-word') })).status, 403, 'an agent may not');
  t.equal((await req('PUT', '/api/flows/menu', { body: MENU, headers: auth('sue', 'sue-secret-word') })).status, 403, 'a supervisor may not save');

  const one = await req('GET', '/api/flows/menu');
  t.match(one.json, { name: 'menu', version: 1, source: MENU, history: [{ version: 1, origin: 'file' }] }, 'one flow: source and history');
  t.equal((await req('GET', '/api/flows/nope')).status, 404, 'an unknown flow is 404');

  // JSON is a flow format too; the name in the document must match the URL.
  const other = { name: 'other', version: 1, language: 'en', timezone: 'UTC', start: 'go', nodes: { go: { type: 'transfer', flow: 'menu' } } };
  const savedJson = await req('PUT', '/api/flows/other', { body: JSON.stringify(other, null, 2), type: 'application/json' });
  t.equal(savedJson.status, 200, `a JSON flow is saved: ${JSON.stringify(savedJson.json)}`);
  t.match(savedJson.json, { name: 'other', version: 1, origin: 'api', savedBy: 'admin', changed: true }, 'version 1, saved by admin through the API');
  const again = await req('PUT', '/api/flows/other', { body: JSON.stringify(other, null, 2), type: 'application/json' });
  t.match(again.json, { version: 1, changed: false }, 'the same source again makes no new version');
  const misnamed = await req('PUT', '/api/flows/third', { body: JSON.stringify(other), type: 'application/json' });
  t.match(misnamed, { status: 400, json: { error: { code: 'TENOR_ERR_FLOW_INVALID', message: /named 'other' but is saved as 'third'/ } } }, 'a name that does not match the URL is refused');

  const broken = MENU.replace("'2': closed", "'2': clsoed");
  const refused = await req('PUT', '/api/flows/menu', { body: broken });
  const line = broken.split('\n').findIndex((l) => l.includes('clsoed')) + 1;
  t.equal(refused.status, 400, 'a flow with an unknown target is refused');
  t.match(refused.json, { error: { code: 'TENOR_ERR_FLOW_INVALID', details: { problems: [{ node: 'main', line, message: /clsoed/ }] } } }, `the problem names node main and line ${line}`);
  t.match((await req('GET', '/api/flows/menu')).json, { version: 1 }, 'the live version stays 1');

  const check = await req('POST', '/api/flows/check', { body: broken, type: 'text/plain' });
  t.match(check, { status: 200, json: { ok: false, problems: [{ node: 'main', line }] } }, 'check lists the problems without saving');
  t.match(await req('POST', '/api/flows/check', { body: MENU }), { status: 200, json: { ok: true, problems: [] } }, 'a good flow checks clean');
  t.match(await req('POST', '/api/flows/check', { body: 'name: [', type: 'application/yaml' }), { json: { ok: false, problems: [{ line: 1, message: /YAML/ }] } }, 'unreadable YAML has a line too');

  const simulate = (body: Record<string, unknown>) => req('POST', '/api/flows/menu/simulate', { body: JSON.stringify(body), type: 'application/json', headers: auth('sue', 'sue-secret-word') });
  const inHours = await simulate({ caller: '+31201110001', time: '2026-11-25T10:00:00Z', digits: ['2'] });
  t.equal(inHours.status, 200, 'a supervisor may simulate');
  t.match(inHours.json, { flow: 'menu', version: 1, outcome: { type: 'queue', queue: 'support' }, prompts: [{ node: 'main', prompt: 'thank-you', language: 'en' }] }, 'Wednesday 10:00, 2 → support');
  t.same((inHours.json?.['path'] as { node: string }[]).map((s) => s.node), ['main', 'closed', 'support'], 'the path taken');
  const night = await simulate({ caller: '+31201110001', time: '2026-11-25T20:00:00Z', digits: ['2'] });
  t.match(night.json, { outcome: { type: 'queue', queue: 'sales' } }, 'Wednesday 20:00, 2 → sales');
  const draft = await simulate({ caller: '+31201110001', digits: ['1'], source: MENU.replace("'1': sales", "'1': support") });
  t.match(draft.json, { version: null, outcome: { queue: 'support' } }, 'a draft is simulated without saving it');

  t.match(await req('DELETE', '/api/flows/menu'), { status: 409, json: { error: { code: 'TENOR_ERR_FLOW_IN_USE', message: /site file/ } } }, 'a site-file flow cannot be deleted');
  await req('PUT', '/api/flows/leaf', { body: JSON.stringify({ ...other, name: 'leaf', nodes: { go: { type: 'hangup' } } }), type: 'application/json' });
  await req('PUT', '/api/flows/other', { body: JSON.stringify({ ...other, nodes: { go: { type: 'transfer', flow: 'leaf' } } }), type: 'application/json' });
  t.match(await req('DELETE', '/api/flows/leaf'), { status: 409, json: { error: { message: /'other' send calls to it/ } } }, 'a flow another one transfers to cannot be deleted');
  t.equal((await req('DELETE', '/api/flows/other')).status, 204, 'an API flow is deleted');
  t.equal((await req('GET', '/api/flows/other')).status, 404, 'and is gone');
  t.equal((await req('DELETE', '/api/flows/other')).status, 404, 'deleting it again: 404');
});

t.test('versions saved through the API survive a restart; a site file changed while the server was down is the newest version', async (t) => {
  const config = siteConfig(t);
  const first = await boot(t, config);
  const put = await first.app.inject({ method: 'PUT', url: '/api/flows/menu', headers: { ...ADMIN_AUTH, 'content-type': 'application/yaml' }, payload: MENU.replace("'1': sales", "'1': support") });
  t.equal(put.statusCode, 200, 'version 2 saved');
  await first.stop();

  const second = await boot(t, config);
  const live = second.services.get('ivr').flow('menu');
  t.match(live, { version: 2, origin: 'api' }, 'after a restart version 2 (API) is still live: the unchanged file does not override it');
  await second.stop();

  writeFileSync(path.resolve(config.baseDir, 'flows/menu.yaml'), MENU.replace('timeout: 3s', 'timeout: 4s'));
  const third = await boot(t, config);
  t.match(third.services.get('ivr').flow('menu'), { version: 3, origin: 'file' }, 'the file edited while down becomes version 3');
  const history = await third.services.get('ivr').history('menu');
  t.same(history.map((v) => [v.version, v.origin]), [[3, 'file'], [2, 'api'], [1, 'file']], 'all three versions are kept');
});
