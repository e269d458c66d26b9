// API tokens over real HTTP: admins make them (the secret shown once), Bearer
// works like Basic on any route within the token's role (an agent token only
// reaches its agent's data), revocation and expiry apply to the next request,
// and the secret is in no list, no database file and no log line.

import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { apiTokensService } from '../../src/services/api-tokens/index.js';
import { basic, LiveSocket, login, seedPeople, startAccessServer, TestClock } from '../access/harness.js';
import { testConfig } from '../helpers.js';

const HOUR = 3_600_000;

t.test('API tokens: made by admins, bound to their role, revocable, never shown again', async (t) => {
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done(); } }));
  const config = testConfig(t);
  const clock = new TestClock();
  const server = await startAccessServer(t, {
    config, clock, logger,
    extraServices: [apiTokensService({ dataDir: config.dataDir, now: () => clock.now() })],
  });
  await seedPeople(server);
  const startedAt = clock.now();
  const adminSession = async () => {
    const ada = await login(server, 'ada');
    return { cookie: ada.cookie, 'x-csrf-token': ada.csrf };
  };
  let asAdmin = await adminSession();
  const make = (body: object, headers: Record<string, string> = asAdmin) =>
    fetch(`${server.url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const get = (url: string, secret: string) => fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${secret}` } });
  const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

  const created = await make({ name: 'CRM sync (ann)', role: 'agent', agent: 'ann' });
  t.equal(created.status, 201);
  const annToken = (await created.json()) as { id: string; secret: string; role: string; agent: string; createdBy: string; status: string };
  t.match(annToken, { role: 'agent', agent: 'ann', createdBy: 'ada', status: 'active' });
  t.match(annToken.secret, /^tnr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/, 'tnr_<id>_<256 random bits>');
  const supervisorToken = (await (await make({ name: 'wallboard', role: 'supervisor' }, { authorization: basic('ada', 'ada-password') })).json()) as { id: string; secret: string };
  const adminToken = (await (await make({ name: 'provisioning', role: 'admin' })).json()) as { id: string; secret: string };
  const secrets = [annToken.secret, supervisorToken.secret, adminToken.secret];

  await t.test('an agent token is that agent, like their session', async (t) => {
    const me = await get('/api/auth/me', annToken.secret);
    t.equal(me.status, 200);
    t.match(await me.json(), { user: { username: 'ann', role: 'agent', displayName: 'CRM sync (ann)' }, agent: 'ann', via: 'token', csrfToken: null });
    t.equal((await get('/api/agents/ann', annToken.secret)).status, 200, 'its own agent');
    t.equal((await get('/api/agents/bob', annToken.secret)).status, 403, "not another agent's");
    t.equal((await get('/api/users', annToken.secret)).status, 403, 'no admin routes');
    const change = await fetch(`${server.url}/api/agents/ann/state`, {
      method: 'POST', headers: { authorization: `Bearer ${annToken.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ state: 'break' }),
    });
    t.not(change.status, 401, 'a state change needs no CSRF token with a bearer token');
    t.not(change.status, 403);
  });

  await t.test('the live events socket takes a token like Basic', async (t) => {
    const socket = new LiveSocket(t, server.wsUrl, { authorization: `Bearer ${annToken.secret}` });
    await socket.until(() => socket.snapshots().length === 1, 10_000, 'snapshot');
    t.pass('an agent token opens /api/events');
    const made = new LiveSocket(t, server.wsUrl, { authorization: 'Bearer tnr_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    await made.until(() => made.refusedWith !== undefined, 10_000, 'refusal');
    t.equal(made.refusedWith, 401, 'a made-up token is refused');
    socket.ws.close();
  });

  await t.test('a supervisor token sees every agent but does no admin work', async (t) => {
    t.equal((await get('/api/agents/bob', supervisorToken.secret)).status, 200);
    t.equal((await get('/api/users', supervisorToken.secret)).status, 403);
    t.equal((await get('/api/tokens', supervisorToken.secret)).status, 403);
    t.equal((await make({ name: 'more', role: 'supervisor' }, { authorization: `Bearer ${supervisorToken.secret}` })).status, 403, 'cannot make tokens');
    t.equal((await get('/api/users', adminToken.secret)).status, 200, 'an admin token can');
  });

  await t.test('only admins make tokens, and never above their own role', async (t) => {
    t.equal((await make({ name: 'x', role: 'agent', agent: 'ann' }, { authorization: basic('sue', 'sue-password') })).status, 403, 'a supervisor cannot');
    t.equal((await make({ name: 'x', role: 'agent', agent: 'ann' }, { authorization: `Bearer ${annToken.secret}` })).status, 403, 'an agent token cannot');
    t.equal((await make({ name: 'x', role: 'agent', agent: 'ann' }, {})).status, 401, 'nobody cannot');
    await t.rejects(
      server.services.get('apiTokens').create({ name: 'up', role: 'admin' }, { username: 'sue', role: 'supervisor' }),
      { code: 'TENOR_ERR_FORBIDDEN' }, 'a role above the maker\'s is refused',
    );
  });

  await t.test('bad requests are refused with the reason', async (t) => {
    for (const [body, why] of [
      [{ name: 'x', role: 'agent' }, 'an agent token without its agent'],
      [{ name: 'x', role: 'agent', agent: 'nobody' }, 'an unknown agent'],
      [{ name: 'x', role: 'supervisor', agent: 'ann' }, 'an agent on a supervisor token'],
      [{ name: 'x', role: 'root' }, 'an unknown role'],
      [{ name: 'x\u0000y', role: 'admin' }, 'a control character in the name'],
      [{ name: 'x', role: 'admin', expiresAt: '2020-01-01T00:00:00Z' }, 'an expiry in the past'],
      [{ name: 'x', role: 'admin', expiresAt: 'tomorrow' }, 'an expiry that is no date'],
      [{ name: 'x', role: 'admin', secret: 'mine' }, 'a secret chosen by the caller'],
    ] as const) {
      const res = await make(body);
      t.equal(res.status, 400, why);
      t.equal(await errorCode(res), 'TENOR_ERR_VALIDATION');
    }
    t.equal((await get('/api/auth/me', 'tnr_0000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status, 401, 'a made-up token');
    t.equal((await get('/api/auth/me', annToken.secret)).status, 200, 'the real secret (now known to the fast check)');
    t.equal((await get('/api/auth/me', `${annToken.secret.slice(0, -1)}x`)).status, 401, 'a wrong secret for a real id');
    t.equal((await get('/api/auth/me', `${annToken.secret.slice(0, -1)}x`)).status, 401, 'and again: a refused secret is never remembered');
    t.equal((await get('/api/auth/me', annToken.secret)).status, 200, 'the real one still works after the wrong ones');
    t.equal((await get('/api/auth/me', 'garbage')).status, 401);
    const del = await fetch(`${server.url}/api/tokens/../users`, { method: 'DELETE', headers: asAdmin });
    t.not(del.status, 204);
    t.equal((await fetch(`${server.url}/api/tokens/0123456789abcdef`, { method: 'DELETE', headers: asAdmin })).status, 404, 'an unknown id');
  });

  await t.test('revoked and expired tokens answer 401 on the next request', async (t) => {
    t.equal((await fetch(`${server.url}/api/tokens/${supervisorToken.id}`, { method: 'DELETE', headers: asAdmin })).status, 204);
    const revoked = await get('/api/agents/bob', supervisorToken.secret);
    t.equal(revoked.status, 401);
    t.equal(await errorCode(revoked), 'TENOR_ERR_UNAUTHORIZED');

    const expiring = (await (await make({ name: 'one hour', role: 'supervisor', expiresAt: new Date(clock.now() + HOUR).toISOString() })).json()) as { id: string; secret: string };
    secrets.push(expiring.secret);
    t.equal((await get('/api/agents/bob', expiring.secret)).status, 200);
    clock.advance(HOUR + 1);
    t.equal((await get('/api/agents/bob', expiring.secret)).status, 401, 'expired');
    asAdmin = await adminSession(); // the hour ended ada's web session too
    const list = (await (await fetch(`${server.url}/api/tokens`, { headers: asAdmin })).json()) as { id: string; status: string }[];
    t.equal(list.find((x) => x.id === supervisorToken.id)?.status, 'revoked');
    t.equal(list.find((x) => x.id === expiring.id)?.status, 'expired');
  });

  await t.test('a token stops working when its agent is no longer an agent', async (t) => {
    const bobToken = (await (await make({ name: 'bob crm', role: 'agent', agent: 'bob' })).json()) as { secret: string };
    secrets.push(bobToken.secret);
    t.equal((await get('/api/agents/bob', bobToken.secret)).status, 200);
    await server.services.get('acd').removeAgent('bob');
    t.equal((await get('/api/auth/me', bobToken.secret)).status, 401);
  });

  await t.test('the secret is in no list, no database file and no log line; last use is recorded', async (t) => {
    const res = await fetch(`${server.url}/api/tokens`, { headers: asAdmin });
    t.equal(res.status, 200);
    const text = await res.text();
    const list = JSON.parse(text) as { id: string; secret?: string; lastUsedAt?: string }[];
    t.ok(list.length >= 4);
    t.ok(list.every((x) => x.secret === undefined), 'no secret field');
    t.equal(list.find((x) => x.id === annToken.id)?.lastUsedAt, new Date(startedAt).toISOString(), 'last use shows before it is written');

    await server.services.get('apiTokens').flushUses();
    await server.stop();
    const files = readdirSync(config.dataDir).filter((f) => f.startsWith('tenor.db'));
    t.ok(files.length > 0);
    for (const file of files) {
      const bytes = readFileSync(path.join(config.dataDir, file)).toString('latin1');
      for (const secret of secrets) {
        t.notOk(bytes.includes(secret), `${file} does not contain a secret`);
        t.notOk(bytes.includes(secret.slice(22)), `${file} does not contain its random part`);
      }
    }
    t.equal(statSync(path.join(config.dataDir, 'api-token.key')).mode & 0o777, 0o600, 'the hashing key is readable by Tenor only');
    const log = logLines.join('');
    t.match(log, /API token created/);
    t.match(log, /API token revoked/);
    for (const secret of secrets) t.notOk(log.includes(secret.slice(22)), 'no log line contains a secret');
  });
});
