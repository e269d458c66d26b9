// The bodies of `tenor check-flow` and `tenor simulate-flow`, run in process
// (cli.test.ts runs the real command): options, output and exit codes.

import t from 'tap';
import path from 'node:path';
import { loadConfig } from '../../src/services/index.js';
import { checkFlowFiles, parseSimulateArgs, simulateFlowFile } from '../../src/services/ivr/flow/cli.js';
import { tempDir } from '../helpers.js';
import { brokenDir, demoFlowFile, flowsDir, siteFile } from './cases.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

t.test('simulate-flow options become a simulation script', async (t) => {
  const { file, script, subflowFiles } = parseSimulateArgs([
    'main.yaml',
    '--caller',
    '+1555',
    '--dialed',
    '+1800',
    '--time',
    '2026-11-24T10:00:00Z',
    '--digits',
    '1,,timeout,42#',
    '--http',
    'https://a.test/x?y=1=200:{"ok":true}',
    '--http',
    'https://b.test/=fail',
    '--http',
    'https://c.test/=404',
    '--customer',
    '{"segment":"gold"}',
    '--language',
    'es',
    '--subflow',
    'auth.yaml',
  ]);
  t.equal(file, 'main.yaml');
  t.same(subflowFiles, ['auth.yaml']);
  t.same(script, {
    caller: '+1555',
    dialed: '+1800',
    time: '2026-11-24T10:00:00Z',
    digits: ['1', '', 'timeout', '42#'],
    customer: { segment: 'gold' },
    language: 'es',
    http: { 'https://a.test/x?y=1': { status: 200, body: { ok: true } }, 'https://b.test/': 'fail', 'https://c.test/': { status: 404 } },
  });
});

t.test('simulate-flow: a wrong command line is exit 2 with the reason and the usage', async (t) => {
  for (const [args, reason] of [
    [[demoFlowFile], /needs --caller NUM/],
    [['--caller', '+1'], /needs a FILE/],
    [[demoFlowFile, '--caller', '+1', '--http', 'nonsense'], /--http takes URL=STATUS:JSON or URL=fail/],
    [[demoFlowFile, '--caller', '+1', '--customer', '[1]'], /--customer takes a JSON object/],
    [[demoFlowFile, '--caller', '+1', '--fast'], /unknown option --fast/],
  ] as const) {
    const c = capture();
    t.equal(await simulateFlowFile(args, c.output), 2, args.join(' '));
    t.match(c.err[0], reason);
    t.match(c.err[1], /^usage: tenor simulate-flow FILE --caller NUM/);
  }
});

t.test('simulate-flow: a failing dip takes the failure branch; a flow that stops prints its path so far, exit 1', async (t) => {
  const c = capture();
  t.equal(await simulateFlowFile([path.join(flowsDir, 'http-dip.yaml'), '--caller', '+1', '--http', 'https://crm.test/route=fail'], c.output), 0);
  t.match(c.out.join('\n'), /route-lookup +http +failure \(https:\/\/crm\.test\/route failed \(stubbed\)\)\n.*fallback +queue +-\noutcome: queue support/);

  const stopped = capture();
  t.equal(await simulateFlowFile([path.join(flowsDir, 'with-auth.yaml'), '--caller', '+1'], stopped.output), 1, 'the subflow was not given');
  t.same(stopped.out, ['path:', '  1  welcome  play  next  prompts: welcome']);
  t.same(stopped.err, ["tenor simulate-flow: Flow 'with-auth' stopped at node 'authenticate': subflow 'auth' is not available"]);
});

t.test('simulate-flow shows prompts played in another language', async (t) => {
  const c = capture();
  t.equal(await simulateFlowFile([path.join(flowsDir, 'language.yaml'), '--caller', '+1', '--digits', '2'], c.output), 0);
  t.equal(c.out[c.out.length - 1], 'prompts played: main-menu, welcome (es), thank-you (es), goodbye (es)');
});

t.test('check-flow against a site file: names from queues, agents, flows and voicemail boxes', async (t) => {
  const config = loadConfig({ TENOR_CONFIG: siteFile, TENOR_DATA_DIR: tempDir(t) });
  const c = capture();
  const files = ['unknown-queue.yaml', 'unknown-box.yaml', 'unknown-agent.yaml', 'unknown-flow.yaml'].map((f) => path.join(brokenDir, f));
  t.equal(checkFlowFiles(files, config, c.output), 1);
  t.equal(c.err.length, 4, c.err.join('\n'));
  t.same(c.out, []);

  const alone = capture();
  t.equal(checkFlowFiles([path.join(flowsDir, 'with-auth.yaml')], config, alone.output), 1, 'the site does not list the auth flow');
  t.same(alone.err, [`${path.join(flowsDir, 'with-auth.yaml')}:11:11: node 'authenticate': unknown flow 'auth'`]);

  const missing = capture();
  t.equal(checkFlowFiles([path.join(flowsDir, 'nope.yaml')], config, missing.output), 1);
  t.match(missing.err[0], /nope\.yaml: cannot read the file: ENOENT/);
});
