// The node types of the flow language, in the order they are documented and
// listed in messages ("known: play, menu, ..."). Adding a type: its module
// (nodes/<type>.ts: the node's interface and its NodeType) and one line here;
// FlowNode (types.ts) is the union of the nodes listed here, and each entry's
// key must be its node's type.

import type { FlowNode, FlowNodeType } from '../types.js';
import { collect } from './collect.js';
import { condition } from './condition.js';
import type { NodeType } from './contract.js';
import { hangup } from './hangup.js';
import { http } from './http.js';
import { lookupCustomer } from './lookup-customer.js';
import { menu } from './menu.js';
import { play } from './play.js';
import { queue } from './queue.js';
import { returnNode } from './return.js';
import { set } from './set.js';
import { subflow } from './subflow.js';
import { transfer } from './transfer.js';
import { voicemail } from './voicemail.js';

const NODE_MODULES = {
  play,
  menu,
  collect,
  condition,
  'lookup-customer': lookupCustomer,
  http,
  set,
  queue,
  voicemail,
  transfer,
  subflow,
  return: returnNode,
  hangup,
} as const;

/** Every node the registry's types read: FlowNode is this union. */
export type RegisteredNode = NodeOf<(typeof NODE_MODULES)[keyof typeof NODE_MODULES]>;
type NodeOf<M> = M extends NodeType<infer N> ? N : never;

export const NODE_TYPES = Object.keys(NODE_MODULES) as FlowNodeType[];

export function isNodeType(type: unknown): type is FlowNodeType {
  return typeof type === 'string' && Object.hasOwn(NODE_MODULES, type);
}

/** The module of a node type. */
export function nodeType(type: FlowNodeType): NodeType<FlowNode> {
  return NODE_MODULES[type];
}

/** The module of a node's own type, to call with that node. */
export function nodeTypeOf(node: FlowNode): NodeType<FlowNode> {
  return NODE_MODULES[node.type];
}

export type { NodeType } from './contract.js';
export type { FlowEdge } from './edges.js';
export { NodeFields } from './fields.js';
