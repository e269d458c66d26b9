// What a node type is to the flow language: one module per type (nodes/<type>.ts)
// implements this contract, and nodes/index.ts lists them. The generic drivers
// (parse.ts, check.ts, compile.ts, graph.ts) ask the registry and never name a type.

import type { StateConfig } from '../machine.js';
import type { FlowCheckContext, FlowDefinition, NodeBase } from '../types.js';
import type { Report } from './checks.js';
import type { FlowEdge } from './edges.js';
import type { NodeFields } from './fields.js';

/**
 * What a node type's reader returns: the node without its id and positions,
 * which the driver adds. Distributes over a union, so NodeBody<FlowNode> is
 * the union of every type's body.
 */
export type NodeBody<N extends NodeBase> = N extends NodeBase ? Omit<N, 'id' | 'at' | 'fieldsAt'> : never;

export interface CheckScope {
  flow: FlowDefinition;
  ctx: FlowCheckContext;
  report: Report;
}

// Methods (not function-valued properties) on purpose: the registry holds one
// NodeType per node type, and the drivers call them through NodeType<FlowNode>
// with the node the registry entry was looked up by.
export interface NodeType<N extends NodeBase> {
  /** The fields a node of this type may have besides `type`, as written in the file. */
  readonly fields: readonly string[];
  /** The node waits for the caller: a loop through it is paced by a person, not a spin. */
  readonly waitsForInput: boolean;
  /**
   * YAML/JSON → node. Each problem is reported through f at its field's line;
   * undefined when the node cannot be read at all (the driver also drops a node
   * whose reading reported any problem).
   */
  read(f: NodeFields): NodeBody<N> | undefined;
  /** Every node this one can go to, with the field that names it. */
  edges(node: N): FlowEdge[];
  /** The prompt lists, by field, the checker looks up in every language the flow may play in. */
  promptLists?(node: N): Array<[field: string, prompts: readonly string[]]>;
  /** Other flows the node sends the call to (a subflow, a transfer to a flow). */
  flowsCalled?(node: N): string[];
  /** Prompt sets the node may switch the call to (besides the flow's language). */
  languages?(node: N): string[];
  /** Checks of the node's own values (references, names, patterns). */
  check?(node: N, scope: CheckScope): void;
  /** The node's state in the flow's machine. */
  state(node: N, flow: FlowDefinition): StateConfig;
}
