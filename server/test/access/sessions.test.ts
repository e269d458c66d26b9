// Web login over real HTTP: the session cookie, idle and absolute expiry on a
// test clock, logout, sessions surviving a restart, the failed-login backoff and
// the CSRF rules for cookie-authenticated changes.

import t from 'tap';
import { basic, login, seedPeople, startAccessServer, TestClock } from './harness.js';

const json = { 'content-type': 'application/json' };
const MIN = 60_000;

t.test('login sets an httpOnly, SameSite=Strict session cookie; /api/auth/me tells who, which role, which agent', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'ann', password: 'ann-password' }) });
  t.equal(res.status, 200);
  const cookie = res.headers.get('set-cookie') ?? '';
  t.match(cookie, /^tenor_session=[A-Za-z0-9_-]{43}; /, 'a 256-bit random id');
  t.match(cookie, /; HttpOnly/);
  t.match(cookie, /; SameSite=Strict/);
  t.match(cookie, /; Path=\//);
  t.notMatch(cookie, /Secure/, 'not Secure over plain HTTP');
  const body = (await res.json()) as { csrfToken: string };
  t.match(body, { user: { username: 'ann', role: 'agent' }, agent: 'ann', via: 'session' });

  const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: cookie.split(';')[0] ?? '' } });
  t.equal(me.status, 200);
  t.match(await me.json(), { user: { username: 'ann', role: 'agent' }, agent: 'ann', csrfToken: body.csrfToken });

  const sue = await login(server, 'sue');
  t.match(await (await fetch(`${server.url}/api/auth/me`, { headers: { cookie: sue.cookie } })).json(), { user: { role: 'supervisor' }, agent: null });
  t.equal((await fetch(`${server.url}/api/auth/me`)).status, 401, 'no cookie: 401');
  t.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: 'tenor_session=forged' } })).status, 401, 'unknown session: 401');

  const wrong = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'ann', password: 'nope' }) });
  t.equal(wrong.status, 401);
  t.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_LOGIN_FAILED');
  t.equal(wrong.headers.get('set-cookie'), null);
});

t.test('behind a trusted proxy that says HTTPS the cookie is Secure; an untrusted X-Forwarded-Proto changes nothing', async (t) => {
  for (const trustProxy of [true, false]) {
    const server = await startAccessServer(t, { trustProxy });
    await seedPeople(server);
    const res = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { ...json, 'x-forwarded-proto': 'https' }, body: JSON.stringify({ username: 'ann', password: 'ann-password' }) });
    t.equal(res.status, 200);
    t.equal(/; Secure/.test(res.headers.get('set-cookie') ?? ''), trustProxy, `trustProxy ${trustProxy}`);
    await server.stop();
  }
});

t.test('a session ends after 30 minutes without a request, however long it lasted before', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const { cookie } = await login(server, 'ann');
  const me = async () => (await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).status;
  for (let i = 0; i < 4; i++) {
    server.clock.advance(29 * MIN);
    t.equal(await me(), 200, `still in after ${(i + 1) * 29} minutes with a request every 29`);
  }
  server.clock.advance(30 * MIN);
  t.equal(await me(), 401, 'idle for 30 minutes: logged out');
  server.clock.advance(-30 * MIN);
  t.equal(await me(), 401, 'and the session is gone for good');
});

t.test('a session ends 12 hours after login even when busy', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const { cookie } = await login(server, 'sue');
  const me = async () => (await fetch(`${server.url}/api/auth/me`, { headers: { cookie } })).status;
  let elapsed = 0;
  while (elapsed + 20 * MIN < 12 * 60 * MIN) {
    server.clock.advance(20 * MIN);
    elapsed += 20 * MIN;
    if ((await me()) !== 200) break;
  }
  t.equal(await me(), 200, `in after ${elapsed / MIN} minutes of activity`);
  server.clock.advance(12 * 60 * MIN - elapsed);
  t.equal(await me(), 401, 'out at 12 hours');
});

t.test('logout ends the session; sessions survive a server restart', async (t) => {
  const clock = new TestClock();
  const first = await startAccessServer(t, { clock });
  await seedPeople(first);
  const ann = await login(first, 'ann');
  const sue = await login(first, 'sue');
  await first.stop();

  const second = await startAccessServer(t, { clock, config: first.config });
  t.equal((await fetch(`${second.url}/api/auth/me`, { headers: { cookie: ann.cookie } })).status, 200, 'still logged in after the restart');
  const out = await fetch(`${second.url}/api/auth/logout`, { method: 'POST', headers: { cookie: ann.cookie } });
  t.equal(out.status, 204);
  t.match(out.headers.get('set-cookie') ?? '', /^tenor_session=; .*Max-Age=0/, 'the cookie is cleared');
  t.equal((await fetch(`${second.url}/api/auth/me`, { headers: { cookie: ann.cookie } })).status, 401, 'the old cookie no longer works');
  t.equal((await fetch(`${second.url}/api/auth/me`, { headers: { cookie: sue.cookie } })).status, 200, "another user's session is untouched");
});

t.test("a changed password ends that user's sessions, and only theirs", async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');
  t.ok(await server.services.get('users').setPassword('ann', 'a-new-password'));
  t.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: ann.cookie } })).status, 401, 'the session opened with the old password is gone');
  t.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: sue.cookie } })).status, 200, "another user's session is untouched");
  const again = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username: 'ann', password: 'a-new-password' }) });
  t.equal(again.status, 200, 'the new password logs in');
});

t.test('failed logins back off per username and address (1 s, 2 s, 4 s …): 429 with Retry-After; a correct password clears it', async (t) => {
  // A lower per-address limit than the default 20: every failure costs a full scrypt run.
  const server = await startAccessServer(t, { sessions: { limits: { maxPerAddress: 8 } } });
  await seedPeople(server);
  const attempt = (username: string, password: string) =>
    fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: json, body: JSON.stringify({ username, password }) });
  for (let i = 0; i < 3; i++) t.equal((await attempt('ann', `guess-${i}`)).status, 401, `failure ${i + 1} (free)`);
  const blocked = await attempt('ann', 'ann-password');
  t.equal(blocked.status, 429, 'the right password is refused too while backing off');
  t.equal(((await blocked.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_RATE_LIMITED');
  t.equal(blocked.headers.get('retry-after'), '1', 'one second after the third failure');
  t.equal((await fetch(`${server.url}/api/auth/me`, { headers: { authorization: basic('ann', 'ann-password') } })).status, 429, 'Basic is limited the same way');
  t.equal((await attempt('sue', 'sue-password')).status, 200, 'other users from the same address are not held back');

  server.clock.advance(1000);
  t.equal((await attempt('ann', 'guess-3')).status, 401, 'one more try after the wait');
  const doubled = await attempt('ann', 'ann-password');
  t.equal(doubled.status, 429);
  t.equal(doubled.headers.get('retry-after'), '2', 'each failure doubles the wait');
  server.clock.advance(2000);
  t.equal((await attempt('ann', 'ann-password')).status, 200, 'after the wait the right password works');
  t.equal((await attempt('ann', 'guess-4')).status, 401, 'and cleared the backoff: the next failure is free again');
  t.equal((await attempt('ann', 'ann-password')).status, 200);

  // Per address: many usernames from one address (ann's failures have left the 15-minute window by then).
  server.clock.advance(15 * MIN);
  for (let i = 0; i < 8; i++) t.equal((await attempt(`nobody-${i}`, 'x')).status, 401);
  const fromAddress = await attempt('bob', 'bob-password');
  t.equal(fromAddress.status, 429, 'maxPerAddress failures from one address hold back that address');
  t.equal(fromAddress.headers.get('retry-after'), '900', 'until the oldest of them leaves the window');
});

t.test('CSRF: cookie-authenticated changes need the x-csrf-token of their session and must not come from another site', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');
  const setState = (headers: Record<string, string>, state = 'break') =>
    fetch(`${server.url}/api/agents/ann/state`, { method: 'POST', headers: { ...json, ...headers }, body: JSON.stringify({ state, reason: 'lunch' }) });

  const noToken = await setState({ cookie: ann.cookie });
  t.equal(noToken.status, 403);
  t.equal(((await noToken.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_CSRF');
  t.equal((await setState({ cookie: ann.cookie, 'x-csrf-token': sue.csrf })).status, 403, "another session's token does not do");
  t.equal(server.services.get('acd').agent('ann')?.state, 'logged-out', 'nothing changed');

  const ok = await setState({ cookie: ann.cookie, 'x-csrf-token': ann.csrf });
  t.equal(ok.status, 200);
  t.equal(server.services.get('acd').agent('ann')?.state, 'break');

  const foreign = await setState({ cookie: ann.cookie, 'x-csrf-token': ann.csrf, origin: 'https://evil.example' });
  t.equal(foreign.status, 403, 'a page of another site is refused even with the token');
  t.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_CSRF');
  t.equal((await setState({ cookie: ann.cookie, 'x-csrf-token': ann.csrf, origin: server.url }, 'logged-out')).status, 200, 'our own page is fine');

  t.equal((await setState({ authorization: basic('ann', 'ann-password') })).status, 200, 'HTTP Basic needs no token (API clients)');
  const loginFromElsewhere = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { ...json, origin: 'https://evil.example' }, body: JSON.stringify({ username: 'ann', password: 'ann-password' }) });
  t.equal(loginFromElsewhere.status, 403, 'no login from another site');
  t.equal((await fetch(`${server.url}/api/auth/me`, { headers: { cookie: ann.cookie, origin: 'https://evil.example' } })).status, 200, 'reads are not state changes');
});
