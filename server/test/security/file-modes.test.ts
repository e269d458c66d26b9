// Attack: another local account (a shared host, a backup agent, a web server
// user) reads the database — password hashes, SIP secrets, customers — or the
// recordings. Before, the data folder and database were created with the umask
// default (0755/0644). Now the data folder is 0700 and the database with its
// -wal and -shm files 0600, on a new install and after an upgrade.

import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ServiceManager } from '../../src/core/service-manager.js';
import { installationSecret } from '../../src/core/secret.js';
import { databaseFile, storeService } from '../../src/services/store.js';
import { silentLogger, tempDir } from '../helpers.js';

const mode = async (file: string): Promise<number> => (await stat(file)).mode & 0o777;

async function startStore(dataDir: string): Promise<ServiceManager> {
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(dataDir));
  await services.startAll();
  return services;
}

t.test('a new install: data folder 0700, database, -wal, -shm and key file 0600, whatever the umask', async (t) => {
  const previous = process.umask(0o000); // the most permissive umask: modes must not depend on it
  t.teardown(() => void process.umask(previous));
  const dataDir = path.join(tempDir(t), 'data');
  const services = await startStore(dataDir);
  t.teardown(() => services.stopAll());
  await services.get('store').run('CREATE TABLE IF NOT EXISTS probe (x INTEGER)');
  await services.get('store').run('INSERT INTO probe VALUES (1)');
  installationSecret(dataDir);

  t.equal(await mode(dataDir), 0o700, 'data folder 0700');
  const db = databaseFile(dataDir);
  for (const file of [db, `${db}-wal`, `${db}-shm`, path.join(dataDir, 'secret.key')]) t.equal(await mode(file), 0o600, `${path.basename(file)} 0600`);
});

t.test('an existing install made with loose modes is tightened at start', async (t) => {
  const dataDir = path.join(tempDir(t), 'old');
  await mkdir(dataDir, { mode: 0o755 });
  await chmod(dataDir, 0o755);
  const first = await startStore(dataDir);
  await first.get('store').run('CREATE TABLE IF NOT EXISTS probe (x INTEGER)');
  await first.stopAll();
  const db = databaseFile(dataDir);
  await chmod(dataDir, 0o755);
  await chmod(db, 0o644);
  await writeFile(`${db}-wal`, '');
  await chmod(`${db}-wal`, 0o644);

  const again = await startStore(dataDir);
  t.teardown(() => again.stopAll());
  t.equal(await mode(dataDir), 0o700, 'data folder back to 0700');
  t.equal(await mode(db), 0o600, 'database back to 0600');
  t.equal(await mode(`${db}-wal`), 0o600, '-wal back to 0600');
});
