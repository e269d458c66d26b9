// collect: prompts, then digits into a variable (length, pattern, terminator);
// an invalid entry or none re-asks up to `retries` times, then falls back.

import { assign } from 'xstate';
import { to } from '../machine.js';
import type { Args, Guard } from '../machine.js';
import type { FlowPrompt, NodeBase } from '../types.js';
import { askingState } from './asking.js';
import { checkRegex } from './checks.js';
import type { NodeType } from './contract.js';
import { edge, fallbackEdges } from './edges.js';
import { PROMPT_FIELDS, RETRY_FIELDS, VARIABLE } from './fields.js';

export interface CollectNode extends NodeBase {
  type: 'collect';
  prompts: FlowPrompt[];
  /** The variable the digits go into. */
  into: string;
  minDigits: number;
  maxDigits: number;
  pattern?: string;
  /**
   * Card numbers, security codes, PINs: the digits are never logged, never in the
   * flow's path or the events, and the checker lets only http nodes use the variable.
   */
  secure: boolean;
  terminators: string;
  timeoutMs: number;
  interDigitTimeoutMs: number;
  retries: number;
  invalidPrompts: FlowPrompt[];
  noInputPrompts: FlowPrompt[];
  next: string;
  onInvalid: string;
  onNoInput: string;
}

export const collect: NodeType<CollectNode> = {
  fields: [...PROMPT_FIELDS, 'into', 'min-digits', 'max-digits', 'pattern', 'secure', 'terminator', 'inter-digit-timeout', 'next', ...RETRY_FIELDS],
  waitsForInput: true,
  read: (f) => {
    const into = f.string('into', true) ?? '';
    if (into !== '' && !VARIABLE.test(into)) f.problem(`${f.path}.into`, `'${into}' is not a variable name (letters, digits, '_')`);
    const minDigits = f.int('min-digits', 1, 1, 64);
    const maxDigits = f.int('max-digits', Math.max(minDigits, 20), 1, 64);
    if (maxDigits < minDigits) f.problem(`${f.path}.max-digits`, `max-digits (${maxDigits}) is less than min-digits (${minDigits})`);
    const terminator = f.string('terminator', false) ?? '#';
    if (!/^[0-9*#]*$/.test(terminator)) f.problem(`${f.path}.terminator`, `terminator '${terminator}' holds keys that are not on a keypad`);
    const pattern = f.string('pattern', false);
    const fallback = f.fallback();
    return {
      type: 'collect',
      prompts: f.prompts('prompts', false),
      into,
      minDigits,
      maxDigits,
      ...(pattern !== undefined ? { pattern } : {}),
      secure: f.bool('secure', false),
      terminators: terminator,
      timeoutMs: f.duration('timeout', 5000),
      interDigitTimeoutMs: f.duration('inter-digit-timeout', 3000),
      retries: f.int('retries', 0, 0, 10),
      invalidPrompts: f.prompts('invalid-prompts', false),
      noInputPrompts: f.prompts('no-input-prompts', false),
      next: f.target('next'),
      onInvalid: fallback.invalid,
      onNoInput: fallback.noInput,
    };
  },
  edges: (node) => [edge('next', node.next), ...fallbackEdges(node, node.onInvalid, node.onNoInput)],
  promptLists: (node) => [
    ['prompts', node.prompts],
    ['invalid-prompts', node.invalidPrompts],
    ['no-input-prompts', node.noInputPrompts],
  ],
  check: (node, { report }) => {
    if (node.pattern !== undefined) checkRegex(node, 'pattern', node.pattern, report);
  },
  state: (node) => {
    // The pattern describes the whole entry, so it is anchored here.
    const pattern = node.pattern !== undefined ? new RegExp(`^(?:${node.pattern})$`) : undefined;
    const valid: Guard = ({ context }) =>
      context.entered.length >= node.minDigits && context.entered.length <= node.maxDigits && (!pattern || pattern.test(context.entered));
    return askingState(
      node,
      () => ({
        minDigits: node.minDigits,
        maxDigits: node.maxDigits,
        firstDigitTimeoutMs: node.timeoutMs,
        interDigitTimeoutMs: node.interDigitTimeoutMs,
        terminators: node.terminators,
        ...(node.secure ? { secure: true } : {}),
      }),
      [
        {
          guard: () => true,
          target: to(node.next),
          exit: () => 'next',
          actions: [
            assign(({ context }: Args) => ({
              vars: { ...context.vars, [node.into]: context.entered },
              secrets: node.secure ? [...new Set([...context.secrets, node.into])] : context.secrets.filter((v) => v !== node.into),
            })),
          ],
        },
      ],
      valid,
    );
  },
};
