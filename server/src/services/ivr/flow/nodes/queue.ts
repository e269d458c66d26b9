// queue: prompts, then the call waits in a queue for an agent (with a priority
// and skills, numbers or templates). Ends the flow.

import type { FlowOutcome, FlowRecording } from '../io.js';
import { scopeOf } from '../machine.js';
import { describe, isObject } from '../reader.js';
import { isTemplate, render, renderText, textOf } from '../template.js';
import type { TemplateScope } from '../template.js';
import type { FlowPrompt, NodeBase, Template } from '../types.js';
import { checkName, checkReferences } from './checks.js';
import type { NodeType } from './contract.js';
import { PROMPT_FIELDS } from './fields.js';
import { readRecording, recordingPrompts } from './recording-field.js';
import { terminalState } from './terminal.js';

export interface QueueNode extends NodeBase {
  type: 'queue';
  prompts: FlowPrompt[];
  queue: Template;
  /** A number, or a template that renders to one. */
  priority?: number | Template;
  /** Skill → level (number or template), or one template that renders to such an object. */
  skills?: Record<string, number | Template> | Template;
  /** The recording policy for calls queued here, over the queue's. */
  recording?: FlowRecording;
}

export const queue: NodeType<QueueNode> = {
  fields: [...PROMPT_FIELDS, 'queue', 'priority', 'skills', 'recording'],
  waitsForInput: false,
  read: (f) => {
    const raw = f.raw;
    const priority = raw.priority;
    if (priority !== undefined && typeof priority !== 'number' && typeof priority !== 'string') {
      f.problem(`${f.path}.priority`, `priority must be a number or a template; found ${describe(priority)}`);
    }
    let skills: Record<string, number | string> | string | undefined;
    if (raw.skills !== undefined) {
      if (typeof raw.skills === 'string') skills = raw.skills;
      else if (isObject(raw.skills)) {
        skills = {};
        for (const [s, level] of Object.entries(raw.skills)) {
          if (typeof level !== 'number' && typeof level !== 'string') {
            f.problem(`${f.path}.skills.${s}`, `skill level must be a number or a template; found ${describe(level)}`);
          } else skills[s] = level;
        }
      } else f.problem(`${f.path}.skills`, `skills is a map of skill to level, or a template; found ${describe(raw.skills)}`);
    }
    const recording = readRecording(f);
    return {
      type: 'queue',
      prompts: f.prompts('prompts', false),
      queue: f.string('queue', true) ?? '',
      ...(typeof priority === 'number' || typeof priority === 'string' ? { priority } : {}),
      ...(skills !== undefined ? { skills } : {}),
      ...(recording !== undefined ? { recording } : {}),
    };
  },
  edges: () => [],
  promptLists: (node) => [['prompts', node.prompts], ...recordingPrompts(node.recording)],
  check: (node, { ctx, report }) => {
    checkName(node, 'queue', node.queue, 'queue', ctx.queues, report);
    if (typeof node.priority === 'string') {
      if (!isTemplate(node.priority) && !/^-?\d+$/.test(node.priority)) report(node, 'priority', `priority '${node.priority}' is not a number`);
      checkReferences(node, 'priority', node.priority, report);
    }
    if (typeof node.skills === 'string') checkReferences(node, 'skills', node.skills, report);
    else if (node.skills) {
      for (const [s, level] of Object.entries(node.skills)) {
        checkReferences(node, `skills.${s}`, s, report);
        if (typeof level === 'string') checkReferences(node, `skills.${s}`, level, report);
      }
    }
  },
  state: (node) => terminalState(node, (context) => ({ outcome: queueOutcome(node, scopeOf(context)) })),
};

function queueOutcome(node: QueueNode, scope: TemplateScope): FlowOutcome {
  const outcome: FlowOutcome = { type: 'queue', queue: renderText(node.queue, scope), ...(node.recording ? { recording: { ...node.recording } } : {}) };
  if (node.priority !== undefined) {
    const p = typeof node.priority === 'number' ? node.priority : Number(textOf(render(node.priority, scope)));
    // A template that renders to nothing (no customer, no variable) leaves the queue's default priority.
    if (Number.isFinite(p) && !(typeof node.priority === 'string' && textOf(render(node.priority, scope)) === '')) outcome.priority = p;
  }
  if (node.skills !== undefined) {
    // Skill names may be templates too (`"${customer.language}": 3`).
    const raw =
      typeof node.skills === 'string'
        ? render(node.skills, scope)
        : Object.fromEntries(Object.entries(node.skills).map(([k, v]) => [renderText(k, scope), typeof v === 'string' ? render(v, scope) : v]));
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const skills: Record<string, number> = {};
      for (const [skill, level] of Object.entries(raw)) {
        const n = typeof level === 'number' ? level : Number(textOf(level));
        if (skill !== '' && textOf(level) !== '' && Number.isFinite(n)) skills[skill] = n;
      }
      if (Object.keys(skills).length > 0) outcome.skills = skills;
    }
  }
  return outcome;
}
