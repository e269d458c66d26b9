// The checker: everything that can be known about a flow before a caller meets
// it. Structure (targets, reachability, loops that never wait for input,
// regexes, time zone, calendars, references) always; names of queues, boxes,
// flows, agents and prompts when the context lists them. Every problem names the
// node and, when the flow came from a file, the line.

import { edgesOf } from './graph.js';
import { isTemplate, referenceProblem, referencesIn } from './template.js';
import { isValidTimeZone } from './time.js';
import type { ConditionTest, FlowCheckContext, FlowDefinition, FlowNode, FlowProblem, SourcePosition } from './types.js';
import { sortProblems } from './sort.js';

/** Node types that wait for the caller: a loop through one of them is paced by a person. */
const WAITING_TYPES = new Set(['menu', 'collect', 'subflow']);

export function checkFlow(flow: FlowDefinition, ctx: FlowCheckContext): FlowProblem[] {
  const problems: FlowProblem[] = [];
  const at = (node: FlowNode | undefined, field?: string): SourcePosition | undefined =>
    (field !== undefined ? node?.fieldsAt?.[field] : undefined) ?? node?.at;
  const report = (node: FlowNode | undefined, field: string | undefined, message: string): void => {
    const p = at(node, field);
    problems.push({ ...(node ? { node: node.id } : {}), ...(p ? { line: p.line, column: p.column } : {}), message });
  };
  const reportFlow = (field: string, message: string): void => {
    const p = flow.fieldsAt?.[field];
    problems.push({ ...(p ? { line: p.line, column: p.column } : {}), message });
  };

  if (!isValidTimeZone(flow.timezone)) reportFlow('timezone', `unknown time zone '${flow.timezone}' (use an IANA name such as America/Sao_Paulo or UTC)`);

  const nodes = Object.values(flow.nodes);
  if (!(flow.start in flow.nodes)) reportFlow('start', `start names unknown node '${flow.start}'`);

  // Targets.
  for (const node of nodes) {
    for (const edge of edgesOf(node)) {
      if (!(edge.target in flow.nodes)) report(node, edge.field, `${edge.label} names unknown node '${edge.target}'`);
    }
  }

  // Reachability from start.
  if (flow.start in flow.nodes) {
    const reached = new Set<string>([flow.start]);
    const toVisit = [flow.start];
    for (let id = toVisit.pop(); id !== undefined; id = toVisit.pop()) {
      const node = flow.nodes[id];
      if (!node) continue;
      for (const e of edgesOf(node)) {
        if (e.target in flow.nodes && !reached.has(e.target)) {
          reached.add(e.target);
          toVisit.push(e.target);
        }
      }
    }
    for (const node of nodes) if (!reached.has(node.id)) report(node, undefined, `unreachable: no path leads here from start '${flow.start}'`);
  }

  // Loops that never wait for input: cycles among nodes that do not wait.
  for (const cycle of cyclesWithoutWaiting(flow)) {
    const first = flow.nodes[cycle[0] ?? ''];
    report(first, undefined, `loop ${[...cycle, cycle[0]].join(' -> ')} never waits for input (add a menu or collect to it)`);
  }

  // Values a node holds.
  const languages = new Set([flow.language]);
  for (const node of nodes) {
    if (node.type === 'set' && typeof node.values.language === 'string' && !isTemplate(node.values.language)) {
      languages.add(node.values.language);
    }
  }
  for (const node of nodes) checkNode(node, flow, ctx, languages, report);

  return sortProblems(problems);
}

type Report = (node: FlowNode | undefined, field: string | undefined, message: string) => void;

function checkNode(node: FlowNode, flow: FlowDefinition, ctx: FlowCheckContext, languages: Set<string>, report: Report): void {
  // Prompts exist in every language the flow may play in.
  const promptFields: Array<[string, readonly string[]]> = [];
  if ('prompts' in node) promptFields.push(['prompts', node.prompts]);
  if (node.type === 'menu' || node.type === 'collect') {
    promptFields.push(['invalid-prompts', node.invalidPrompts], ['no-input-prompts', node.noInputPrompts]);
  }
  for (const [field, prompts] of promptFields) {
    prompts.forEach((prompt, i) => {
      const fieldAt = node.fieldsAt?.[`${field}.${i}`] ? `${field}.${i}` : field;
      if (isTemplate(prompt)) {
        checkReferences(node, fieldAt, prompt, report);
        return;
      }
      if (!ctx.promptExists) return;
      const missing = [...languages].filter((lang) => !ctx.promptExists?.(prompt, lang));
      if (missing.length > 0) report(node, fieldAt, `prompt '${prompt}' has no recording for language ${missing.join(', ')}`);
    });
  }

  switch (node.type) {
    case 'collect':
      if (node.pattern !== undefined) checkRegex(node, 'pattern', node.pattern, report);
      break;
    case 'condition':
      node.cases.forEach((c, i) => checkTest(node, `cases.${i}.when`, c.when, flow, report));
      break;
    case 'lookup-customer':
      checkReferences(node, 'number', node.number, report);
      break;
    case 'http':
      checkReferences(node, 'url', node.url, report);
      for (const [h, v] of Object.entries(node.headers)) checkReferences(node, `headers.${h}`, v, report);
      forEachString(node.body, 'body', (s, path) => checkReferences(node, path, s, report));
      break;
    case 'set':
      for (const [k, v] of Object.entries(node.values)) forEachString(v, `values.${k}`, (s, path) => checkReferences(node, path, s, report));
      break;
    case 'queue':
      checkName(node, 'queue', node.queue, 'queue', ctx.queues, report);
      if (typeof node.priority === 'string') {
        if (!isTemplate(node.priority) && !/^-?\d+$/.test(node.priority)) report(node, 'priority', `priority '${node.priority}' is not a number`);
        checkReferences(node, 'priority', node.priority, report);
      }
      if (typeof node.skills === 'string') checkReferences(node, 'skills', node.skills, report);
      else if (node.skills) {
        for (const [s, level] of Object.entries(node.skills)) {
          checkReferences(node, `skills.${s}`, s, report);
          if (typeof level === 'string') checkReferences(node, `skills.${s}`, level, report);
        }
      }
      break;
    case 'voicemail':
      checkName(node, 'box', node.box, 'voicemail box', ctx.boxes, report);
      break;
    case 'transfer':
      if (node.target.kind === 'number') checkReferences(node, 'number', node.target.number, report);
      if (node.target.kind === 'agent') checkName(node, 'agent', node.target.agent, 'agent', ctx.agents, report);
      if (node.target.kind === 'flow') checkFlowName(node, 'flow', node.target.flow, flow, ctx, report);
      break;
    case 'subflow':
      checkFlowName(node, 'flow', node.flow, flow, ctx, report);
      if (node.flow === flow.name) report(node, 'flow', `a flow cannot run itself as a subflow`);
      break;
    default:
      break;
  }
}

function checkFlowName(node: FlowNode, field: string, name: string, flow: FlowDefinition, ctx: FlowCheckContext, report: Report): void {
  if (ctx.flows && name !== flow.name && !ctx.flows.has(name)) report(node, field, `unknown flow '${name}'`);
}

function checkName(node: FlowNode, field: string, value: string, kind: string, known: ReadonlySet<string> | undefined, report: Report): void {
  if (isTemplate(value)) {
    checkReferences(node, field, value, report);
    return;
  }
  if (known && !known.has(value)) report(node, field, `unknown ${kind} '${value}'${known.size > 0 ? ` (known: ${[...known].sort().join(', ')})` : ''}`);
}

function checkReferences(node: FlowNode, field: string, s: string, report: Report): void {
  for (const ref of referencesIn(s)) {
    const problem = referenceProblem(ref);
    if (problem) report(node, field, problem);
  }
}

function checkRegex(node: FlowNode, field: string, pattern: string, report: Report): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    report(node, field, `invalid pattern /${pattern}/: ${err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(err)}`);
  }
}

function checkTest(node: FlowNode, path: string, test: ConditionTest, flow: FlowDefinition, report: Report): void {
  if (typeof test.holiday === 'string' && !(test.holiday in flow.holidays)) {
    const names = Object.keys(flow.holidays);
    report(node, `${path}.holiday`, `unknown holiday calendar '${test.holiday}'${names.length > 0 ? ` (calendars: ${names.join(', ')})` : ' (define it under holidays)'}`);
  }
  if (test.holiday === true && Object.keys(flow.holidays).length === 0) {
    report(node, `${path}.holiday`, `holiday: true but the flow defines no holidays`);
  }
  if (test.var !== undefined) {
    const problem = referenceProblem(test.var);
    if (problem) report(node, `${path}.var`, problem);
  }
  if (test.matches !== undefined) checkRegex(node, `${path}.matches`, test.matches, report);
  test.all?.forEach((t, i) => checkTest(node, `${path}.all.${i}`, t, flow, report));
  test.any?.forEach((t, i) => checkTest(node, `${path}.any.${i}`, t, flow, report));
  if (test.not) checkTest(node, `${path}.not`, test.not, flow, report);
}

function forEachString(value: unknown, path: string, fn: (s: string, path: string) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, `${path}.${i}`, fn));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) forEachString(v, `${path}.${k}`, fn);
  }
}

/**
 * Cycles through nodes that never wait for input (strongly connected components
 * of the graph without menu/collect/subflow nodes). Such a loop would spin
 * forever without a caller doing anything; each is reported once.
 */
function cyclesWithoutWaiting(flow: FlowDefinition): string[][] {
  const ids = Object.keys(flow.nodes).filter((id) => !WAITING_TYPES.has(flow.nodes[id]?.type ?? ''));
  const inGraph = new Set(ids);
  const next = (id: string): string[] => {
    const node = flow.nodes[id];
    return node ? [...new Set(edgesOf(node).map((e) => e.target))].filter((t) => inGraph.has(t)) : [];
  };
  // Tarjan's algorithm, iterative enough for flows of any practical size.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, indices.get(w) ?? 0));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1 || next(v).includes(v)) cycles.push(orderCycle(component, next, ids));
    }
  };
  for (const id of ids) if (!indices.has(id)) visit(id);
  return cycles;
}

/** A component as a readable loop: start at the node written first, follow edges inside it. */
function orderCycle(component: string[], next: (id: string) => string[], fileOrder: string[]): string[] {
  const members = new Set(component);
  const first = fileOrder.find((id) => members.has(id)) ?? component[0] ?? '';
  const path = [first];
  const seen = new Set([first]);
  for (let cur = first; ; ) {
    const step = next(cur).find((t) => members.has(t) && !seen.has(t));
    if (step === undefined) break;
    path.push(step);
    seen.add(step);
    cur = step;
  }
  return path;
}
