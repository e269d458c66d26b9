// HTTP Basic stays cheap and safe: repeated good requests are served from the
// verified-credentials cache (core/verified-passwords.ts), a changed password or
// a deleted user stops working on the next request, and a burst of wrong
// passwords is answered 429 with Retry-After (per address: few checks in
// flight, then backoff) while the server keeps serving everyone else.

import t from 'tap';
import { basic, login, seedPeople, startAccessServer } from '../access/harness.js';

t.test('Basic credentials: cached while valid, dropped at once when changed, guessing limited', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const annSession = await login(server, 'ann');
  const get = (url: string, authorization: string) => fetch(`${server.url}${url}`, { headers: { authorization } });
  const status = async (res: Promise<Response>) => {
    const r = await res;
    await r.arrayBuffer();
    return r.status;
  };
  const admin = { authorization: basic('ada', 'ada-password'), 'content-type': 'application/json' };

  const parallel = await Promise.all(Array.from({ length: 20 }, () => status(get('/api/agents/ann', basic('ann', 'ann-password')))));
  t.same(new Set(parallel), new Set([200]), 'a client sending 20 requests at once with a good password gets 20 answers (one check, shared)');
  for (let i = 0; i < 50; i++) {
    const code = await status(get('/api/agents/ann', basic('ann', 'ann-password')));
    if (code !== 200) t.fail(`request ${i} answered ${code}`);
  }
  t.pass('50 more requests with the same credentials all served');

  const changed = await fetch(`${server.url}/api/users/ann`, { method: 'PUT', headers: admin, body: JSON.stringify({ role: 'agent', password: 'ann-new-password' }) });
  t.equal(changed.status, 200);
  t.equal(await status(get('/api/agents/ann', basic('ann', 'ann-password'))), 401, 'the old password stops working at once');
  t.equal(await status(get('/api/agents/ann', basic('ann', 'ann-new-password'))), 200, 'the new one works');

  t.equal(await status(get('/api/agents/bob', basic('bob', 'bob-password'))), 200);
  t.equal(await status(fetch(`${server.url}/api/users/bob`, { method: 'DELETE', headers: { authorization: admin.authorization } })), 204);
  t.equal(await status(get('/api/agents/bob', basic('bob', 'bob-password'))), 401, 'a deleted user is refused at once');

  // A guesser opens many connections at once, each with another password.
  const burst = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
    const res = await get('/api/auth/me', basic('sue', `guess-${i}`));
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  }));
  t.ok(burst.every((r) => r.status === 401 || r.status === 429), 'every guess refused');
  const limited = burst.filter((r) => r.status === 429);
  t.ok(limited.length >= 30, `most of the burst is turned away before any password check (${limited.length} of 40)`);
  t.ok(limited.every((r) => Number(r.retryAfter) >= 1), 'with Retry-After');
  t.equal(await status(get('/api/auth/me', basic('sue', 'sue-password'))), 429, 'the right password from that address waits too');

  t.equal(await status(fetch(`${server.url}/health`)), 200, 'the server still answers');
  t.equal(await status(fetch(`${server.url}/api/auth/me`, { headers: { cookie: annSession.cookie } })), 401, "ann's session ended with her password change");
  t.equal(await status(get('/api/users', basic('ada', 'ada-password'))), 200, "another user's good password is not held back by sue's guesser (backoff is per username and address)");
});
