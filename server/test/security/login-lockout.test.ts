// Attack: lock a user out by guessing their password. Before, five wrong web
// passwords for a username locked it for 15 minutes from everywhere, so anyone
// could lock out admin and every agent. Now failures back off per (username,
// address): a stranger hammering `ann` from 127.0.0.3 slows only themselves and
// ann, from 127.0.0.2, logs in at once (login form and HTTP Basic alike). When
// failures pour in from many addresses, logins slow down for everybody, but
// the right password still gets in.

import t from 'tap';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { basic, seedPeople, startAccessServer } from '../access/harness.js';
import { startTestApp, tempDir, testConfig } from '../helpers.js';

interface Answer {
  status: number;
  retryAfter: string | undefined;
  ms: number;
}

/** An HTTP request sent from a chosen loopback address (fastify's request.ip is the socket's). */
function from(localAddress: string, url: string, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, localAddress }, (res) => {
      res.resume();
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined, ms: Date.now() - started });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const loginFrom = (base: string, address: string, username: string, password: string) =>
  from(address, `${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

t.test("a stranger's wrong passwords from another address do not lock the real user out", async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const stranger = '127.0.0.3';
  const ann = '127.0.0.2';

  const answers: Answer[] = [];
  for (let i = 0; i < 12; i++) answers.push(await loginFrom(server.url, stranger, 'ann', `guess-${i}`));
  t.same(answers.slice(0, 3).map((a) => a.status), [401, 401, 401], 'the first wrong passwords are simply wrong');
  t.ok(answers.slice(3).every((a) => a.status === 429), 'then the stranger is made to wait (429) without the password being checked');
  t.equal((await loginFrom(server.url, stranger, 'ann', 'ann-password')).status, 429, 'even the right password waits, from the guessing address');

  t.equal((await loginFrom(server.url, ann, 'ann', 'ann-password')).status, 200, 'ann logs in from her own address');
  const me = await from(ann, `${server.url}/api/auth/me`, { method: 'GET', headers: { authorization: basic('ann', 'ann-password') } });
  t.equal(me.status, 200, 'and so does her script with HTTP Basic');
  t.equal((await from(stranger, `${server.url}/api/auth/me`, { method: 'GET', headers: { authorization: basic('ann', 'ann-password') } })).status, 429,
    'Basic from the guessing address goes through the same limiter');
});

t.test('failures from many addresses slow every login down, and the right password still gets in', async (t) => {
  // A low threshold so a handful of addresses stand for a botnet.
  const server = await startAccessServer(t, { sessions: { limits: { globalFailuresPerMinute: 4, slowDownMs: 1500 } } });
  await seedPeople(server);
  for (let i = 3; i <= 8; i++) t.equal((await loginFrom(server.url, `127.0.0.${i}`, 'ada', 'wrong-guess')).status, 401, `one guess from 127.0.0.${i}`);

  // The same username and password sent twice at once share one check (docs/access.md): both get its answer.
  const [first, second] = await Promise.all([
    loginFrom(server.url, '127.0.0.2', 'ann', 'ann-password'),
    loginFrom(server.url, '127.0.0.2', 'ann', 'ann-password'),
  ]);
  t.same([first.status, second.status], [200, 200], 'the same login sent twice at once is checked once, and both get in');
  t.ok(Math.min(first.ms, second.ms) >= 1400, `after the slow-down (${first.ms} and ${second.ms} ms)`);
  // Two different passwords are two checks: while slowed down, an address has one at a time.
  const [right, guess] = await Promise.all([
    loginFrom(server.url, '127.0.0.2', 'ann', 'ann-password'),
    loginFrom(server.url, '127.0.0.2', 'ann', 'another-guess'),
  ]);
  t.equal([right.status, guess.status].filter((s) => s === 429).length, 1,
    `one check at a time per address while slowed down: of two different passwords, one is told to retry (${right.status}, ${guess.status})`);
  t.equal((await loginFrom(server.url, '127.0.0.2', 'ann', 'ann-password')).status, 200, 'the real user is never refused for the others\' failures');
  t.equal((await loginFrom(server.url, '127.0.0.9', 'ada', 'ada-password')).status, 200, 'nor is the guessed-at admin, from a fresh address');
});

t.test('the site file sets the backoff (http.login)', async (t) => {
  const dir = tempDir(t);
  const site = path.join(dir, 'site.yaml');
  await writeFile(site, 'http:\n  login: { failuresBeforeBackoff: 1, maxBackoffSeconds: 60 }\n');
  const { app } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: site }) });
  const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password } });
  t.equal((await attempt('wrong-guess-1')).statusCode, 401, 'one free failure');
  const held = await attempt('wrong-guess-2');
  t.equal(held.statusCode, 429, 'then the wait starts, as the site file says');
  t.equal(held.headers['retry-after'], '1');
});
