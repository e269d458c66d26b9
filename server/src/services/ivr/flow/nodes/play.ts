// play: prompts, then next. A digit pressed during an interruptible play stops
// it and is kept for the next menu or collect.

import { assign } from 'xstate';
import type { PlayRequest, PlayResponse } from '../io.js';
import { onErrorFail, record, renderPrompts, to } from '../machine.js';
import type { Args, StateConfig } from '../machine.js';
import type { FlowPrompt, NodeBase } from '../types.js';
import type { NodeType } from './contract.js';
import { edge } from './edges.js';
import { PROMPT_FIELDS } from './fields.js';

export interface PlayNode extends NodeBase {
  type: 'play';
  prompts: FlowPrompt[];
  /** A digit pressed stops the prompts and is kept for the next menu or collect. */
  interruptible: boolean;
  next: string;
}

export const play: NodeType<PlayNode> = {
  fields: [...PROMPT_FIELDS, 'interruptible', 'next'],
  waitsForInput: false,
  read: (f) => ({ type: 'play', prompts: f.prompts('prompts', true), interruptible: f.bool('interruptible', false), next: f.target('next') }),
  edges: (node) => [edge('next', node.next)],
  promptLists: (node) => [['prompts', node.prompts]],
  state: (node) =>
    ({
      invoke: {
        src: 'play',
        input: ({ context }: Args): PlayRequest => ({
          prompts: renderPrompts(node.prompts, context),
          language: context.language,
          interruptible: node.interruptible,
          node: node.id,
        }),
        onDone: {
          target: to(node.next),
          reenter: true,
          actions: [
            record(node, 'next', ({ context }) => ({ prompts: renderPrompts(node.prompts, context) })),
            assign(({ context, event }: Args) => ({ pending: context.pending + ((event.output as PlayResponse | undefined)?.digit ?? '') })),
          ],
        },
        onError: onErrorFail(node),
      },
    }) as StateConfig,
};
