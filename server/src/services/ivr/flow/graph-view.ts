// The flow as a drawing needs it: every node with its type and line, whether a
// caller can reach it from start, and every edge with the field that makes it
// (a menu digit, a condition case, next, fallback...). Targets that name no
// node are kept as "missing" nodes so an editor can show where a draft points
// into nothing.

import { edgesOf } from './graph.js';
import type { FlowDefinition } from './types.js';

export interface FlowGraphNode {
  id: string;
  /** The node's type; 'missing' for a target that names no node. */
  type: string;
  /** Where the node is written in the source (1-based); null for missing targets or flows without positions. */
  line: number | null;
  reachable: boolean;
}

export interface FlowGraphEdge {
  from: string;
  to: string;
  /** The field that names the target, as positions are recorded: 'options.1', 'next', 'cases.0.next', 'fallback.no-input'. */
  field: string;
  line: number | null;
}

export interface FlowGraph {
  start: string;
  nodes: FlowGraphNode[];
  edges: FlowGraphEdge[];
}

export function flowGraph(flow: FlowDefinition): FlowGraph {
  const edges: FlowGraphEdge[] = [];
  for (const node of Object.values(flow.nodes)) {
    for (const e of edgesOf(node)) {
      edges.push({ from: node.id, to: e.target, field: e.field, line: node.fieldsAt?.[e.field]?.line ?? node.at?.line ?? null });
    }
  }
  const reached = new Set<string>();
  if (flow.start in flow.nodes) {
    const toVisit = [flow.start];
    reached.add(flow.start);
    for (let id = toVisit.pop(); id !== undefined; id = toVisit.pop()) {
      for (const e of edges) {
        if (e.from === id && !reached.has(e.to)) {
          reached.add(e.to);
          toVisit.push(e.to);
        }
      }
    }
  }
  const nodes: FlowGraphNode[] = Object.values(flow.nodes).map((n) => ({ id: n.id, type: n.type, line: n.at?.line ?? null, reachable: reached.has(n.id) }));
  const missing = new Set(edges.map((e) => e.to).filter((to) => !(to in flow.nodes)));
  if (!(flow.start in flow.nodes)) missing.add(flow.start);
  for (const id of missing) nodes.push({ id, type: 'missing', line: null, reachable: reached.has(id) });
  return { start: flow.start, nodes, edges };
}
