// The admin API over real HTTP on a real SQLite file: users (sessions end on a
// new password, role or deletion; yourself and the last admin are kept), trunks
// (passwords never shown, kept when omitted) and entry numbers (checked against
// the flows and queues that exist), each persisted across a restart on the same
// data folder, with the site file's entries marked as such.

import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { hasLiveTrunks } from '../../src/services/trunks/live-trunks.js';
import { basic, LiveSocket, login, seedPeople, startAccessServer, type AccessServer } from '../access/harness.js';
import { tempDir, testConfig } from '../helpers.js';

const ADMIN = basic('admin', 'pw-admin-secret');

async function api(server: AccessServer, method: string, url: string, body?: unknown, auth = ADMIN): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${server.url}${url}`, {
    method,
    headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

const codeOf = (json: unknown): string | undefined => (json as { error?: { code?: string } } | null)?.error?.code;
const messageOf = (json: unknown): string => (json as { error?: { message?: string } } | null)?.error?.message ?? '';

/** A site file with one trunk and one entry number, so the 'config' origin shows. */
function siteConfig(t: Test) {
  const dir = tempDir(t, 'tenor-admin-site-');
  const file = path.join(dir, 'site.yaml');
  writeFileSync(file, JSON.stringify({
    queues: [{ name: 'sales' }, { name: 'support' }],
    trunks: [{ name: 'carrier', host: '192.0.2.10', username: 'acme', password: 'file-secret-word', callerId: '+15550000' }],
    entryNumbers: [{ number: '+15550100', queue: 'sales' }],
  }));
  return testConfig(t, { TENOR_CONFIG: file });
}

t.test('users: list, create, change role and password, delete; refusals', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);

  const list = await api(server, 'GET', '/api/users');
  t.equal(list.status, 200);
  t.same((list.json as { username: string }[]).map((u) => u.username), ['ada', 'admin', 'ann', 'bob', 'sue'], 'every user, by name');
  t.match((list.json as unknown[])[0], { username: 'ada', displayName: 'ada', role: 'admin' }, 'with display name and role');
  t.notOk(JSON.stringify(list.json).includes('hash'), 'no password hashes');

  t.equal((await api(server, 'PUT', '/api/users/cid', { role: 'agent' })).status, 400, 'a new user needs a password');
  const short = await api(server, 'PUT', '/api/users/cid', { role: 'agent', password: 'cid-passwd1' });
  t.equal(short.status, 400, 'an 11-character password is refused (at least 12)');
  t.notOk(JSON.stringify((await api(server, 'GET', '/api/users')).json).includes('"cid"'), 'and no user was created');
  const created = await api(server, 'PUT', '/api/users/cid', { role: 'agent', password: 'cid-password', displayName: 'Cid Campeador' });
  t.equal(created.status, 200);
  t.same(created.json, { username: 'cid', displayName: 'Cid Campeador', role: 'agent' }, 'created');
  t.equal((await fetch(`${server.url}/api/agents`, { headers: { authorization: basic('cid', 'cid-password') } })).status, 200, 'the new user logs in');
  t.equal(server.services.get('sipCredentials').lookup('cid'), undefined, 'and no SIP credentials: a web password never registers a phone');

  // A logged-in supervisor with an open live socket: a new role ends the session and closes the socket.
  const sue = await login(server, 'sue');
  const socket = new LiveSocket(t, server.wsUrl, { cookie: sue.cookie });
  await socket.until(() => socket.snapshots().length > 0, 10_000, 'sue snapshot');
  const promoted = await api(server, 'PUT', '/api/users/sue', { role: 'admin' });
  t.same(promoted.json, { username: 'sue', displayName: 'sue', role: 'admin' }, 'sue is an admin now');
  await socket.until(() => socket.closeCode !== undefined, 10_000, 'socket closed');
  t.equal(socket.closeCode, 4401, 'her live socket closed: the session ended with the old role');
  t.equal((await fetch(`${server.url}/api/users`, { headers: { cookie: sue.cookie } })).status, 401, 'her old session is gone');
  t.equal((await api(server, 'GET', '/api/users', undefined, basic('sue', 'sue-password'))).status, 200, 'with the new role she reaches the admin API');

  // A new password: the old password no longer works.
  const ann = await login(server, 'ann');
  t.equal((await api(server, 'PUT', '/api/users/ann', { role: 'agent', password: 'ann-new-password' })).status, 200, 'password changed');
  t.equal((await fetch(`${server.url}/api/agents/ann`, { headers: { cookie: ann.cookie } })).status, 401, 'her session ended');
  t.equal((await fetch(`${server.url}/api/agents/ann`, { headers: { authorization: basic('ann', 'ann-password') } })).status, 401, 'the old password fails');
  t.equal((await fetch(`${server.url}/api/agents/ann`, { headers: { authorization: basic('ann', 'ann-new-password') } })).status, 200, 'the new one works');

  // Deleting: the user's session ends; yourself and the last admin are kept.
  const bob = await login(server, 'bob');
  t.equal((await api(server, 'DELETE', '/api/users/bob')).status, 204, 'bob deleted');
  t.equal((await fetch(`${server.url}/api/agents/bob`, { headers: { cookie: bob.cookie } })).status, 401, 'his session ended');
  t.equal((await api(server, 'DELETE', '/api/users/bob')).status, 404, 'gone');
  const self = await api(server, 'DELETE', '/api/users/admin');
  t.same([self.status, codeOf(self.json)], [409, 'TENOR_ERR_USER_REFUSED'], 'an admin cannot delete themself');
  t.match(messageOf(self.json), /yourself/);
  for (const other of ['ada', 'sue']) t.equal((await api(server, 'DELETE', `/api/users/${other}`)).status, 204, `${other} deleted`);
  const demote = await api(server, 'PUT', '/api/users/admin', { role: 'supervisor' });
  t.same([demote.status, codeOf(demote.json)], [409, 'TENOR_ERR_USER_REFUSED'], 'the last admin is not demoted');
  t.match(messageOf(demote.json), /last admin/);
  t.equal((await api(server, 'PUT', '/api/users/cid', { role: 'admin' })).status, 200, 'cid becomes an admin');
  const lastOne = await api(server, 'DELETE', '/api/users/admin', undefined, basic('cid', 'cid-password'));
  t.equal(lastOne.status, 204, 'with another admin, admin may be deleted');
  const lastAdmin = await api(server, 'PUT', '/api/users/cid', { role: 'agent' }, basic('cid', 'cid-password'));
  t.same([lastAdmin.status, codeOf(lastAdmin.json)], [409, 'TENOR_ERR_USER_REFUSED'], 'now cid is the last admin and stays one');
});

t.test('trunks: CRUD, passwords never shown, site-file origin, persisted across a restart', async (t) => {
  const config = siteConfig(t);
  let server = await startAccessServer(t, { config });

  const list = await api(server, 'GET', '/api/trunks');
  t.same(list.json, [{
    name: 'carrier', host: '192.0.2.10', port: 5060, transport: 'udp', username: 'acme', hasPassword: true, register: false,
    fromDomain: null, callerId: '+15550000', inboundAddresses: [], origin: 'config', registration: null,
  }], 'the site file trunk, defaults filled in, no password');
  t.notOk(JSON.stringify(list.json).includes('file-secret-word'), 'the password is not in the answer');

  const created = await api(server, 'PUT', '/api/trunks/backup', { host: '127.0.0.1', port: 5099, transport: 'tcp', username: 'tenor', password: 'b-secret-word', inboundAddresses: ['127.0.0.9'] });
  t.equal(created.status, 200);
  t.match(created.json, { name: 'backup', host: '127.0.0.1', port: 5099, transport: 'tcp', username: 'tenor', hasPassword: true, origin: 'api', inboundAddresses: ['127.0.0.9'] });
  const driver = server.services.get('telephony');
  if (!hasLiveTrunks(driver)) throw new Error('the tests run the embedded engine, which changes trunks live');
  t.match(driver.trunks.find((x) => x.name === 'backup'), { port: 5099, password: 'b-secret-word' }, 'the running engine has the new trunk');

  // Edit without a password: it is kept. The file's trunk edited through the API becomes 'api'.
  const edited = await api(server, 'PUT', '/api/trunks/carrier', { host: '192.0.2.11', username: 'acme' });
  t.match(edited.json, { name: 'carrier', host: '192.0.2.11', hasPassword: true, origin: 'api', callerId: null }, 'edited; password kept');
  t.match(driver.trunks.find((x) => x.name === 'carrier'), { password: 'file-secret-word' }, 'the engine keeps using the password');

  const bad = await api(server, 'PUT', '/api/trunks/x', { host: '', port: 70000 });
  t.equal(bad.status, 400, 'an invalid trunk is refused');
  t.equal(codeOf(bad.json), 'TENOR_ERR_VALIDATION');
  t.equal((await api(server, 'PUT', '/api/trunks/bad name', { host: 'h' })).status, 400, 'an invalid name is refused');
  t.equal((await api(server, 'DELETE', '/api/trunks/nope')).status, 404, 'deleting an unknown trunk: 404');

  await server.stop();
  server = await startAccessServer(t, { config });
  const after = (await api(server, 'GET', '/api/trunks')).json as { name: string; host: string; origin: string; hasPassword: boolean }[];
  t.same(after.map((x) => [x.name, x.host, x.origin, x.hasPassword]), [['backup', '127.0.0.1', 'api', true], ['carrier', '192.0.2.10', 'config', true]],
    'after a restart: the API trunk as saved, the file trunk as the file says again');
  t.equal((await api(server, 'DELETE', '/api/trunks/backup')).status, 204, 'deleted');
  t.same(((await api(server, 'GET', '/api/trunks')).json as { name: string }[]).map((x) => x.name), ['carrier'], 'gone from the list');
  const restarted = server.services.get('telephony');
  if (!hasLiveTrunks(restarted)) throw new Error('the tests run the embedded engine, which changes trunks live');
  t.same(restarted.trunks.map((x) => x.name), ['carrier'], 'and from the engine');
  await server.stop();
  server = await startAccessServer(t, { config });
  t.same(((await api(server, 'GET', '/api/trunks')).json as { name: string }[]).map((x) => x.name), ['carrier'], 'still gone after another restart');
});

t.test('entry numbers: CRUD, unknown flow or queue refused, persisted across a restart', async (t) => {
  const config = siteConfig(t);
  let server = await startAccessServer(t, { config });
  t.same((await api(server, 'GET', '/api/entry-numbers')).json, [{ number: '+15550100', flow: null, queue: 'sales', origin: 'config' }], 'the site file number');

  const flow = await fetch(`${server.url}/api/flows/desk`, {
    method: 'PUT', headers: { authorization: ADMIN, 'content-type': 'application/yaml' },
    body: 'name: desk\nversion: 1\nlanguage: en\nstart: main\nnodes:\n  main: { type: queue, queue: support }\n',
  });
  t.equal(flow.status, 200, `flow desk saved: ${flow.status === 200 ? '' : await flow.text()}`);

  const toFlow = await api(server, 'PUT', '/api/entry-numbers/+15550200', { flow: 'desk' });
  t.same([toFlow.status, toFlow.json], [200, { number: '+15550200', flow: 'desk', queue: null, origin: 'api' }], 'a number into a flow');
  const toQueue = await api(server, 'PUT', '/api/entry-numbers/+15550100', { queue: 'support' });
  t.same(toQueue.json, { number: '+15550100', flow: null, queue: 'support', origin: 'api' }, 'the file number re-pointed');

  const noFlow = await api(server, 'PUT', '/api/entry-numbers/+15550300', { flow: 'nowhere' });
  t.same([noFlow.status, codeOf(noFlow.json)], [400, 'TENOR_ERR_VALIDATION'], 'unknown flow: 400');
  t.match(messageOf(noFlow.json), /there is no flow 'nowhere'/);
  const noQueue = await api(server, 'PUT', '/api/entry-numbers/+15550300', { queue: 'nowhere' });
  t.same([noQueue.status, codeOf(noQueue.json)], [400, 'TENOR_ERR_VALIDATION'], 'unknown queue: 400');
  t.match(messageOf(noQueue.json), /there is no queue 'nowhere'/);
  t.equal((await api(server, 'PUT', '/api/entry-numbers/+15550300', { queue: 'sales', flow: 'desk' })).status, 400, 'both flow and queue: 400');
  t.equal((await api(server, 'PUT', '/api/entry-numbers/+15550300', {})).status, 400, 'neither: 400');
  t.equal((await api(server, 'DELETE', '/api/entry-numbers/+15550300')).status, 404, 'never created: 404');

  await server.stop();
  server = await startAccessServer(t, { config });
  t.same((await api(server, 'GET', '/api/entry-numbers')).json, [
    { number: '+15550100', flow: null, queue: 'sales', origin: 'config' },
    { number: '+15550200', flow: 'desk', queue: null, origin: 'api' },
  ], 'after a restart: the API number as set, the file number as the file says again');
  t.equal((await api(server, 'DELETE', '/api/entry-numbers/+15550200')).status, 204, 'deleted');
  t.same(((await api(server, 'GET', '/api/entry-numbers')).json as { number: string }[]).map((e) => e.number), ['+15550100'], 'gone');
});
