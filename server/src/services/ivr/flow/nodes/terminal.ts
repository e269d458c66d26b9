// The state of the node types that end the flow (queue, voicemail, transfer,
// hangup, return): their prompts, if any, then `done` with what the end is.

import { assign } from 'xstate';
import type { PlayRequest } from '../io.js';
import { onErrorFail, record, renderPrompts } from '../machine.js';
import type { Args, FlowContext, StateConfig } from '../machine.js';
import type { FlowNode } from '../types.js';

/** ending: what the node leaves in the context (the outcome, or that the flow returned). */
export function terminalState(node: FlowNode & { prompts?: string[] }, ending: (context: FlowContext) => Partial<FlowContext>): StateConfig {
  const finish = {
    target: '#flow-done',
    actions: [
      record(node, undefined, ({ context }) => (node.prompts && node.prompts.length > 0 ? { prompts: renderPrompts(node.prompts, context) } : {})),
      assign(({ context }: Args) => ending(context)),
    ],
  };
  if (!node.prompts || node.prompts.length === 0) return { always: finish } as StateConfig;
  return {
    invoke: {
      src: 'play',
      input: ({ context }: Args): PlayRequest => ({ prompts: renderPrompts(node.prompts ?? [], context), language: context.language, interruptible: false, node: node.id }),
      onDone: finish,
      onError: onErrorFail(node),
    },
  } as StateConfig;
}
