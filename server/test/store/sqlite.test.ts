import t from 'tap';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteDatabase } from '../../src/store/sqlite.js';
import { migrations } from '../../src/store/migrations/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { silentLogger, tempDir } from '../helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));

t.test('migrations run once, in order, and are recorded', async (t) => {
  const file = path.join(tempDir(t), 'a.db');
  const db = new SqliteDatabase(file);
  t.same(await db.migrate(migrations), migrations.map((m) => m.id));
  t.same(await db.migrate(migrations), [], 'nothing to do the second time');
  const more = [...migrations, { id: '9999-notes', up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)' }];
  t.same(await db.migrate(more), ['9999-notes'], 'only the new one runs');
  t.same(await db.appliedMigrations(), more.map((m) => m.id));
  const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode');
  t.equal(mode?.journal_mode, 'wal');
  await db.close();
});

t.test('the store service opens its database in WAL mode with synchronous=FULL (what the power-loss claim rests on)', async (t) => {
  // WAL with synchronous=NORMAL would pass every other test here: a commit would be
  // durable against a killed process but not against a power cut.
  const services = new ServiceManager({ logger: silentLogger });
  services.register(storeService(tempDir(t)));
  await services.startAll();
  t.teardown(() => services.stopAll());
  const db = services.get('store');
  t.same(await db.get('PRAGMA synchronous'), { synchronous: 2 }, 'synchronous = 2 (FULL) on the connection every service uses');
  t.same(await db.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
});

t.test('a failing migration is reported by id and leaves nothing half-done', async (t) => {
  const db = new SqliteDatabase(path.join(tempDir(t), 'b.db'));
  const bad = [{ id: '0001-bad', up: 'CREATE TABLE ok_table (id INTEGER); CREATE TABLE broken (' }];
  try {
    await db.migrate(bad);
    t.fail('should fail');
  } catch (err) {
    t.ok(isTenorError(err, 'TENOR_ERR_STORE_MIGRATION_FAILED'));
    t.match((err as Error).message, /0001-bad/);
  }
  t.same(await db.appliedMigrations(), []);
  t.equal(await db.get("SELECT name FROM sqlite_master WHERE name = 'ok_table'"), undefined, 'rolled back whole');
  await db.close();
});

t.test('transactions commit together or not at all, and run one at a time', async (t) => {
  const db = new SqliteDatabase(path.join(tempDir(t), 'c.db'));
  await db.migrate([{ id: '1', up: 'CREATE TABLE accounts (name TEXT PRIMARY KEY, balance INTEGER NOT NULL)' }]);
  await db.run('INSERT INTO accounts VALUES (?, ?), (?, ?)', ['a', 100, 'b', 0]);
  await t.rejects(
    db.transaction(async (tx) => {
      await tx.run('UPDATE accounts SET balance = balance - 50 WHERE name = ?', ['a']);
      throw new Error('crash before the credit');
    }),
  );
  t.same(await db.all('SELECT * FROM accounts ORDER BY name'), [{ name: 'a', balance: 100 }, { name: 'b', balance: 0 }]);

  // Interleaved async transactions: each reads then writes; without isolation money would vanish.
  const transfer = () =>
    db.transaction(async (tx) => {
      const a = await tx.get<{ balance: number }>('SELECT balance FROM accounts WHERE name = ?', ['a']);
      await new Promise((r) => setImmediate(r));
      await tx.run('UPDATE accounts SET balance = ? WHERE name = ?', [(a?.balance ?? 0) - 1, 'a']);
      await tx.run('UPDATE accounts SET balance = balance + 1 WHERE name = ?', ['b']);
    });
  await Promise.all(Array.from({ length: 50 }, transfer));
  t.same(await db.all('SELECT * FROM accounts ORDER BY name'), [{ name: 'a', balance: 50 }, { name: 'b', balance: 50 }]);
  await db.close();
});

t.test('kill -9 in the middle of writing loses no committed record', async (t) => {
  const file = path.join(tempDir(t), 'crash.db');
  const child = spawn(process.execPath, [path.join(here, '../fixtures/crash-writer.mjs'), file], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastCommitted = 0;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('writer too slow')), 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastCommitted = Math.max(lastCommitted, Number(line));
      if (lastCommitted >= 300) {
        clearTimeout(timer);
        child.kill('SIGKILL'); // mid-write: the loop never pauses
        resolve();
      }
    });
    child.on('exit', () => resolve());
  });
  await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve)));
  t.equal(child.signalCode, 'SIGKILL');

  const db = new SqliteDatabase(file);
  const integrity = await db.get<{ integrity_check: string }>('PRAGMA integrity_check');
  t.equal(integrity?.integrity_check, 'ok', 'the database is intact');
  const rows = await db.all<{ id: number }>('SELECT id FROM records ORDER BY id');
  const ids = new Set(rows.map((r) => r.id));
  const missing = [];
  for (let i = 1; i <= lastCommitted; i++) if (!ids.has(i * 2) || !ids.has(i * 2 + 1)) missing.push(i);
  t.same(missing, [], `all ${lastCommitted} transactions reported committed are there`);
  t.equal(rows.length % 2, 0, 'no transaction survived half');
  await db.close();
});
