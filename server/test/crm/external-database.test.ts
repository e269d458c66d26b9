import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ServiceManager } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { crmServices } from '../../src/services/crm/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { silentLogger, tempDir } from '../helpers.js';

t.test('an entity mapped onto an existing external SQLite database reads and writes it', async (t) => {
  const dir = tempDir(t);
  // The legacy system's own file, with its own naming.
  const legacyFile = path.join(dir, 'billing.db');
  const legacy = new BetterSqlite3(legacyFile);
  legacy.exec("CREATE TABLE KUNDEN (KDNR INTEGER PRIMARY KEY, NAME TEXT, TARIF TEXT, SALDO REAL); INSERT INTO KUNDEN VALUES (4711, 'Stadtwerke Kunde', 'Basis', -12.5)");
  legacy.close();

  const modelFile = path.join(dir, 'model.yaml');
  writeFileSync(modelFile, [
    'version: 1',
    'databases:',
    '  billing: { file: billing.db }',
    'entities:',
    '  Account:',
    '    table: KUNDEN',
    '    database: billing',
    '    key: KDNR',
    '    attributes:',
    '      name: { type: string, column: NAME }',
    '      tariff: { type: string, column: TARIF }',
    '      balance: { type: number, column: SALDO }',
    '',
  ].join('\n'));
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(storeService(path.join(dir, 'data')));
  for (const def of crmServices({ modelFile, defaultCountry: 'DE', baseDir: dir })) sm.register(def);
  await sm.startAll();
  t.teardown(() => sm.stopAll());

  const services = await sm.list();
  t.match(services.find((s) => s.name === 'database.billing'), { status: 'running', health: { status: 'ok' } }, 'the legacy database is a service');
  t.same(services.find((s) => s.name === 'crm')?.dependsOn, ['store', 'database.billing']);

  const accounts = sm.get('crm').entity('Account');
  t.match(await accounts.get(4711), { id: 4711, name: 'Stadtwerke Kunde', tariff: 'Basis', balance: -12.5 });
  await accounts.update(4711, { tariff: 'Öko' });
  const created = await accounts.create({ name: 'Neukunde', tariff: 'Basis', balance: 0 });
  await sm.stopAll();

  const check = new BetterSqlite3(legacyFile, { readonly: true });
  t.same(check.prepare('SELECT TARIF FROM KUNDEN WHERE KDNR = 4711').get(), { TARIF: 'Öko' }, 'the write reached the legacy file');
  t.same(check.prepare('SELECT NAME FROM KUNDEN WHERE KDNR = ?').get(created.id), { NAME: 'Neukunde' });
  t.same(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), [{ name: 'KUNDEN' }], 'no table was added to it');
  check.close();
});

t.test('a mapping that does not fit the external table stops the start, changing nothing', async (t) => {
  const dir = tempDir(t);
  const legacy = new BetterSqlite3(path.join(dir, 'old.db'));
  legacy.exec('CREATE TABLE people (id INTEGER PRIMARY KEY, fullname TEXT)');
  legacy.close();
  const modelFile = path.join(dir, 'model.yaml');
  writeFileSync(modelFile, 'version: 1\ndatabases:\n  old: { file: old.db }\nentities:\n  Person:\n    table: people\n    database: old\n    attributes:\n      name: { type: string }\n');
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(storeService(path.join(dir, 'data')));
  for (const def of crmServices({ modelFile, defaultCountry: 'DE', baseDir: dir })) sm.register(def);
  try {
    await sm.startAll();
    t.fail('should not start');
  } catch (err) {
    t.ok(isTenorError(err, 'TENOR_ERR_MODEL_MIGRATION'), 'the coded reason reaches the caller');
    t.match((err as Error).message, /table 'people' has no column name/);
  }
});
