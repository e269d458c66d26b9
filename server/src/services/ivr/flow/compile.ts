// FlowDefinition → one xstate v5 machine. Every node is a state (id `n_<node>`),
// built by its node type (nodes/<type>.ts); every step that waits on the outside
// (prompts, digits, the CRM, an HTTP dip, the clock, a subflow) is an invoked
// actor named in setup() (machine.ts), so the live runtime and the simulator
// supply the behaviour with machine.provide() and run the very same machine.
// The machine ends in `done` with the outcome (or a subflow's return) in its
// output, or in `failed` with the error.

import { TenorError } from '../../../core/errors.js';
import { checkFlow } from './check.js';
import { DONE, FAILED, SECURE_VALUE, flowSetup, stateId } from './machine.js';
import type { FlowMachineOutput, StateConfig } from './machine.js';
import { nodeTypeOf } from './nodes/index.js';
import type { CompiledFlow, FlowDefinition } from './types.js';

export { DONE, FAILED, stateId };
export type { FlowContext, FlowInput, FlowMachine, FlowMachineOutput, SubflowInput, SubflowOutput } from './machine.js';

export interface CompileOptions {
  /** Resolves a subflow (or transfer) target by name when a subflow node is entered. */
  subflow?(name: string): CompiledFlow | undefined;
}

/** Compile a checked flow. A flow with structural problems is refused (TENOR_ERR_FLOW_INVALID). */
export function compileFlow(flow: FlowDefinition, opts: CompileOptions = {}): CompiledFlow {
  const problems = checkFlow(flow, {});
  if (problems.length > 0) {
    throw new TenorError('TENOR_ERR_FLOW_INVALID', [flow.name, problems.map((p) => `${p.node ? `node '${p.node}': ` : ''}${p.message}`).join('; ')], {
      details: { problems },
    });
  }
  const states: Record<string, StateConfig> = {};
  for (const node of Object.values(flow.nodes)) states[node.id] = { id: stateId(node.id), ...nodeTypeOf(node).state(node, flow) } as StateConfig;
  states[DONE] = { id: 'flow-done', type: 'final' };
  states[FAILED] = { id: 'flow-failed', type: 'final' };

  const machine = flowSetup.createMachine({
    id: `flow:${flow.name}@${flow.version}`,
    context: ({ input }) => ({
      caller: { callId: input.caller.callId, number: input.caller.number, dialed: input.caller.dialed },
      vars: { ...(input.variables ?? {}) },
      customer: input.customer,
      language: input.language ?? input.caller.language ?? flow.language,
      pending: '',
      attempt: 0,
      miss: undefined,
      entered: '',
      asked: [],
      secrets: [],
      path: [],
      outcome: undefined,
      returned: false,
      error: undefined,
      failedAt: undefined,
    }),
    initial: flow.start,
    states,
    output: ({ context }): FlowMachineOutput => {
      // A secure collect's digits stay in the flow that collected them: what leaves it (the run's
      // variables, a subflow's return) shows only that there was an entry.
      const vars = context.secrets.length === 0 ? context.vars : { ...context.vars, ...Object.fromEntries(context.secrets.map((v) => [v, SECURE_VALUE])) };
      const common = { path: context.path, vars, customer: context.customer, language: context.language };
      if (context.error !== undefined || context.failedAt !== undefined) {
        return { kind: 'error', error: context.error, node: context.failedAt, path: context.path, vars };
      }
      if (context.returned || !context.outcome) return { kind: 'return', ...common };
      return { kind: 'outcome', outcome: context.outcome, ...common };
    },
  });
  return {
    name: flow.name,
    version: flow.version,
    definition: flow,
    machine,
    ...(opts.subflow ? { resolveSubflow: opts.subflow } : {}),
  };
}
