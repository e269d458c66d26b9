// docs/scripts.md stays true: its complete example checks clean and runs,
// and it documents every element and attribute the parser knows.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { findProblems, loadScript } from '../src/compile.js';
import { GRAMMAR } from '../src/grammar.js';
import { startRun } from '../src/runtime.js';

const docs = readFileSync(fileURLToPath(new URL('../../docs/scripts.md', import.meta.url)), 'utf8');

t.test('the complete example in the docs checks clean and runs', async (t) => {
  const xml = /```xml\n(<\?xml[\s\S]*?)```/.exec(docs)?.[1] ?? '';
  t.match(xml, /<script id="meter-check"/);
  t.same(findProblems(xml), []);
  const loaded = loadScript(xml);
  if (!loaded.ok) return;
  const run = startRun(loaded.compiled, { customer: { name: 'Ada', segment: 'A' } });
  t.same(run.current().info, ['Hello Ada.', 'Priority customer.']);
  const result = run.answer('no');
  t.equal(result.ok && result.step.id, 'reading');
  const last = run.answer('4711');
  t.same(last.ok && last.actions, [{ type: 'update-field', entity: 'customer', field: 'custom.last_reading', value: 4711 }]);
  t.equal(run.outcome(), 'reading-noted');
});

t.test('every element and attribute is documented', async (t) => {
  for (const [name, spec] of Object.entries(GRAMMAR)) {
    t.ok(docs.includes(`<${name}>`), `<${name}> is documented`);
    for (const attribute of spec.attributes) {
      t.ok(docs.includes(`\`${attribute}\``), `<${name} ${attribute}> is documented`);
    }
  }
});
