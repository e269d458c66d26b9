// Who may read the metrics: GET /metrics on the API port admits supervisors
// and admins (Basic, as Prometheus's basic_auth sends it, or a web session),
// refuses callers without credentials (401) and agents (403); the
// metrics-only listener (`metrics.listen`) answers GET /metrics without
// credentials and serves nothing else of the API.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { isTenorError } from '../../src/core/errors.js';
import { loadConfig } from '../../src/services/index.js';
import { tempDir, testConfig } from '../helpers.js';
import { basic, login, seedPeople, startAccessServer } from '../access/harness.js';
import { parseExposition } from './exposition.js';

t.test('GET /metrics: 401 without credentials, 403 for agents, the text format for supervisors and admins', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const get = (headers: Record<string, string>) => fetch(`${server.url}/metrics`, { headers });

  const anonymous = await get({});
  t.equal(anonymous.status, 401, 'no credentials');
  t.match(await anonymous.json(), { error: { code: 'TENOR_ERR_UNAUTHORIZED' } });
  t.equal((await get({ authorization: basic('admin', 'wrong-password') })).status, 401, 'a wrong password');
  const agentBasic = await get({ authorization: basic('ann', 'ann-password') });
  t.equal(agentBasic.status, 403, 'an agent with Basic');
  t.match(await agentBasic.json(), { error: { code: 'TENOR_ERR_FORBIDDEN' } });
  const ann = await login(server, 'ann');
  t.equal((await get({ cookie: ann.cookie })).status, 403, "an agent's web session");
  t.equal((await get({ cookie: 'tenor_session=forged' })).status, 401, 'a forged session');

  for (const [who, auth] of [['supervisor', basic('sue', 'sue-password')], ['admin', basic('admin', 'pw-admin-secret')]] as const) {
    const res = await get({ authorization: auth });
    t.equal(res.status, 200, `${who} with Basic`);
    t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4; charset=utf-8$/, 'the Prometheus text content type');
    const text = await res.text();
    const scrape = parseExposition(text);
    t.equal(scrape.value('tenor_agents', { state: 'logged-out' }), 2, `${who}: ann and bob are logged out`);
    t.equal(scrape.value('tenor_queue_waiting', { queue: 'sales' }), 0, 'nobody waits in sales');
  }
  const sue = await login(server, 'sue');
  t.equal((await get({ cookie: sue.cookie })).status, 200, "a supervisor's web session");
});

t.test('the metrics-only listener: GET /metrics without credentials, nothing else', async (t) => {
  const base = testConfig(t);
  const server = await startAccessServer(t, { config: { ...base, metrics: { listen: '127.0.0.1:0' } } });
  await seedPeople(server);
  const listener = server.services.get('metrics').listener;
  t.ok(listener, 'the listener is up');
  if (!listener) return;
  t.equal(listener.host, '127.0.0.1', 'on the address asked for');
  t.not(listener.port, 0, 'on the port it bound');
  const at = `http://127.0.0.1:${listener.port}`;

  const res = await fetch(`${at}/metrics`);
  t.equal(res.status, 200, 'no credentials needed');
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  t.equal(parseExposition(await res.text()).value('tenor_agents', { state: 'logged-out' }), 2, 'the same metrics');

  t.equal((await fetch(`${at}/api/agents`)).status, 404, 'the API is not served there');
  t.equal((await fetch(`${at}/health`)).status, 404, 'nor anything else');
  t.equal((await fetch(`${at}/metrics`, { method: 'POST' })).status, 405, 'only GET (and HEAD)');
  const head = await fetch(`${at}/metrics`, { method: 'HEAD' });
  t.equal(head.status, 200, 'HEAD answers');

  await server.stop();
  await t.rejects(fetch(`${at}/metrics`), 'the listener is closed when the service stops');
});

t.test('the site file: metrics.listen is host:port, anything else is refused at load', async (t) => {
  const dir = tempDir(t);
  const load = (metrics: unknown): string => {
    const file = path.join(dir, 'site.yaml');
    writeFileSync(file, JSON.stringify({ metrics }));
    try {
      const config = loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: dir }, dir);
      return `listen ${config.metrics.listen ?? 'none'}`;
    } catch (err) {
      return isTenorError(err) ? err.message : String(err);
    }
  };
  t.equal(load({ listen: '127.0.0.1:9464' }), 'listen 127.0.0.1:9464');
  t.equal(load({ listen: '[::1]:9464' }), 'listen [::1]:9464', 'IPv6 in brackets');
  t.equal(load({}), 'listen none', 'no listener unless asked for');
  t.match(load({ listen: '9464' }), /metrics/, 'a port alone is refused, naming the section');
  t.match(load({ listen: '127.0.0.1:9464', token: 'x' }), /metrics/, 'unknown keys are refused');
});
