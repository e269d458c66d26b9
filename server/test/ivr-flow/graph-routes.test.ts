// The flow graph over HTTP, as the admin console's flow editor uses it: the
// check endpoint returns the nodes and edges of a draft — also when the draft has
// problems, so the editor can draw the node that is wrong — and the live
// version's graph has its own route.
import t from 'tap';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_AUTH, startTestApp, tempDir, testConfig } from '../helpers.js';

const FLOW = `name: desk
version: 1
language: en
timezone: UTC
start: welcome
nodes:
  welcome:
    type: play
    prompts: [thank-you]
    next: menu
  menu:
    type: menu
    prompts: [thank-you]
    options: { '1': sales, '2': hours }
    fallback: sales
  hours:
    type: condition
    cases:
      - when: { days: mon-fri }
        next: sales
    else: bye
  sales: { type: queue, queue: sales }
  bye: { type: hangup }
`;

interface Graph { start: string; nodes: { id: string; type: string; line: number | null; reachable: boolean }[]; edges: { from: string; to: string; field: string; line: number | null }[] }

t.test('check returns the graph of a draft, with its problems; the live graph has a route', async (t) => {
  const dir = tempDir(t, 'tenor-flow-graph-');
  mkdirSync(path.join(dir, 'flows'));
  writeFileSync(path.join(dir, 'flows', 'desk.yaml'), FLOW);
  writeFileSync(path.join(dir, 'site.yaml'), JSON.stringify({ queues: [{ name: 'sales' }], flows: [{ name: 'desk', file: 'flows/desk.yaml' }] }));
  const { app } = await startTestApp(t, { config: testConfig(t, { TENOR_CONFIG: path.join(dir, 'site.yaml') }) });
  const check = async (source: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/flows/check', headers: { ...ADMIN_AUTH, 'content-type': 'application/yaml' }, payload: source });
    t.equal(res.statusCode, 200);
    return JSON.parse(res.body) as { ok: boolean; problems: { node?: string; line?: number; message: string }[]; graph: Graph | null };
  };

  const clean = await check(FLOW);
  t.equal(clean.ok, true, 'the flow checks clean');
  const graph = clean.graph;
  if (!graph) throw new Error('no graph');
  t.equal(graph.start, 'welcome', 'the start node');
  t.same(graph.nodes.map((n) => `${n.id}:${n.type}:${n.line}`).sort(), ['bye:hangup:23', 'hours:condition:16', 'menu:menu:11', 'sales:queue:22', 'welcome:play:7'], 'every node with its type and line');
  t.same(
    graph.edges.filter((e) => e.from === 'menu').map((e) => `${e.field}->${e.to}`),
    ['options.1->sales', 'options.2->hours', 'fallback->sales'],
    "the menu's digit edges and its fallback",
  );
  t.same(graph.edges.filter((e) => e.from === 'hours').map((e) => `${e.field}->${e.to}`), ['cases.0.next->sales', 'else->bye'], 'condition branches');
  t.ok(graph.nodes.every((n) => n.reachable), 'every node is reachable');

  const broken = await check(FLOW.replace('next: menu', 'next: menuu'));
  t.equal(broken.ok, false, 'a target to a missing node is a problem');
  t.match(broken.problems, [{ node: 'welcome', line: 10, message: /unknown node 'menuu'/ }], 'the problem names the node and the line of next');
  t.ok(broken.graph, 'the draft still has a graph');
  t.match(broken.graph?.nodes.find((n) => n.id === 'menuu'), { type: 'missing', line: null }, 'the missing target is a node of its own');
  t.equal(broken.graph?.nodes.find((n) => n.id === 'menu')?.reachable, false, 'nodes cut off from start are unreachable');

  t.equal((await check('name: [')).graph, null, 'text that is not a flow has no graph');

  const live = await app.inject({ method: 'GET', url: '/api/flows/desk/graph', headers: ADMIN_AUTH });
  t.equal(live.statusCode, 200);
  t.same(JSON.parse(live.body), graph, 'the live version draws the same as its checked source');
  t.equal((await app.inject({ method: 'GET', url: '/api/flows/nope/graph', headers: ADMIN_AUTH })).statusCode, 404, 'an unknown flow has no graph');
});
