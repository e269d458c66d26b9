// menu: prompts, then one digit chooses the next node; a wrong digit or none
// re-asks up to `retries` times, then goes to the fallback.

import type { Args } from '../machine.js';
import { to } from '../machine.js';
import { describe, isObject } from '../reader.js';
import type { FlowPrompt, NodeBase } from '../types.js';
import { askingState } from './asking.js';
import type { NodeType } from './contract.js';
import { edge, fallbackEdges } from './edges.js';
import { DIGIT_KEYS, PROMPT_FIELDS, RETRY_FIELDS } from './fields.js';

export interface MenuNode extends NodeBase {
  type: 'menu';
  prompts: FlowPrompt[];
  /** Digit ('0'-'9', '*', '#') → target node. */
  options: Record<string, string>;
  timeoutMs: number;
  /** Re-prompts after a wrong digit or no digit, before the fallback. */
  retries: number;
  invalidPrompts: FlowPrompt[];
  noInputPrompts: FlowPrompt[];
  /** Where to go when retries are exhausted on a wrong digit. */
  onInvalid: string;
  /** Where to go when retries are exhausted with no digit. */
  onNoInput: string;
}

export const menu: NodeType<MenuNode> = {
  fields: [...PROMPT_FIELDS, 'options', ...RETRY_FIELDS],
  waitsForInput: true,
  read: (f) => {
    const options: Record<string, string> = {};
    const rawOptions = f.raw.options;
    if (rawOptions === undefined) f.missing(f.path, 'options');
    else if (!isObject(rawOptions) || Object.keys(rawOptions).length === 0) {
      f.problem(`${f.path}.options`, `options is a map of digit to node, with at least one digit; found ${describe(rawOptions)}`);
    } else {
      for (const [digit, target] of Object.entries(rawOptions)) {
        if (!DIGIT_KEYS.test(digit)) f.problemAtKey(`${f.path}.options.${digit}`, `option '${digit}' is not a key of the keypad (0-9, '*', '#')`);
        else if (typeof target !== 'string' || target === '') {
          f.problem(`${f.path}.options.${digit}`, `option '${digit}' must name a node; found ${describe(target)}`);
        } else options[digit] = target;
      }
    }
    const fallback = f.fallback();
    return {
      type: 'menu',
      prompts: f.prompts('prompts', true),
      options,
      timeoutMs: f.duration('timeout', 5000),
      retries: f.int('retries', 2, 0, 10),
      invalidPrompts: f.prompts('invalid-prompts', false),
      noInputPrompts: f.prompts('no-input-prompts', false),
      onInvalid: fallback.invalid,
      onNoInput: fallback.noInput,
    };
  },
  edges: (node) => [
    ...Object.entries(node.options).map(([digit, t]) => edge(`options.${digit}`, t, `option '${digit}'`)),
    ...fallbackEdges(node, node.onInvalid, node.onNoInput),
  ],
  promptLists: (node) => [
    ['prompts', node.prompts],
    ['invalid-prompts', node.invalidPrompts],
    ['no-input-prompts', node.noInputPrompts],
  ],
  state: (node) =>
    askingState(
      node,
      () => ({ minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: node.timeoutMs, interDigitTimeoutMs: node.timeoutMs, terminators: '' }),
      Object.entries(node.options).map(([digit, target]) => ({
        guard: ({ context }: Args) => context.entered === digit,
        target: to(target),
        exit: () => digit,
      })),
      () => true,
    ),
};
