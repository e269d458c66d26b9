// voicemail: prompts, then the caller leaves a message in a box. Ends the flow.

import { scopeOf } from '../machine.js';
import { renderText } from '../template.js';
import type { FlowPrompt, NodeBase, Template } from '../types.js';
import { checkName } from './checks.js';
import type { NodeType } from './contract.js';
import { PROMPT_FIELDS } from './fields.js';
import { terminalState } from './terminal.js';

export interface VoicemailNode extends NodeBase {
  type: 'voicemail';
  prompts: FlowPrompt[];
  box: Template;
}

export const voicemail: NodeType<VoicemailNode> = {
  fields: [...PROMPT_FIELDS, 'box'],
  waitsForInput: false,
  read: (f) => ({ type: 'voicemail', prompts: f.prompts('prompts', false), box: f.string('box', true) ?? '' }),
  edges: () => [],
  promptLists: (node) => [['prompts', node.prompts]],
  check: (node, { ctx, report }) => checkName(node, 'box', node.box, 'voicemail box', ctx.boxes, report),
  state: (node) => terminalState(node, (context) => ({ outcome: { type: 'voicemail', box: renderText(node.box, scopeOf(context)) } })),
};
