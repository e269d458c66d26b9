// transfer: prompts, then the call goes to a number, an agent or another flow
// (one of the three). Ends the flow. A transfer to a flow may carry a
// `recording` policy for the queue that flow sends the call to.

import type { FlowOutcome, FlowRecording } from '../io.js';
import { scopeOf } from '../machine.js';
import type { FlowContext } from '../machine.js';
import { renderText } from '../template.js';
import type { FlowPrompt, NodeBase, Template } from '../types.js';
import { checkFlowName, checkName, checkReferences } from './checks.js';
import type { NodeType } from './contract.js';
import { PROMPT_FIELDS } from './fields.js';
import { readRecording, recordingPrompts } from './recording-field.js';
import { terminalState } from './terminal.js';

export interface TransferNode extends NodeBase {
  type: 'transfer';
  prompts: FlowPrompt[];
  target: { kind: 'number'; number: Template } | { kind: 'agent'; agent: Template } | { kind: 'flow'; flow: string };
  /** The recording policy for the call when the next flow queues it (unless that flow's queue node sets its own). */
  recording?: FlowRecording;
}

export const transfer: NodeType<TransferNode> = {
  fields: [...PROMPT_FIELDS, 'number', 'agent', 'flow', 'recording'],
  waitsForInput: false,
  read: (f) => {
    const given = (['number', 'agent', 'flow'] as const).filter((k) => k in f.raw);
    if (given.length !== 1) {
      f.problemAtKey(f.path, given.length === 0 ? `a transfer needs one of number, agent or flow` : `a transfer takes one of number, agent or flow, not ${given.join(' and ')}`);
      return undefined;
    }
    const kind = given[0] ?? 'number';
    const value = f.string(kind, true) ?? '';
    const target: TransferNode['target'] =
      kind === 'number' ? { kind, number: value } : kind === 'agent' ? { kind, agent: value } : { kind, flow: value };
    const recording = readRecording(f);
    return { type: 'transfer', prompts: f.prompts('prompts', false), target, ...(recording !== undefined ? { recording } : {}) };
  },
  edges: () => [],
  flowsCalled: (node) => (node.target.kind === 'flow' ? [node.target.flow] : []),
  promptLists: (node) => [['prompts', node.prompts], ...recordingPrompts(node.recording)],
  check: (node, { flow, ctx, report }) => {
    if (node.target.kind === 'number') checkReferences(node, 'number', node.target.number, report);
    if (node.target.kind === 'agent') checkName(node, 'agent', node.target.agent, 'agent', ctx.agents, report);
    if (node.target.kind === 'flow') checkFlowName(node, 'flow', node.target.flow, flow, ctx, report);
    // Recording follows calls the ACD connects to agents: a number leaves the site, a direct transfer bypasses the queues.
    if (node.recording && node.target.kind !== 'flow') {
      report(node, 'recording', `recording applies to calls an agent takes from a queue; a transfer to ${node.target.kind === 'number' ? 'a number' : 'an agent directly'} is not recorded (use a queue node, or a transfer to a flow)`);
    }
  },
  state: (node) => terminalState(node, (context) => ({ outcome: transferOutcome(node, context) })),
};

function transferOutcome(node: TransferNode, context: FlowContext): FlowOutcome {
  const scope = scopeOf(context);
  const t = node.target;
  if (t.kind === 'number') return { type: 'transfer', target: { kind: 'number', number: renderText(t.number, scope) } };
  if (t.kind === 'agent') return { type: 'transfer', target: { kind: 'agent', agent: renderText(t.agent, scope) } };
  return { type: 'transfer', target: { kind: 'flow', flow: t.flow }, ...(node.recording ? { recording: { ...node.recording } } : {}) };
}
