// `tenor check-flow` and `tenor simulate-flow` as an admin runs them: the built
// CLI as a real process (build first: npx tsc -b). Each start of the CLI loads
// the whole server, so the cases here are few and the unit tests do the rest.

import t from 'tap';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers.js';
import { runTenor } from '../cli/run-tenor.js';
import { brokenDir, brokenFlows, demoFlowFile, flowsDir, siteFile } from './cases.js';

const tenor = (args: string[], env: NodeJS.ProcessEnv = {}) => runTenor(args, { env });

// Six starts of the CLI on a machine shared by many test runs: allow more than tap's default.
t.setTimeout(600_000);

t.test('check-flow on the broken flows: one precise error per file, exit 1', async (t) => {
  const dataDir = tempDir(t);
  const files = readdirSync(brokenDir).sort();
  const r = await tenor(['check-flow', ...files.map((f) => path.join(brokenDir, f))], { TENOR_CONFIG: siteFile, TENOR_DATA_DIR: dataDir });
  t.equal(r.code, 1, 'non-zero exit');
  t.equal(r.stdout, '', 'no file is ok');
  const lines = r.stderr.trimEnd().split('\n');
  t.equal(lines.length, files.length, 'one line per file');
  for (const file of files) {
    t.ok(lines.includes(`${path.join(brokenDir, file)}:${brokenFlows[file]}`), `${file}: ${brokenFlows[file]}`);
  }
});

t.test('check-flow on good files prints ok for each and exits 0', async (t) => {
  const env = { TENOR_CONFIG: siteFile, TENOR_DATA_DIR: tempDir(t) };
  const files = [demoFlowFile, path.join(flowsDir, 'with-auth.yaml'), path.join(flowsDir, 'auth.yaml')];
  const good = await tenor(['check-flow', ...files], env);
  t.equal(good.code, 0, good.stderr);
  t.equal(good.stdout, files.map((f) => `${f}: ok\n`).join(''), 'a subflow checked alongside is a known flow');
});

t.test('check-flow with no site file checks structure and prompts, not names', async (t) => {
  const r = await tenor(['check-flow', path.join(brokenDir, 'unknown-queue.yaml'), path.join(brokenDir, 'missing-prompt.yaml')], {
    TENOR_CONFIG: '',
    TENOR_DATA_DIR: tempDir(t),
  });
  t.equal(r.code, 1);
  t.equal(r.stdout, `${path.join(brokenDir, 'unknown-queue.yaml')}: ok\n`);
  t.match(r.stderr, /missing-prompt\.yaml:7:24: node 'hello': prompt 'wellcome-back' has no recording for language en/);
});

t.test('simulate-flow prints the path, the outcome and the prompts, exit 0', async (t) => {
  const r = await tenor([
    'simulate-flow',
    demoFlowFile,
    '--caller',
    '+5511987654321',
    '--time',
    '2026-11-24T10:00:00-03:00',
    '--digits',
    '9,timeout,2',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.equal(
    r.stdout,
    [
      'path:',
      '  1  welcome       play       next         prompts: welcome',
      '  2  office-hours  condition  case 1',
      '  3  main-menu     menu       invalid (9)  prompts: main-menu',
      '  4  main-menu     menu       no-input     prompts: invalid-option, main-menu',
      '  5  main-menu     menu       2            prompts: main-menu',
      '  6  support       queue      -',
      'outcome: queue support',
      'prompts played: welcome, main-menu, invalid-option, main-menu, main-menu',
      '',
    ].join('\n'),
  );
});

t.test('simulate-flow with a subflow file and stubbed HTTP answers', async (t) => {
  const auth = await tenor([
    'simulate-flow',
    path.join(flowsDir, 'with-auth.yaml'),
    '--subflow',
    path.join(flowsDir, 'auth.yaml'),
    '--caller',
    '+1555',
    '--digits',
    '1234',
    '--http',
    'https://auth.test/pin/1234=200:{"valid":true}',
  ]);
  t.equal(auth.code, 0, auth.stderr);
  t.match(auth.stdout, /auth\/ask-pin +collect +next \(1234\) +prompts: main-menu\n.*auth\/verify +http +next \(200\)\n/);
  t.match(auth.stdout, /authenticate +subflow +next\n.*support +queue +-\noutcome: queue support priority 7\n/);
});

t.test('simulate-flow refuses a broken flow with its problems, exit 1', async (t) => {
  const broken = await tenor(['simulate-flow', path.join(brokenDir, 'unreachable.yaml'), '--caller', '+1555']);
  t.equal(broken.code, 1);
  t.equal(broken.stderr, `${path.join(brokenDir, 'unreachable.yaml')}:9:3: node 'forgotten': unreachable: no path leads here from start 'hello'\n`);
});
