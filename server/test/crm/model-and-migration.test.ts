import t from 'tap';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseModel } from '../../src/services/crm/model.js';
import { isTenorError } from '../../src/core/errors.js';
import { ServiceManager } from '../../src/core/service-manager.js';
import { storeService } from '../../src/services/store.js';
import { crmServices, defaultModelFile } from '../../src/services/crm/index.js';
import { silentLogger, tempDir } from '../helpers.js';

function problems(yaml: string): string[] {
  try {
    parseModel(yaml, 'model.yaml');
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_MODEL_INVALID')) return (err.details as { source: string; message: string }[]).map((p) => `${p.source} ${p.message}`);
    throw err;
  }
  return [];
}

t.test('a bad model is refused with file, line and the reason', async (t) => {
  t.match(problems('version: 1\nentities:\n  Customer:\n    table: customers\n    attributes:\n      name: { type: strnig }\n'), [/^model\.yaml:6:\d+ /]);
  t.match(problems('version: 1\nentities:\n  Case:\n    table: cases\n    attributes:\n      customer: { type: ref, entity: Client }\n'), [
    /^model\.yaml:6:\d+ refers to unknown entity 'Client'/,
  ]);
  t.match(problems('version: 1\nentities:\n  A:\n    table: things\n    attributes: {}\n  B:\n    table: things\n    attributes: {}\n'), [
    /model\.yaml:7:\d+ table 'things' is already used by entity 'A'/,
  ]);
  t.match(problems('version: 1\nentities:\n  A:\n    table: a\n    attributes:\n      level: { type: enum, values: [x, y], default: z }\n'), [/default 'z' is not one of x, y/]);
  t.same(problems('version: 1\nentities: {}\n'), [], 'an empty model is valid');
});

async function startCrm(dataDir: string, modelFile: string): Promise<ServiceManager> {
  const sm = new ServiceManager({ logger: silentLogger });
  sm.register(storeService(dataDir));
  for (const def of crmServices({ modelFile, defaultCountry: 'DE', baseDir: path.dirname(modelFile) })) sm.register(def);
  await sm.startAll();
  return sm;
}

t.test('a model change migrates a database holding data, losing nothing', async (t) => {
  const dir = tempDir(t);
  const modelFile = path.join(dir, 'model.yaml');
  const v1 = ['version: 1', 'entities:', '  Customer:', '    table: customers', '    attributes:',
    '      name: { type: string, required: true }', '      phones: { type: phone-list }', '      contractType: { type: string }', ''];
  writeFileSync(modelFile, v1.join('\n'));
  let sm = await startCrm(dir, modelFile);
  const customers = sm.get('crm').entity('Customer');
  const ada = await customers.create({ name: 'Ada', phones: ['030 1234567'], contractType: 'gas' });
  t.same(ada.phones, ['+49301234567'], 'numbers are stored in E.164 (default country DE)');
  await sm.stopAll();

  // v2: a new attribute, and contractType mapped to a renamed column.
  const v2 = [...v1.slice(0, 7), '      contractType: { type: string, column: contract_kind, renamedFrom: contract_type }',
    '      loyaltyPoints: { type: integer, default: 0 }', ''];
  writeFileSync(modelFile, v2.join('\n'));
  sm = await startCrm(dir, modelFile);
  const sync = sm.get('crm').sync.find((s) => s.entity === 'Customer');
  t.same(sync?.renamedColumns, ['contract_type -> contract_kind']);
  t.same(sync?.addedColumns, ['loyalty_points']);
  const again = await sm.get('crm').entity('Customer').get(ada.id);
  t.match(again, { name: 'Ada', phones: ['+49301234567'], contractType: 'gas', loyaltyPoints: 0 }, 'every value survived, the new one has its default');
  t.same((await sm.get('crm').findCustomersByPhone('+49 30 1234567')).map((c) => c.name), ['Ada'], 'still found by phone');
  await sm.stopAll();

  // v3: the attribute removed from the model: its column and data stay in the table.
  writeFileSync(modelFile, [...v1.slice(0, 7), ''].join('\n'));
  sm = await startCrm(dir, modelFile);
  t.same(sm.get('crm').sync.find((s) => s.entity === 'Customer')?.unmappedColumns, ['contract_kind', 'loyalty_points']);
  const db = sm.get('store');
  t.same(await db.get('SELECT contract_kind FROM customers WHERE id = ?', [ada.id]), { contract_kind: 'gas' });
  await sm.stopAll();
});

t.test('the default model gives Customer, Interaction and Case', async (t) => {
  const sm = await startCrm(tempDir(t), defaultModelFile);
  t.same(sm.get('crm').model.entities.map((e) => e.name), ['Customer', 'Interaction', 'Case']);
  const customer = await sm.get('crm').entity('Customer').create({ name: 'Bea', phones: ['+1 212 555 0100'] });
  t.equal(customer.segment, 'C', 'defaults apply');
  const kase = await sm.get('crm').entity('Case').create({ customer: customer.id, code: 'FAULT', description: 'no power' });
  t.match(kase, { status: 'open', customer: customer.id });
  await t.rejects(sm.get('crm').entity('Case').create({ description: 'no code' }), { code: 'TENOR_ERR_VALIDATION' });
  await t.rejects(sm.get('crm').entity('Customer').create({ name: 'X', phones: ['not a number'] }), { code: 'TENOR_ERR_VALIDATION' });
  await sm.stopAll();
});
