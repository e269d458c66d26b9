// hangup: prompts, then the call ends. Ends the flow.

import type { FlowPrompt, NodeBase } from '../types.js';
import type { NodeType } from './contract.js';
import { PROMPT_FIELDS } from './fields.js';
import { terminalState } from './terminal.js';

export interface HangupNode extends NodeBase {
  type: 'hangup';
  prompts: FlowPrompt[];
}

export const hangup: NodeType<HangupNode> = {
  fields: [...PROMPT_FIELDS],
  waitsForInput: false,
  read: (f) => ({ type: 'hangup', prompts: f.prompts('prompts', false) }),
  edges: () => [],
  promptLists: (node) => [['prompts', node.prompts]],
  state: (node) => terminalState(node, () => ({ outcome: { type: 'hangup' } })),
};
