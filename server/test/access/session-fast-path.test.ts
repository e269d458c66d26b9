// A session found in memory is checked without waiting on anything (the guard
// answers in the same turn, issue 19's third HTTP pass). These requests all run
// on that path (the test clock never moves, so no last-seen write and no expiry
// delete is due; the user was read by the login a moment before): every check
// must still hold on it — roles, the per-agent data rule, CSRF, and revocation
// by logout, a role change and a deletion taking effect on the very next request.

import t from 'tap';
import { login, seedPeople, startAccessServer } from './harness.js';

t.test('on the in-memory session path roles, the per-agent rule, CSRF and revocation hold on the next request', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const ann = await login(server, 'ann');
  const sue = await login(server, 'sue');
  const get = async (path: string, cookie: string) => (await fetch(`${server.url}${path}`, { headers: { cookie } })).status;

  for (let i = 0; i < 20; i++) t.equal(await get('/api/auth/me', ann.cookie), 200, `request ${i + 1} in a row`);
  t.equal(await get('/api/agents/ann', ann.cookie), 200, 'an agent reads their own agent');
  t.equal(await get('/api/agents/bob', ann.cookie), 403, "but not another agent's");
  t.equal(await get('/api/agents/bob', sue.cookie), 200, 'a supervisor reads any agent');
  t.equal(await get('/api/users', ann.cookie), 403, 'an admin route refuses an agent');
  t.equal(await get('/api/auth/me', 'tenor_session=' + 'A'.repeat(43)), 401, 'an unknown id of the right shape');

  const change = (headers: Record<string, string>) =>
    fetch(`${server.url}/api/agents/ann/state`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ state: 'ready' }) });
  const noToken = await change({ cookie: ann.cookie });
  t.equal(noToken.status, 403, 'a change without the CSRF token is refused');
  t.equal(((await noToken.json()) as { error: { code: string } }).error.code, 'TENOR_ERR_CSRF');
  t.equal((await change({ cookie: ann.cookie, 'x-csrf-token': sue.csrf })).status, 403, "another session's CSRF token is refused");

  // The agent view's `since` is formatted once per state: a change must show at once.
  const since = async () => ((await (await fetch(`${server.url}/api/agents/ann`, { headers: { cookie: ann.cookie } })).json()) as { state: string; since: string });
  const before = await since();
  t.equal(before.state, 'logged-out');
  t.equal((await change({ cookie: ann.cookie, 'x-csrf-token': ann.csrf })).status, 200, 'with its own CSRF token the change is made');
  const after = await since();
  t.equal(after.state, 'ready');
  t.equal(after.since, new Date(server.services.get('acd').agent('ann')?.stateSince ?? 0).toISOString(), 'since is the new state\'s');

  const users = server.services.get('users');
  const bob = await login(server, 'bob');
  t.equal(await get('/api/auth/me', bob.cookie), 200);
  await users.update('bob', { role: 'supervisor' });
  t.equal(await get('/api/auth/me', bob.cookie), 401, 'a new role ends the session at once');
  t.equal(await get('/api/agents/bob', ann.cookie), 403, 'other sessions keep their rules');

  t.equal(await get('/api/auth/me', sue.cookie), 200);
  await users.remove('sue');
  t.equal(await get('/api/auth/me', sue.cookie), 401, 'a deleted user is out at once');

  const out = await fetch(`${server.url}/api/auth/logout`, { method: 'POST', headers: { cookie: ann.cookie } });
  t.equal(out.status, 204);
  t.equal(await get('/api/auth/me', ann.cookie), 401, 'logout ends the session at once');
  t.equal(await get('/api/agents/ann', ann.cookie), 401);
});
