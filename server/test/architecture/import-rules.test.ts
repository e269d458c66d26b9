// The dependency rules of docs/architecture.md, enforced on the real import
// graph of every workspace's src/; and, on made-up file sets, proof that each
// rule names the violations it is there to catch (and lets the rest pass).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { importSpecifiers, readSourceSet, resolveImport } from './import-graph.js';
import { MAX_FILE_LINES, RULES, checkImportRules, type RuleName, type SourceImport, type SourceSet } from './import-rules.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

t.test('the imports of a source text: every form, not comments or strings', async (t) => {
  const text = [
    "import a from './a.js';",
    "import type { B } from './b.js';",
    "export * from './c.js';",
    "export { d } from './d.js';",
    "const e = await import('./e.js');",
    "type F = import('./f.js').F;",
    "import './g.js';",
    "// import './commented.js';",
    "const s = \"import './quoted.js'\";",
  ].join('\n');
  t.same(importSpecifiers(text).sort(), ['./a.js', './b.js', './c.js', './d.js', './e.js', './f.js', './g.js']);
});

t.test('imports resolve to the source files they name', async (t) => {
  const files = new Set(['server/src/store/database.ts', 'agent-ui/src/web/pages/live.tsx', 'server/src/services/crm/index.ts']);
  t.equal(resolveImport('server/src/services/acd/engine.ts', '../../store/database.js', files), 'server/src/store/database.ts');
  t.equal(resolveImport('agent-ui/src/web/main.tsx', './pages/live.js', files), 'agent-ui/src/web/pages/live.tsx');
  t.equal(resolveImport('server/src/services/ivr/service.ts', '../crm', files), 'server/src/services/crm/index.ts');
  t.equal(resolveImport('server/src/http/app.ts', '@tenor/telephony', files), 'telephony/');
  t.equal(resolveImport('server/src/http/app.ts', 'fastify', files), undefined);
});

/** A made-up source set: files of 10 lines unless given, imports already resolved. */
function sourceSet(imports: [from: string, target: string][], sizes: Record<string, number> = {}): SourceSet {
  const list: SourceImport[] = imports.map(([from, target]) => ({ from, specifier: target, target }));
  const files = new Map<string, number>();
  for (const i of list) files.set(i.from, 10);
  for (const [file, lines] of Object.entries(sizes)) files.set(file, lines);
  return { files, imports: list };
}

const named = (set: SourceSet): [RuleName, string][] => checkImportRules(set).map((v) => [v.rule, v.specifier ?? v.file]);

t.test('each rule names its violation, file and import', async (t) => {
  const violations = checkImportRules(
    sourceSet(
      [
        ['telephony/src/sip/dialog.ts', 'server/src/core/errors.ts'],
        ['telephony/src/index.ts', 'agent-ui/'],
        ['scripts-dsl/src/parse.ts', 'telephony/'],
        ['server/src/store/sqlite.ts', 'server/src/services/acd/model.ts'],
        ['server/src/store/migrations/index.ts', 'server/src/http/errors.ts'],
        ['server/src/services/reports/source.ts', 'server/src/services/voicemail/store.ts'],
        ['server/src/services/ingress.ts', 'server/src/services/ivr/flow/parse.ts'],
        ['server/src/http/app.ts', 'server/src/services/reports/index.ts'],
        ['server/src/services/reports/index.ts', 'server/src/config/schema.ts'],
        ['server/src/config/schema.ts', 'server/src/http/events/types.ts'],
      ],
      { 'server/src/services/acd/engine.ts': 1356, 'agent-ui/src/web/pages/trunks.tsx': MAX_FILE_LINES + 1 },
    ),
  );
  t.same(
    violations.map((v) => [v.rule, v.file, v.specifier]),
    [
      ['telephony-stands-alone', 'telephony/src/sip/dialog.ts', 'server/src/core/errors.ts'],
      ['telephony-stands-alone', 'telephony/src/index.ts', 'agent-ui/'],
      ['scripts-dsl-stands-alone', 'scripts-dsl/src/parse.ts', 'telephony/'],
      ['store-below-services', 'server/src/store/sqlite.ts', 'server/src/services/acd/model.ts'],
      ['store-below-services', 'server/src/store/migrations/index.ts', 'server/src/http/errors.ts'],
      ['service-public-entry', 'server/src/services/reports/source.ts', 'server/src/services/voicemail/store.ts'],
      ['service-public-entry', 'server/src/services/ingress.ts', 'server/src/services/ivr/flow/parse.ts'],
      // http → services → config → http: every import on the cycle is named.
      ['no-folder-cycle', 'server/src/http/app.ts', 'server/src/services/reports/index.ts'],
      ['no-folder-cycle', 'server/src/services/reports/index.ts', 'server/src/config/schema.ts'],
      ['no-folder-cycle', 'server/src/config/schema.ts', 'server/src/http/events/types.ts'],
      ['file-size', 'server/src/services/acd/engine.ts', undefined],
      ['file-size', 'agent-ui/src/web/pages/trunks.tsx', undefined],
    ],
  );
  // One line a reader can act on: the file, the import, what it names, the rule.
  t.equal(
    violations.find((v) => v.rule === 'service-public-entry')?.text,
    "server/src/services/reports/source.ts → 'server/src/services/voicemail/store.ts': not the public entry of 'voicemail' (services/voicemail/index.ts)",
  );
  t.match(violations.find((v) => v.rule === 'file-size')?.text ?? '', /^server\/src\/services\/acd\/engine\.ts: 1356 lines, over 500$/);
});

t.test('what the rules allow passes', async (t) => {
  t.same(
    named(
      sourceSet(
        [
          ['server/src/services/acd/engine.ts', 'telephony/'],
          ['server/src/services/acd/engine.ts', 'server/src/services/acd/store/call-records.ts'],
          ['server/src/services/reports/service.ts', 'server/src/services/voicemail/index.ts'],
          ['server/src/services/reports/service.ts', 'server/src/services/store.ts'],
          ['server/src/services/index.ts', 'server/src/services/crm/index.ts'],
          ['server/src/store/sqlite.ts', 'server/src/core/errors.ts'],
          ['scripts-dsl/src/parse.ts', 'scripts-dsl/src/ast.ts'],
          ['agent-ui/src/web/api.ts', 'server/src/http/schemas.ts'],
          // One direction between folders is no cycle.
          ['server/src/http/app.ts', 'server/src/config/schema.ts'],
          ['server/src/services/acd/routes.ts', 'server/src/http/errors.ts'],
          ['server/src/services/acd/service.ts', 'server/src/config/schema.ts'],
        ],
        { 'agent-ui/src/web/i18n/nl.ts': 2000, 'server/test/acd/engine.test.ts': 900, 'server/src/cli.ts': MAX_FILE_LINES },
      ),
    ),
    [],
  );
});

// The repository itself. Each rule is its own test so a failure names the rule and lists every violation of it.
const real = checkImportRules(readSourceSet(repoRoot));
for (const rule of Object.keys(RULES) as RuleName[]) {
  t.test(`the code keeps the rule: ${RULES[rule]}`, async (t) => {
    t.same(real.filter((v) => v.rule === rule).map((v) => v.text), [], RULES[rule]);
  });
}
