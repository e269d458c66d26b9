// Checks node types share: references in templates, names of queues, boxes,
// agents and flows against the context, regular expressions, and a walk over
// every text inside a JSON value.

import { isTemplate, referenceProblem, referencesIn } from '../template.js';
import type { FlowCheckContext, FlowDefinition, FlowNode } from '../types.js';

/** Records a problem of a node, at a field when its position is known. */
export type Report = (node: FlowNode | undefined, field: string | undefined, message: string) => void;

export function checkFlowName(node: FlowNode, field: string, name: string, flow: FlowDefinition, ctx: FlowCheckContext, report: Report): void {
  if (ctx.flows && name !== flow.name && !ctx.flows.has(name)) report(node, field, `unknown flow '${name}'`);
}

export function checkName(node: FlowNode, field: string, value: string, kind: string, known: ReadonlySet<string> | undefined, report: Report): void {
  if (isTemplate(value)) {
    checkReferences(node, field, value, report);
    return;
  }
  if (known && !known.has(value)) report(node, field, `unknown ${kind} '${value}'${known.size > 0 ? ` (known: ${[...known].sort().join(', ')})` : ''}`);
}

export function checkReferences(node: FlowNode, field: string, s: string, report: Report): void {
  for (const ref of referencesIn(s)) {
    const problem = referenceProblem(ref);
    if (problem) report(node, field, problem);
  }
}

export function checkRegex(node: FlowNode, field: string, pattern: string, report: Report): void {
  try {
    new RegExp(pattern);
  } catch (err) {
    report(node, field, `invalid pattern /${pattern}/: ${err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '') : String(err)}`);
  }
}

export function forEachString(value: unknown, path: string, fn: (s: string, path: string) => void): void {
  if (typeof value === 'string') fn(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => forEachString(v, `${path}.${i}`, fn));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) forEachString(v, `${path}.${k}`, fn);
  }
}
