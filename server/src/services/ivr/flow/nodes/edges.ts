// The edges of the flow graph: every place a node names another node, with the
// field it is written in (for positions) and how to say it in a message.

import type { FlowNode } from '../types.js';

export interface FlowEdge {
  /** The field path inside the node, as positions are recorded ('options.1', 'cases.0.next'). */
  field: string;
  /** How the field reads in a message ("option 1", "next"). */
  label: string;
  target: string;
}

export function edge(field: string, target: string, label = field): FlowEdge {
  return { field, label, target };
}

/** A menu's or collect's fallback: one edge when written as one node, two when split (or when they differ). */
export function fallbackEdges(node: FlowNode, invalid: string, noInput: string): FlowEdge[] {
  return node.fieldsAt?.['fallback.invalid'] !== undefined || invalid !== noInput
    ? [edge('fallback.invalid', invalid, 'fallback.invalid'), edge('fallback.no-input', noInput, 'fallback.no-input')]
    : [edge('fallback', invalid)];
}
