// The state menu and collect share: ask with prompts, take the digits, re-ask
// after a wrong entry or silence until the retries are spent, then fall back.

import { assign } from 'xstate';
import type { CollectRequest, CollectResponse } from '../io.js';
import { onErrorFail, record, renderPrompts, to } from '../machine.js';
import type { Args, FlowContext, Guard, StateConfig } from '../machine.js';
import type { CollectNode } from './collect.js';
import type { MenuNode } from './menu.js';

/** The prompts of one attempt: the node's own, after the invalid or no-input prompts on a re-prompt. */
function attemptPrompts(node: MenuNode | CollectNode, context: FlowContext): string[] {
  const before = context.miss === 'invalid' ? node.invalidPrompts : context.miss === 'no-input' ? node.noInputPrompts : [];
  return renderPrompts([...before, ...node.prompts], context);
}

/**
 * The shape menu and collect share: `start` (use digits typed ahead, or ask),
 * `ask` (the collect actor), `decide` (ordered guarded exits, re-prompting by
 * re-entering `ask` until retries are spent).
 */
export function askingState(
  node: MenuNode | CollectNode,
  request: (context: FlowContext) => Omit<CollectRequest, 'prompts' | 'language' | 'node'>,
  accepted: Array<{ guard: Guard; target: string; exit: (context: FlowContext) => string; actions?: unknown[] }>,
  valid: Guard,
): StateConfig {
  // A secure collect's digits stay out of the path (which the flow_ended event and the logs carry).
  const shown = node.type === 'collect' && node.secure ? () => false : (context: FlowContext) => context.entered !== '';
  const step = (exit: (c: FlowContext) => string) =>
    record(node, undefined, ({ context }) => ({ exit: exit(context), prompts: context.asked, ...(shown(context) ? { input: context.entered } : {}) }));
  const retry = (miss: 'invalid' | 'no-input') => assign(({ context }: Args) => ({ attempt: context.attempt + 1, miss }));
  const noInput: Guard = ({ context }) => context.entered === '';
  const canRetry: Guard = ({ context }) => context.attempt < node.retries;
  return {
    entry: assign({ attempt: 0, miss: undefined, entered: '', asked: [] }),
    initial: 'start',
    states: {
      start: {
        always: [
          {
            // Digits typed during an interruptible play answer this node without its prompts.
            guard: ({ context }: Args) => context.pending !== '' && (node.type === 'menu' || context.pending.length >= node.maxDigits || /[#*]$/.test(context.pending)),
            target: 'decide',
            actions: assign(({ context }: Args) => {
              const take = node.type === 'menu' ? context.pending.slice(0, 1) : context.pending.replace(new RegExp(`[${escapeClass(node.terminators)}].*$`), '');
              return { entered: take.slice(0, node.type === 'menu' ? 1 : node.maxDigits), asked: [], pending: '' };
            }),
          },
          { target: 'ask' },
        ],
      },
      ask: {
        invoke: {
          src: 'collect',
          input: ({ context }: Args): CollectRequest => {
            const base = request(context);
            // Typed-ahead digits that did not finish the entry: keep them, ask for the rest silently.
            const typed = node.type === 'collect' ? context.pending : '';
            return {
              ...base,
              prompts: typed !== '' ? [] : attemptPrompts(node, context),
              maxDigits: Math.max(1, base.maxDigits - typed.length),
              // The caller is already typing: the rest comes at the pace between digits.
              ...(typed !== '' ? { firstDigitTimeoutMs: base.interDigitTimeoutMs } : {}),
              language: context.language,
              node: node.id,
            };
          },
          onDone: {
            target: 'decide',
            actions: assign(({ context, event }: Args) => {
              const out = event.output as CollectResponse;
              const typed = node.type === 'collect' ? context.pending : '';
              return { entered: typed + out.digits, asked: typed !== '' ? [] : attemptPrompts(node, context), pending: '' };
            }),
          },
          onError: onErrorFail(node),
        },
      },
      decide: {
        always: [
          ...accepted.map((a) => ({
            guard: (args: Args) => !noInput(args) && valid(args) && a.guard(args),
            target: a.target,
            reenter: true,
            actions: [step(a.exit), ...(a.actions ?? [])],
          })),
          { guard: (args: Args) => noInput(args) && canRetry(args), target: 'ask', reenter: true, actions: [step(() => 'no-input'), retry('no-input')] },
          { guard: noInput, target: to(node.onNoInput), reenter: true, actions: [step(() => 'no-input')] },
          { guard: canRetry, target: 'ask', reenter: true, actions: [step(() => 'invalid'), retry('invalid')] },
          { target: to(node.onInvalid), reenter: true, actions: [step(() => 'invalid')] },
        ],
      },
    },
  } as StateConfig;
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, '\\$&') || '#';
}
