// subflow: runs another flow as part of this one (its own machine, through the
// `subflow` actor). When it reaches `return`, this flow goes on at next with its
// variables; when it ends the call (queue, transfer...), that is this flow's end too.

import { assign } from 'xstate';
import { onErrorFail, record, to } from '../machine.js';
import type { Args, FlowContext, StateConfig, SubflowInput, SubflowOutput } from '../machine.js';
import type { NodeBase } from '../types.js';
import { checkFlowName } from './checks.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';

export interface SubflowNode extends NodeBase {
  type: 'subflow';
  flow: string;
  next: string;
}

export const subflow: NodeType<SubflowNode> = {
  fields: ['flow', 'next'],
  waitsForInput: true,
  read: (f) => ({ type: 'subflow', flow: f.string('flow', true) ?? '', next: f.target('next') }),
  edges: (node) => [edge('next', node.next)],
  flowsCalled: (node) => [node.flow],
  check: (node, { flow, ctx, report }) => {
    checkFlowName(node, 'flow', node.flow, flow, ctx, report);
    if (node.flow === flow.name) report(node, 'flow', `a flow cannot run itself as a subflow`);
  },
  state: (node) =>
    ({
      invoke: {
        src: 'subflow',
        input: ({ context }: Args): SubflowInput => ({
          flow: node.flow,
          node: node.id,
          caller: context.caller,
          vars: context.vars,
          customer: context.customer,
          language: context.language,
        }),
        onDone: [
          {
            guard: ({ event }: Args) => (event.output as SubflowOutput).kind === 'return',
            target: to(node.next),
            reenter: true,
            // The subflow's own steps come first: this node's step is complete only when the subflow is.
            actions: [assign(({ context, event }: Args) => merged(context, event.output as SubflowOutput, node.flow)), record(node, 'next')],
          },
          {
            target: `#flow-done`,
            actions: [
              assign(({ context, event }: Args) => {
                const out = event.output as SubflowOutput;
                return { ...merged(context, out, node.flow), outcome: out.kind === 'outcome' ? out.outcome : { type: 'hangup' as const } };
              }),
              record(node, 'outcome'),
            ],
          },
        ],
        onError: onErrorFail(node),
      },
    }) as StateConfig,
};

/** After a subflow: its steps join the path (marked with its flow), its variables and language carry on. */
function merged(context: FlowContext, out: SubflowOutput, flowName: string): Partial<FlowContext> {
  return {
    path: [...context.path, ...out.path.map((s) => (s.flow !== undefined ? s : { ...s, flow: flowName }))],
    vars: out.vars,
    customer: out.customer,
    language: out.language,
  };
}
