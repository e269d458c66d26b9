// FlowDefinition → one xstate v5 machine. Every node is a state (id `n_<node>`);
// every step that waits on the outside (prompts, digits, the CRM, an HTTP dip,
// the clock, a subflow) is an invoked actor named in setup(), so the live
// runtime and the simulator supply the behaviour with machine.provide() and run
// the very same machine. The machine ends in `done` with the outcome (or a
// subflow's return) in its output, or in `failed` with the error.

import { assign, fromPromise, setup } from 'xstate';
import type { AnyEventObject } from 'xstate';
import { TenorError } from '../../../core/errors.js';
import { checkFlow } from './check.js';
import { evaluateTest, usesClock } from './conditions.js';
import { dig, render, renderDeep, renderText, renderUrl, textOf } from './template.js';
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
import type {
  CollectNode,
  CompiledFlow,
  ConditionNode,
  FlowDefinition,
  FlowNode,
  HttpNode,
  LookupCustomerNode,
  MenuNode,
  PlayNode,
  QueueNode,
  SetNode,
  SubflowNode,
} from './types.js';

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
const flowSetup = setup({
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
type MachineConfig = Parameters<typeof flowSetup.createMachine>[0];
type StateConfig = NonNullable<MachineConfig['states']>[string];
type Args = { context: FlowContext; event: AnyEventObject };
type Guard = (args: Args) => boolean;

/** Final states; '$' cannot begin a node id, so they never collide with a node called 'done'. */
export const DONE = '$done';
export const FAILED = '$failed';

export function stateId(node: string): string {
  return `n_${node}`;
}

export interface CompileOptions {
  /** Resolves a subflow (or transfer) target by name when a subflow node is entered. */
  subflow?(name: string): CompiledFlow | undefined;
}

/** Compile a checked flow. A flow with structural problems is refused (TENOR_ERR_FLOW_INVALID). */
export function compileFlow(flow: FlowDefinition, opts: CompileOptions = {}): CompiledFlow {
  const problems = checkFlow(flow, {});
  if (problems.length > 0) {
    throw new TenorError('TENOR_ERR_FLOW_INVALID', [flow.name, problems.map((p) => `${p.node ? `node '${p.node}': ` : ''}${p.message}`).join('; ')], {
      details: { problems },
    });
  }
  const states: Record<string, StateConfig> = {};
  for (const node of Object.values(flow.nodes)) states[node.id] = { id: stateId(node.id), ...nodeState(node, flow) } as StateConfig;
  states[DONE] = { id: 'flow-done', type: 'final' };
  states[FAILED] = { id: 'flow-failed', type: 'final' };

  const machine = flowSetup.createMachine({
    id: `flow:${flow.name}@${flow.version}`,
    context: ({ input }) => ({
      caller: { callId: input.caller.callId, number: input.caller.number, dialed: input.caller.dialed },
      vars: { ...(input.variables ?? {}) },
      customer: input.customer,
      language: input.language ?? input.caller.language ?? flow.language,
      pending: '',
      attempt: 0,
      miss: undefined,
      entered: '',
      asked: [],
      path: [],
      outcome: undefined,
      returned: false,
      error: undefined,
      failedAt: undefined,
    }),
    initial: flow.start,
    states,
    output: ({ context }): FlowMachineOutput => {
      const common = { path: context.path, vars: context.vars, customer: context.customer, language: context.language };
      if (context.error !== undefined || context.failedAt !== undefined) {
        return { kind: 'error', error: context.error, node: context.failedAt, path: context.path, vars: context.vars };
      }
      if (context.returned || !context.outcome) return { kind: 'return', ...common };
      return { kind: 'outcome', outcome: context.outcome, ...common };
    },
  });
  return {
    name: flow.name,
    version: flow.version,
    definition: flow,
    machine,
    ...(opts.subflow ? { resolveSubflow: opts.subflow } : {}),
  };
}

function scopeOf(context: FlowContext): TemplateScope {
  return { caller: context.caller, customer: context.customer, vars: context.vars, language: context.language };
}

function renderPrompts(prompts: readonly string[], context: FlowContext): string[] {
  return prompts.map((p) => renderText(p, scopeOf(context))).filter((p) => p !== '');
}

const to = (node: string): string => `#${stateId(node)}`;

/** Append one step to the path. */
function record(node: FlowNode, exit: string | undefined, extra: (args: Args) => Partial<FlowStep> = () => ({})) {
  return assign(({ context, event }: Args) => {
    const more = extra({ context, event });
    const step: FlowStep = { node: node.id, type: node.type, ...(exit !== undefined ? { exit } : {}), ...more };
    return { path: [...context.path, step] };
  });
}

function nodeState(node: FlowNode, flow: FlowDefinition): StateConfig {
  switch (node.type) {
    case 'play':
      return playState(node);
    case 'menu':
      return menuState(node);
    case 'collect':
      return collectState(node);
    case 'condition':
      return conditionState(node, flow);
    case 'lookup-customer':
      return lookupState(node);
    case 'http':
      return httpState(node);
    case 'set':
      return setState(node);
    case 'subflow':
      return subflowState(node);
    case 'queue':
    case 'voicemail':
    case 'transfer':
    case 'hangup':
    case 'return':
      return terminalState(node);
  }
}

/** An invoked step failed and the node has no branch for failure (a hangup during a prompt, usually): the flow stops. */
const onErrorFail = (node: FlowNode) => ({
  target: '#flow-failed',
  actions: assign(({ event }: Args) => ({ error: (event as { error?: unknown }).error ?? new Error('step failed'), failedAt: node.id })),
});

function playState(node: PlayNode): StateConfig {
  return {
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
  } as StateConfig;
}

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
function askingState(
  node: MenuNode | CollectNode,
  request: (context: FlowContext) => Omit<CollectRequest, 'prompts' | 'language' | 'node'>,
  accepted: Array<{ guard: Guard; target: string; exit: (context: FlowContext) => string; actions?: unknown[] }>,
  valid: Guard,
): StateConfig {
  const step = (exit: (c: FlowContext) => string) =>
    record(node, undefined, ({ context }) => ({ exit: exit(context), prompts: context.asked, ...(context.entered !== '' ? { input: context.entered } : {}) }));
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

function menuState(node: MenuNode): StateConfig {
  return askingState(
    node,
    () => ({ minDigits: 1, maxDigits: 1, firstDigitTimeoutMs: node.timeoutMs, interDigitTimeoutMs: node.timeoutMs, terminators: '' }),
    Object.entries(node.options).map(([digit, target]) => ({
      guard: ({ context }: Args) => context.entered === digit,
      target: to(target),
      exit: () => digit,
    })),
    () => true,
  );
}

function collectState(node: CollectNode): StateConfig {
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
    }),
    [
      {
        guard: () => true,
        target: to(node.next),
        exit: () => 'next',
        actions: [assign(({ context }: Args) => ({ vars: { ...context.vars, [node.into]: context.entered } }))],
      },
    ],
    valid,
  );
}

function conditionState(node: ConditionNode, flow: FlowDefinition): StateConfig {
  const env = (context: FlowContext, now: Date) => ({ scope: scopeOf(context), now, timezone: flow.timezone, holidays: flow.holidays });
  const transitions = (nowOf: (args: Args) => Date) => [
    ...node.cases.map((c, i) => ({
      guard: (args: Args) => evaluateTest(c.when, env(args.context, nowOf(args))),
      target: to(c.next),
      reenter: true,
      actions: [record(node, `case ${i + 1}`)],
    })),
    { target: to(node.else), reenter: true, actions: [record(node, 'else')] },
  ];
  if (!node.cases.some((c) => usesClock(c.when))) {
    return { always: transitions(() => new Date(0)) } as StateConfig;
  }
  return {
    invoke: {
      src: 'now',
      input: () => ({ node: node.id }),
      onDone: transitions(({ event }) => event.output as Date),
      onError: onErrorFail(node),
    },
  } as StateConfig;
}

function lookupState(node: LookupCustomerNode): StateConfig {
  return {
    invoke: {
      src: 'lookupCustomer',
      input: ({ context }: Args) => ({ number: textOf(render(node.number, scopeOf(context))), node: node.id }),
      onDone: [
        {
          guard: ({ event }: Args) => event.output !== undefined && event.output !== null,
          target: to(node.found),
          reenter: true,
          actions: [record(node, 'found'), assign(({ event }: Args) => ({ customer: event.output as Record<string, unknown> }))],
        },
        { target: to(node.notFound), reenter: true, actions: [record(node, 'not-found')] },
      ],
      onError: { target: to(node.failure), reenter: true, actions: [record(node, 'failure')] },
    },
  } as StateConfig;
}

function httpState(node: HttpNode): StateConfig {
  return {
    invoke: {
      src: 'http',
      input: ({ context }: Args): HttpRequest => {
        const scope = scopeOf(context);
        return {
          url: renderUrl(node.url, scope),
          method: node.method,
          headers: Object.fromEntries(Object.entries(node.headers).map(([h, v]) => [h, renderText(v, scope)])),
          body: node.body === undefined ? undefined : renderDeep(node.body, scope),
          timeoutMs: node.timeoutMs,
          node: node.id,
        };
      },
      onDone: [
        {
          guard: ({ event }: Args) => {
            const status = (event.output as HttpResponse).status;
            return status >= 200 && status < 300;
          },
          target: to(node.next),
          reenter: true,
          actions: [
            record(node, 'next', ({ event }) => ({ input: String((event.output as HttpResponse).status) })),
            assign(({ context, event }: Args) => {
              const body = (event.output as HttpResponse).body;
              const vars = { ...context.vars };
              for (const [v, path] of Object.entries(node.assign)) vars[v] = dig(body, path.split('.'));
              return { vars };
            }),
          ],
        },
        { target: to(node.failure), reenter: true, actions: [record(node, 'failure', ({ event }) => ({ input: String((event.output as HttpResponse).status) }))] },
      ],
      onError: {
        target: to(node.failure),
        reenter: true,
        actions: [record(node, 'failure', ({ event }) => ({ input: errorText((event as { error?: unknown }).error) }))],
      },
    },
  } as StateConfig;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function setState(node: SetNode): StateConfig {
  return {
    always: {
      target: to(node.next),
      reenter: true,
      actions: [
        record(node, 'next'),
        assign(({ context }: Args) => {
          const scope = scopeOf(context);
          const vars = { ...context.vars };
          let language = context.language;
          for (const [k, v] of Object.entries(node.values)) {
            const value = renderDeep(v, scope);
            if (k === 'language') {
              if (typeof value === 'string' && value !== '') language = value;
            } else vars[k] = value;
          }
          return { vars, language };
        }),
      ],
    },
  } as StateConfig;
}

function subflowState(node: SubflowNode): StateConfig {
  return {
    invoke: {
      src: 'subflow',
      input: ({ context }: Args): SubflowInput => ({
        flow: node.flow,
        node: node.id,
        caller: context.caller,
        vars: context.vars,
        customer: context.customer,
        language: context.language,
      }),
      onDone: [
        {
          guard: ({ event }: Args) => (event.output as SubflowOutput).kind === 'return',
          target: to(node.next),
          reenter: true,
          // The subflow's own steps come first: this node's step is complete only when the subflow is.
          actions: [assign(({ context, event }: Args) => merged(context, event.output as SubflowOutput, node.flow)), record(node, 'next')],
        },
        {
          target: `#flow-done`,
          actions: [
            assign(({ context, event }: Args) => {
              const out = event.output as SubflowOutput;
              return { ...merged(context, out, node.flow), outcome: out.kind === 'outcome' ? out.outcome : { type: 'hangup' as const } };
            }),
            record(node, 'outcome'),
          ],
        },
      ],
      onError: onErrorFail(node),
    },
  } as StateConfig;
}

/** After a subflow: its steps join the path (marked with its flow), its variables and language carry on. */
function merged(context: FlowContext, out: SubflowOutput, flowName: string): Partial<FlowContext> {
  return {
    path: [...context.path, ...out.path.map((s) => (s.flow !== undefined ? s : { ...s, flow: flowName }))],
    vars: out.vars,
    customer: out.customer,
    language: out.language,
  };
}

function outcomeOf(node: FlowNode, context: FlowContext): FlowOutcome {
  const scope = scopeOf(context);
  switch (node.type) {
    case 'queue':
      return queueOutcome(node, scope);
    case 'voicemail':
      return { type: 'voicemail', box: renderText(node.box, scope) };
    case 'transfer': {
      const t = node.target;
      if (t.kind === 'number') return { type: 'transfer', target: { kind: 'number', number: renderText(t.number, scope) } };
      if (t.kind === 'agent') return { type: 'transfer', target: { kind: 'agent', agent: renderText(t.agent, scope) } };
      return { type: 'transfer', target: { kind: 'flow', flow: t.flow } };
    }
    default:
      return { type: 'hangup' };
  }
}

function queueOutcome(node: QueueNode, scope: TemplateScope): FlowOutcome {
  const outcome: FlowOutcome = { type: 'queue', queue: renderText(node.queue, scope) };
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

function terminalState(node: FlowNode & { prompts?: string[] }): StateConfig {
  const finish = {
    target: '#flow-done',
    actions: [
      record(node, undefined, ({ context }) => (node.prompts && node.prompts.length > 0 ? { prompts: renderPrompts(node.prompts, context) } : {})),
      assign(({ context }: Args) => (node.type === 'return' ? { returned: true } : { outcome: outcomeOf(node, context) })),
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
