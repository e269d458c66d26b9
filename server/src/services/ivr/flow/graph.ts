// The edges of the flow graph: every place a node names another node, with the
// field it is written in (for positions) and how to say it in a message.

import type { FlowNode } from './types.js';

export interface FlowEdge {
  /** The field path inside the node, as positions are recorded ('options.1', 'cases.0.next'). */
  field: string;
  /** How the field reads in a message ("option 1", "next"). */
  label: string;
  target: string;
}

export function edgesOf(node: FlowNode): FlowEdge[] {
  const e = (field: string, target: string, label = field): FlowEdge => ({ field, label, target });
  const fallback = (invalid: string, noInput: string): FlowEdge[] =>
    node.fieldsAt?.['fallback.invalid'] !== undefined || invalid !== noInput
      ? [e('fallback.invalid', invalid, 'fallback.invalid'), e('fallback.no-input', noInput, 'fallback.no-input')]
      : [e('fallback', invalid)];
  switch (node.type) {
    case 'play':
    case 'set':
    case 'subflow':
      return [e('next', node.next)];
    case 'menu':
      return [...Object.entries(node.options).map(([digit, t]) => e(`options.${digit}`, t, `option '${digit}'`)), ...fallback(node.onInvalid, node.onNoInput)];
    case 'collect':
      return [e('next', node.next), ...fallback(node.onInvalid, node.onNoInput)];
    case 'condition':
      return [...node.cases.map((c, i) => e(`cases.${i}.next`, c.next, `case ${i + 1} next`)), e('else', node.else)];
    case 'lookup-customer':
      return [e('found', node.found), e('not-found', node.notFound), ...(node.failure !== node.notFound ? [e('failure', node.failure)] : [])];
    case 'http':
      return [e('next', node.next), e('failure', node.failure)];
    case 'queue':
    case 'voicemail':
    case 'transfer':
    case 'return':
    case 'hangup':
      return [];
  }
}
