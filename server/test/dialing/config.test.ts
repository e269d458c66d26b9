// The site file's dialing section: read with its defaults, and a mistake
// (a prefix without +, a class that does not exist, a misspelt key) stops
// the server with the file's line and what is wrong.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import type { ConfigProblem } from '../../src/config/load.js';
import { loadConfig } from '../../src/services/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { tempDir } from '../helpers.js';

function load(t: Test, yaml: string): { config?: ReturnType<typeof loadConfig>; problems: ConfigProblem[] } {
  const file = path.join(tempDir(t, 'tenor-dialing-config-'), 'site.yaml');
  writeFileSync(file, yaml);
  try {
    return { config: loadConfig({ TENOR_CONFIG: file }, path.dirname(file)), problems: [] };
  } catch (err) {
    if (isTenorError(err, 'TENOR_ERR_CONFIG_INVALID')) return { problems: err.details as ConfigProblem[] };
    throw err;
  }
}

t.test('the dialing section is read as written', async (t) => {
  const { config } = load(t, ['dialing:', '  country: de', '  allow: ["+31"]', '  deny: ["+49900"]', '  agentsMayDialExternal: true', '  trunks:', '    carrier: { concurrent: 5 }', ''].join('\n'));
  t.match(config?.dialing, { country: 'de', allow: ['+31'], deny: ['+49900'], agentsMayDialExternal: true, trunks: { carrier: { concurrent: 5 } } });
  t.same(load(t, 'logLevel: info\n').config?.dialing, {}, 'absent: empty, the defaults apply (docs/dialing-policy.md)');
});

t.test('mistakes in the dialing section name the line', async (t) => {
  const cases: [yaml: string, line: number, what: RegExp][] = [
    ['dialing:\n  allow: ["31"]\n', 2, /\/dialing\/allow\/0/],
    ['dialing:\n  allowClasses: [premium]\n', 2, /\/dialing\/allowClasses\/0/],
    ['dialing:\n  agentsMayDial: true\n', 2, /agentsMayDial/],
    ['dialing:\n  site: { concurrent: -1 }\n', 2, /\/dialing\/site\/concurrent/],
  ];
  for (const [yaml, line, what] of cases) {
    const { problems } = load(t, yaml);
    t.equal(problems.length >= 1, true, `refused: ${yaml.trim().replace(/\n/g, ' ')}`);
    t.match(problems[0]?.source ?? '', new RegExp(`site\\.yaml:${line}:`), 'with the line');
    t.match(`${problems[0]?.source} ${problems[0]?.message}`, what, `names it: ${problems[0]?.message}`);
  }
});
