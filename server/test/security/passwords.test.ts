// Web passwords: new ones need 12 characters wherever they are set, and
// hashes made with the old, weaker scrypt cost (N = 2^14) are replaced by the
// current one (N = 2^17) the next time the user logs in — read back from the
// database, not taken on trust.

import { scryptSync, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { verifyPassword } from '../../src/core/passwords.js';
import { basic, login, seedPeople, startAccessServer } from '../access/harness.js';
import { tempDir } from '../helpers.js';

const ELEVEN = 'abcdefghijk';

t.test('an 11-character password is refused everywhere a password is set; 12 characters are accepted', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const admin = { authorization: basic('ada', 'ada-password'), 'content-type': 'application/json' };
  const put = (username: string, body: Record<string, unknown>) => fetch(`${server.url}/api/users/${username}`, { method: 'PUT', headers: admin, body: JSON.stringify(body) });

  const created = await put('eve', { role: 'agent', password: ELEVEN });
  t.equal(created.status, 400, 'the users API refuses to create a user with it');
  t.notOk(await server.services.get('users').get('eve'), 'and no user exists');
  t.equal((await put('ann', { role: 'agent', password: ELEVEN })).status, 400, 'nor sets it on an existing user');
  t.equal((await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password: ELEVEN }) })).status, 401, "ann's password did not change");

  const users = server.services.get('users');
  const refused = await users.create({ username: 'eve', password: ELEVEN, role: 'agent' }).catch((err: unknown) => err);
  t.ok(isTenorError(refused, 'TENOR_ERR_PASSWORD_WEAK'), 'the users service refuses it too (CLI, demo, site file all go through it)');
  await t.rejects(users.setPassword('ann', ELEVEN), { code: 'TENOR_ERR_PASSWORD_WEAK' });

  t.equal((await put('eve', { role: 'agent', password: `${ELEVEN}l` })).status, 200, 'twelve characters are enough');
  await login(server, 'eve', `${ELEVEN}l`);
});

t.test('a site-file agent password under 12 characters stops the start, naming the file line', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'site.yaml');
  await writeFile(file, ['queues: [{ name: sales }]', 'agents:', '  - login: ann', '    name: Ann', `    password: ${ELEVEN}`, '    queues: [{ queue: sales }]', ''].join('\n'));
  const err = (() => {
    try {
      loadConfig({ TENOR_CONFIG: file, TENOR_DATA_DIR: dir }, dir);
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.ok(isTenorError(err, 'TENOR_ERR_CONFIG_INVALID'), 'a configuration error');
  t.match((err as Error).message, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5`), 'at line 5 of the site file');
  t.match((err as Error).message, /12/, 'saying how long it must be');
});

t.test('TENOR_ADMIN_PASSWORD under 12 characters stops the start', async (t) => {
  const dir = tempDir(t);
  t.throws(() => loadConfig({ TENOR_DATA_DIR: dir, TENOR_ADMIN_PASSWORD: ELEVEN }, dir), { code: 'TENOR_ERR_CONFIG_INVALID', message: /TENOR_ADMIN_PASSWORD: a password needs at least 12 characters \(this one has 11\)/ });
  t.doesNotThrow(() => loadConfig({ TENOR_DATA_DIR: dir, TENOR_ADMIN_PASSWORD: `${ELEVEN}l` }, dir));
});

t.test('a hash with the old scrypt parameters is upgraded on the next good login', async (t) => {
  const server = await startAccessServer(t);
  await seedPeople(server);
  const db = server.services.get('store');
  // What an earlier Tenor stored: scrypt N = 2^14, r = 8, p = 1.
  const salt = randomBytes(16);
  const oldHash = ['scrypt', 16384, 8, 1, salt.toString('base64'), scryptSync('ann-password', salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64')].join('$');
  await db.run('UPDATE users SET password_hash = ? WHERE username = ?', [oldHash, 'ann']);
  const stored = async () => (await db.get<{ password_hash: string }>('SELECT password_hash FROM users WHERE username = ?', ['ann']))?.password_hash ?? '';

  const wrong = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'ann', password: 'not-her-password' }) });
  t.equal(wrong.status, 401);
  t.equal(await stored(), oldHash, 'a wrong password changes nothing');

  await login(server, 'ann');
  const upgraded = await stored();
  t.match(upgraded, /^scrypt\$131072\$8\$1\$/, 'the stored hash now has N = 2^17');
  t.not(upgraded, oldHash);
  t.ok(await verifyPassword('ann-password', upgraded), 'and verifies her password');
  await login(server, 'ann');
  t.equal(await stored(), upgraded, 'a later login leaves the current hash alone');
});
