// The edges of the flow graph: every place a node names another node, with the
// field it is written in (for positions) and how to say it in a message; and the
// other flows a node sends the call to. Each node type lists its own
// (nodes/<type>.ts).

import { nodeTypeOf } from './nodes/index.js';
import type { FlowEdge } from './nodes/index.js';
import type { FlowNode } from './types.js';

export type { FlowEdge };

export function edgesOf(node: FlowNode): FlowEdge[] {
  return nodeTypeOf(node).edges(node);
}

/** The other flows a node sends the call to (subflow, transfer to a flow). */
export function flowsCalledBy(node: FlowNode): string[] {
  return nodeTypeOf(node).flowsCalled?.(node) ?? [];
}
