import t from 'tap';
import { ServiceManager } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { usersService } from '../../src/services/users.js';
import { hashPassword, verifyPassword } from '../../src/core/passwords.js';
import { isTenorError } from '../../src/core/errors.js';
import { silentLogger, tempDir } from '../helpers.js';

async function start(dataDir: string, adminPassword: string | undefined): Promise<ServiceManager> {
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(storeService(dataDir));
  sm.register(usersService(adminPassword));
  await sm.startAll();
  return sm;
}

t.test('first start creates admin with the configured password; later starts keep it', async (t) => {
  const dir = tempDir(t);
  let sm = await start(dir, 'first-password');
  t.equal(sm.get('users').generatedAdminPassword, undefined);
  t.match(await sm.get('users').authenticate('admin', 'first-password'), { username: 'admin', role: 'admin' });
  t.equal(await sm.get('users').authenticate('admin', 'wrong'), undefined);
  t.equal(await sm.get('users').authenticate('nobody', 'first-password'), undefined);
  await sm.stopAll();
  sm = await start(dir, 'another');
  t.ok(await sm.get('users').authenticate('admin', 'first-password'), 'the stored password stays');
  await sm.stopAll();
});

t.test('without a configured password one is generated, usable once shown', async (t) => {
  const sm = await start(tempDir(t), undefined);
  const generated = sm.get('users').generatedAdminPassword;
  t.type(generated, 'string');
  t.ok((generated ?? '').length >= 20);
  t.ok(await sm.get('users').authenticate('admin', generated ?? ''));
  await sm.get('users').create({ username: 'alice', password: 'pw-alice-password', role: 'agent' });
  t.match(await sm.get('users').authenticate('alice', 'pw-alice-password'), { role: 'agent', displayName: 'alice' });
  await t.rejects(sm.get('users').create({ username: 'alice', password: 'x-long-password', role: 'agent' }), { code: 'TENOR_ERR_USER_EXISTS' });
  t.ok(isTenorError(await sm.get('users').create({ username: 'alice', password: 'x-long-password', role: 'agent' }).catch((e: unknown) => e), 'TENOR_ERR_USER_EXISTS'));
  await sm.stopAll();
});

t.test('passwords are stored as salted scrypt hashes', async (t) => {
  const a = await hashPassword('same');
  const b = await hashPassword('same');
  t.match(a, /^scrypt\$131072\$8\$1\$/, 'N = 2^17, r = 8, p = 1');
  t.not(a, b, 'salted');
  t.notMatch(a, /same/);
  t.ok(await verifyPassword('same', a));
  t.notOk(await verifyPassword('other', a));
  t.notOk(await verifyPassword('same', 'garbage'));
});

