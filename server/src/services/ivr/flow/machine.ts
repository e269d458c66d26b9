// The xstate machine every flow compiles to, and the pieces each node type's
// state is built from: the flow's context, the actors named in setup() (the live
// runtime and the simulator supply them with machine.provide()), the final
// states, and the helpers that step to a node, record a step or stop on a failure.

import { assign, fromPromise, setup } from 'xstate';
import type { AnyEventObject } from 'xstate';
import { renderText } from './template.js';
import type { TemplateScope } from './template.js';
import type {
  CollectRequest,
  CollectResponse,
  FlowCaller,
  FlowOutcome,
  FlowStep,
  HttpRequest,
  HttpResponse,
  PlayRequest,
  PlayResponse,
} from './io.js';
import type { FlowNode } from './types.js';

/** What a flow carries while it runs. */
export interface FlowContext {
  caller: { callId: string; number: string; dialed: string };
  vars: Record<string, unknown>;
  customer: Record<string, unknown> | undefined;
  /** The prompt set in use; a set node may change it. */
  language: string;
  /** Digits typed during an interruptible play, waiting for the next menu or collect. */
  pending: string;
  /** Re-prompts made in the current menu/collect node. */
  attempt: number;
  /** Why the last attempt failed, which chooses the re-prompt's extra prompts. */
  miss: 'invalid' | 'no-input' | undefined;
  /** What the caller entered in the current menu/collect attempt, and the prompts asked with. */
  entered: string;
  asked: string[];
  /** Variables holding a secure collect's digits: a request that uses one logs no more than its host. */
  secrets: string[];
  path: FlowStep[];
  outcome: FlowOutcome | undefined;
  /** Set when a `return` node ends the flow (it ran as a subflow). */
  returned: boolean;
  error: unknown;
  failedAt: string | undefined;
}

export interface FlowInput {
  caller: FlowCaller;
  variables?: Record<string, unknown>;
  customer?: Record<string, unknown>;
  language?: string;
}

export type FlowMachineOutput =
  | { kind: 'outcome'; outcome: FlowOutcome; path: FlowStep[]; vars: Record<string, unknown>; customer: Record<string, unknown> | undefined; language: string }
  | { kind: 'return'; path: FlowStep[]; vars: Record<string, unknown>; customer: Record<string, unknown> | undefined; language: string }
  | { kind: 'error'; error: unknown; node: string | undefined; path: FlowStep[]; vars: Record<string, unknown> };

export interface SubflowInput {
  flow: string;
  node: string;
  caller: FlowContext['caller'];
  vars: Record<string, unknown>;
  customer: Record<string, unknown> | undefined;
  language: string;
}

export type SubflowOutput = Exclude<FlowMachineOutput, { kind: 'error' }>;

const notProvided = (what: string) => (): Promise<never> =>
  Promise.reject(new Error(`the flow asked for ${what}, but no FlowIO was provided (run it with runFlow or simulateFlow)`));

/** The actors a flow needs; runFlow replaces each with one bound to a FlowIO. */
export const flowSetup = setup({
  types: {} as { context: FlowContext; input: FlowInput; output: FlowMachineOutput },
  actors: {
    play: fromPromise<PlayResponse, PlayRequest>(notProvided('prompts to play')),
    collect: fromPromise<CollectResponse, CollectRequest>(notProvided('digits')),
    lookupCustomer: fromPromise<Record<string, unknown> | undefined, { number: string; node: string }>(notProvided('a customer lookup')),
    http: fromPromise<HttpResponse, HttpRequest>(notProvided('an HTTP request')),
    now: fromPromise<Date, { node: string }>(notProvided('the time')),
    subflow: fromPromise<SubflowOutput, SubflowInput>(notProvided('a subflow')),
  },
});

export type FlowMachine = ReturnType<typeof flowSetup.createMachine>;
// xstate infers its config types from one literal config; ours is assembled node
// by node, so each node's state is asserted to the state config type once, where
// it is built (`as StateConfig`). Guards and actions inside are typed by Args.
export type MachineConfig = Parameters<typeof flowSetup.createMachine>[0];
export type StateConfig = NonNullable<MachineConfig['states']>[string];
export type Args = { context: FlowContext; event: AnyEventObject };
export type Guard = (args: Args) => boolean;

/** What a secure collect's variable holds once it leaves its flow (run result, subflow return). */
export const SECURE_VALUE = '(secure)';

/** Final states; '$' cannot begin a node id, so they never collide with a node called 'done'. */
export const DONE = '$done';
export const FAILED = '$failed';

export function stateId(node: string): string {
  return `n_${node}`;
}

export function scopeOf(context: FlowContext): TemplateScope {
  return { caller: context.caller, customer: context.customer, vars: context.vars, language: context.language };
}

export function renderPrompts(prompts: readonly string[], context: FlowContext): string[] {
  return prompts.map((p) => renderText(p, scopeOf(context))).filter((p) => p !== '');
}

/** The transition target of a node's state. */
export const to = (node: string): string => `#${stateId(node)}`;

/** Append one step to the path. */
export function record(node: FlowNode, exit: string | undefined, extra: (args: Args) => Partial<FlowStep> = () => ({})) {
  return assign(({ context, event }: Args) => {
    const more = extra({ context, event });
    const step: FlowStep = { node: node.id, type: node.type, ...(exit !== undefined ? { exit } : {}), ...more };
    return { path: [...context.path, step] };
  });
}

/** An invoked step failed and the node has no branch for failure (a hangup during a prompt, usually): the flow stops. */
export const onErrorFail = (node: FlowNode) => ({
  target: '#flow-failed',
  actions: assign(({ event }: Args) => ({ error: (event as { error?: unknown }).error ?? new Error('step failed'), failedAt: node.id })),
});
