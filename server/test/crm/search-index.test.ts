// The word index behind customer search on real SQLite files: an install from
// before the index gets it at start, filled from its existing customers; a
// Customer table in an external (legacy) database is searched without adding
// anything to that file.

import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ServiceManager } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { crmServices, defaultModelFile } from '../../src/services/crm/index.js';
import { silentLogger, tempDir } from '../helpers.js';

async function startCrm(t: Parameters<typeof tempDir>[0], dataDir: string, modelFile: string, baseDir: string): Promise<ServiceManager> {
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(storeService(dataDir));
  for (const def of crmServices({ modelFile, defaultCountry: 'DE', baseDir })) sm.register(def);
  await sm.startAll();
  t.teardown(() => sm.stopAll());
  return sm;
}

const page = { limit: 20, offset: 0 };

t.test('an install from before the index: built at start from the existing customers', async (t) => {
  const dir = tempDir(t);
  const data = path.join(dir, 'data');
  const first = await startCrm(t, data, defaultModelFile, dir);
  await first.get('crm').create('Customer', { name: 'Jürgen Müller', emails: ['j.mueller@example.de'] });
  await first.get('crm').create('Customer', { name: 'Zoë Ångström' });
  await first.stopAll();

  // As the database was before this version: no word index, no triggers.
  const db = new BetterSqlite3(path.join(data, 'tenor.db'));
  for (const trigger of ['customers_search_ai', 'customers_search_ad', 'customers_search_au']) db.exec(`DROP TRIGGER "${trigger}"`);
  db.exec('DROP TABLE customers_search');
  db.close();

  const second = await startCrm(t, data, defaultModelFile, dir);
  const crm = second.get('crm');
  t.same((await crm.searchCustomers({ q: 'mull', ...page })).items.map((h) => h.customer['name']), ['Jürgen Müller'], 'an old customer is found by a word');
  t.same((await crm.searchCustomers({ q: 'angstrom', ...page })).items.map((h) => h.customer['name']), ['Zoë Ångström']);
  await crm.create('Customer', { name: 'Neue Kundin' });
  t.same((await crm.searchCustomers({ q: 'kundin', ...page })).items.map((h) => h.customer['name']), ['Neue Kundin'], 'and a new one');
  const again = await crm.searchCustomers({ q: 'müller', ...page });
  t.equal(again.total, 1, 'each customer is indexed once');
});

t.test('a Customer table in an external database: searched by scanning, the file left as it was', async (t) => {
  const dir = tempDir(t);
  const legacyFile = path.join(dir, 'legacy.db');
  const legacy = new BetterSqlite3(legacyFile);
  legacy.exec(`CREATE TABLE KUNDEN (KDNR INTEGER PRIMARY KEY, NAME TEXT, MAILS TEXT);
    INSERT INTO KUNDEN VALUES (1, 'Stadtwerke Kunde', '["info@stadtwerke.example"]'), (2, '50%_Rabatt AG', NULL), (3, 'Anders', NULL)`);
  legacy.close();
  const modelFile = path.join(dir, 'model.yaml');
  writeFileSync(modelFile, [
    'version: 1',
    'databases:',
    '  legacy: { file: legacy.db }',
    'entities:',
    '  Customer:',
    '    table: KUNDEN',
    '    database: legacy',
    '    key: KDNR',
    '    attributes:',
    '      name: { type: string, column: NAME }',
    '      emails: { type: string-list, column: MAILS }',
    '',
  ].join('\n'));
  const sm = await startCrm(t, path.join(dir, 'data'), modelFile, dir);
  const crm = sm.get('crm');
  t.same((await crm.searchCustomers({ q: 'stadtwerke', ...page })).items.map((h) => h.customer.id), [1], 'by name, any case');
  t.same((await crm.searchCustomers({ q: 'info@stadtwerke', ...page })).items.map((h) => h.customer.id), [1], 'by e-mail');
  t.same((await crm.searchCustomers({ q: '50%', ...page })).items.map((h) => h.customer.id), [2], '% is only text');
  t.same((await crm.searchCustomers({ q: '%', ...page })).items.map((h) => h.customer.id), [2], 'a lone % finds only a name holding one');
  t.same((await crm.searchCustomers({ q: '_', ...page })).items.map((h) => h.customer.id), [2], 'and _ likewise');
  t.same((await crm.searchCustomers({ q: 'anders', ...page, allowed: new Set(['1']) })).items, [], 'the scope applies');
  await sm.stopAll();
  const check = new BetterSqlite3(legacyFile, { readonly: true });
  t.same(check.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')").all(), [{ name: 'KUNDEN' }], 'nothing was added to the legacy file');
  check.close();
});
