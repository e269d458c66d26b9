// The parser and checker on the committed broken flows: each reports exactly
// one problem, naming the node and the line, as an admin would read it.

import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { builtinPromptExists, checkFlow, compileFlow, formatProblem, parseFlow } from '../../src/services/ivr/flow/index.js';
import type { FlowCheckContext } from '../../src/services/ivr/flow/index.js';
import { isTenorError } from '../../src/core/errors.js';
import { brokenDir, brokenFlows, demoFlowFile } from './cases.js';

const site: FlowCheckContext = {
  queues: new Set(['sales', 'support']),
  boxes: new Set(['general', 'queue:sales', 'queue:support', 'agent:alice']),
  flows: new Set(['demo-main']),
  agents: new Set(['alice']),
  promptExists: (name, language) => builtinPromptExists(name, language),
};

function problemsOf(file: string): string[] {
  const text = readFileSync(path.join(brokenDir, file), 'utf8');
  const { flow, problems } = parseFlow(text, file);
  const all = flow ? checkFlow(flow, site) : problems;
  return all.map((p) => formatProblem('', p).replace(/^: /, '').replace(/^:/, ''));
}

t.test('every broken flow reports exactly its one expected problem, with line and column', async (t) => {
  const files = readdirSync(brokenDir).sort();
  t.same(files, Object.keys(brokenFlows).sort(), 'every committed broken flow has an expectation, and every expectation a file');
  for (const file of files) {
    t.same(problemsOf(file), [brokenFlows[file]], file);
  }
});

t.test('the demo main flow is clean against the demo site', async (t) => {
  const { flow, problems } = parseFlow(readFileSync(demoFlowFile, 'utf8'), 'demo-main.yaml');
  t.same(problems, []);
  t.ok(flow);
  if (flow) t.same(checkFlow(flow, site), []);
});

t.test('parseFlow reads JSON as well as YAML, and refuses a flow with structural problems', async (t) => {
  const json = JSON.stringify({ name: 'j', version: 2, start: 'a', nodes: { a: { type: 'hangup', prompts: ['goodbye'] } } });
  const ok = parseFlow(json);
  t.same(ok.problems, []);
  t.equal(ok.flow?.version, 2);
  t.equal(ok.flow?.language, 'en', 'language defaults to en');
  t.equal(ok.flow?.timezone, 'UTC', 'time zone defaults to UTC');

  const unreachable = parseFlow('name: u\nversion: 1\nstart: a\nnodes:\n  a: { type: hangup }\n  b: { type: hangup }\n');
  t.equal(unreachable.flow, undefined, 'no flow is handed out when the structure is wrong');
  t.match(unreachable.problems, [{ node: 'b', line: 6, message: /unreachable/ }]);
});

t.test('context checks are skipped when the context does not list names', async (t) => {
  const { flow } = parseFlow('name: q\nversion: 1\nstart: a\nnodes:\n  a: { type: queue, queue: anything }\n');
  t.ok(flow);
  if (!flow) return;
  t.same(checkFlow(flow, {}), [], 'no queue list: any queue name is accepted');
  t.match(checkFlow(flow, { queues: new Set(['sales']) }), [{ node: 'a', line: 5, message: "unknown queue 'anything' (known: sales)" }]);
  t.same(checkFlow(flow, { queues: new Set() }).length, 1, 'an empty list means no queue exists');
});

t.test('a queue, box or agent given by a template is not checked by name, but its references are', async (t) => {
  const { flow } = parseFlow(
    'name: q\nversion: 1\nstart: a\nnodes:\n  a: { type: queue, queue: "${vars.queue}", priority: "${customer.priority}" }\n',
  );
  t.ok(flow);
  if (flow) t.same(checkFlow(flow, site), []);
  const bad = parseFlow('name: q\nversion: 1\nstart: a\nnodes:\n  a: { type: queue, queue: "${queue}" }\n');
  t.match(bad.problems, [{ node: 'a', message: /'queue' is not a reference/ }]);
});

t.test('more than one problem in a file: all are reported, in file order', async (t) => {
  const text = [
    'name: many',
    'version: 1',
    'start: menu',
    'nodes:',
    '  menu:',
    '    type: menu',
    '    prompts: [main-menu]',
    '    options: { "1": nowhere, "2": gone }',
    '    fallback: menu',
  ].join('\n');
  const { problems } = parseFlow(text);
  t.same(
    problems.map((p) => `${p.line}:${p.column} ${p.message}`),
    ["8:21 option '1' names unknown node 'nowhere'", "8:35 option '2' names unknown node 'gone'"],
  );
});

t.test('a loop through a menu waits for the caller and is fine; a wait-free self loop is not', async (t) => {
  const withMenu = parseFlow(
    'name: l\nversion: 1\nstart: m\nnodes:\n  m: { type: menu, prompts: [main-menu], options: { "1": p }, fallback: m }\n  p: { type: play, prompts: [thank-you], next: m }\n',
  );
  t.same(withMenu.problems, []);
  const self = parseFlow('name: l\nversion: 1\nstart: s\nnodes:\n  s: { type: set, values: { x: 1 }, next: s }\n');
  t.match(self.problems, [{ node: 's', message: 'loop s -> s never waits for input (add a menu or collect to it)' }]);
});

t.test('compileFlow refuses a flow with structural problems (TENOR_ERR_FLOW_INVALID)', async (t) => {
  const { flow } = parseFlow('name: c\nversion: 1\nstart: a\nnodes:\n  a: { type: hangup }\n');
  t.ok(flow);
  if (!flow) return;
  const broken = { ...flow, nodes: { ...flow.nodes, b: { id: 'b', type: 'play' as const, prompts: ['welcome'], interruptible: false, next: 'zzz' } } };
  let error: unknown;
  try {
    compileFlow(broken);
  } catch (err) {
    error = err;
  }
  t.ok(isTenorError(error, 'TENOR_ERR_FLOW_INVALID'), 'a coded error');
  t.match(error, { message: /node 'b': next names unknown node 'zzz'/, details: { problems: [{ node: 'b' }] } });
});

t.test('the compiled machine is one xstate machine with one state per node', async (t) => {
  const { flow } = parseFlow(readFileSync(demoFlowFile, 'utf8'));
  t.ok(flow);
  if (!flow) return;
  const compiled = compileFlow(flow);
  t.equal(compiled.name, 'demo-main');
  t.equal(compiled.version, 1);
  t.same(Object.keys(compiled.machine.root.states).sort(), [...Object.keys(flow.nodes), '$done', '$failed'].sort());
});
