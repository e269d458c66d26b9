// The checker: everything that can be known about a flow before a caller meets
// it. Structure (targets, reachability, loops that never wait for input,
// regexes, time zone, calendars, references) always; names of queues, boxes,
// flows, agents and prompts when the context lists them. Every problem names the
// node and, when the flow came from a file, the line.

import { edgesOf } from './graph.js';
import { checkReferences } from './nodes/checks.js';
import type { Report } from './nodes/checks.js';
import { nodeTypeOf } from './nodes/index.js';
import { isTemplate, referencesIn } from './template.js';
import { isValidTimeZone } from './time.js';
import type { FlowCheckContext, FlowDefinition, FlowNode, FlowProblem, SourcePosition } from './types.js';
import { sortProblems } from './sort.js';

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
  for (const node of nodes) for (const language of nodeTypeOf(node).languages?.(node) ?? []) languages.add(language);
  for (const node of nodes) checkNode(node, flow, ctx, languages, report);
  checkSecureVariables(nodes, report);

  return sortProblems(problems);
}

/**
 * A secure collect's digits (a card number, a PIN) may only be sent on by an
 * http node. Anywhere else (a prompt, a condition, a transfer number, a queue)
 * they would be spoken, logged or stored, so the flow is refused.
 */
function checkSecureVariables(nodes: FlowNode[], report: Report): void {
  const secure = new Map<string, string>();
  for (const node of nodes) if (node.type === 'collect' && node.secure) secure.set(node.into, node.id);
  if (secure.size === 0) return;
  const named = (ref: string): string | undefined => {
    const name = ref.startsWith('vars.') ? ref.slice('vars.'.length).split('.')[0] : undefined;
    return name !== undefined && secure.has(name) ? name : undefined;
  };
  for (const node of nodes) {
    if (node.type === 'http') continue;
    for (const [field, value] of Object.entries(node)) {
      if (field === 'id' || field === 'type' || field === 'at' || field === 'fieldsAt' || (node.type === 'collect' && field === 'into')) continue;
      const used = new Set<string>();
      walkStrings(value, undefined, (text, key) => {
        for (const ref of referencesIn(text)) {
          const name = named(ref);
          if (name !== undefined) used.add(name);
        }
        // A condition names its value without ${}: `var: pin` or `var: vars.pin`.
        if (key === 'var') {
          const name = named(text.startsWith('vars.') ? text : `vars.${text}`);
          if (name !== undefined) used.add(name);
        }
      });
      for (const name of used) {
        report(node, fieldKey(node, field), `vars.${name} holds the secure digits of collect '${secure.get(name) ?? ''}': only an http node may send them on (here they would be played, logged or stored)`);
      }
    }
  }
}

function walkStrings(value: unknown, key: string | undefined, fn: (text: string, key: string | undefined) => void): void {
  if (typeof value === 'string') fn(value, key);
  else if (Array.isArray(value)) for (const item of value) walkStrings(item, key, fn);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walkStrings(v, k, fn);
}

/** The field as written in the file (prompts, on-invalid), for its line; the node's own line when unknown. */
function fieldKey(node: FlowNode, field: string): string | undefined {
  const kebab = field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return node.fieldsAt?.[kebab] !== undefined ? kebab : node.fieldsAt?.[field] !== undefined ? field : undefined;
}

function checkNode(node: FlowNode, flow: FlowDefinition, ctx: FlowCheckContext, languages: Set<string>, report: Report): void {
  const kind = nodeTypeOf(node);
  // Prompts exist in every language the flow may play in.
  for (const [field, prompts] of kind.promptLists?.(node) ?? []) {
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
  kind.check?.(node, { flow, ctx, report });
}

/**
 * Cycles through nodes that never wait for input (strongly connected components
 * of the graph without the node types that wait for input: menu, collect,
 * subflow). Such a loop would spin forever without a caller doing anything;
 * each is reported once.
 */
function cyclesWithoutWaiting(flow: FlowDefinition): string[][] {
  const ids = Object.keys(flow.nodes).filter((id) => {
    const node = flow.nodes[id];
    return node !== undefined && !nodeTypeOf(node).waitsForInput;
  });
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
