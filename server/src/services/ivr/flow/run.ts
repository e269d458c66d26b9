// Runs a compiled flow over a FlowIO: binds the machine's actors to the I/O,
// starts it, and settles with the outcome and the path. An aborted signal (the
// caller hung up) stops the machine at once and rejects with FlowAbortedError;
// a step that failed with no failure branch rejects with FlowFailedError.

import { createActor, fromPromise } from 'xstate';
import { TenorError } from '../../../core/errors.js';
import type { FlowInput, FlowMachineOutput, SubflowInput, SubflowOutput } from './compile.js';
import type { FlowCaller, FlowIO, FlowRunResult, FlowStep } from './io.js';
import type { CompiledFlow } from './types.js';

/** A flow passing through more steps than this is spinning, not serving a caller. */
export const MAX_STEPS = 2000;
/** Subflows inside subflows: deeper than this is a flow calling itself round a cycle. */
export const MAX_SUBFLOW_DEPTH = 8;

export interface RunFlowOptions {
  io: FlowIO;
  caller: FlowCaller;
  variables?: Record<string, unknown>;
  signal?: AbortSignal;
  /** A customer already identified (e.g. by ingress); `customer.*` is usable from the start. */
  customer?: Record<string, unknown>;
  /** Finds subflows; defaults to the resolver given to compileFlow. */
  subflow?(name: string): CompiledFlow | undefined;
}

/** The call ended (signal aborted) while the flow ran. */
export class FlowAbortedError extends TenorError {
  readonly path: FlowStep[];
  constructor(flow: string, node: string | undefined, path: FlowStep[]) {
    super('TENOR_ERR_FLOW_ABORTED', [flow, node ?? '(start)'], { details: { path } });
    this.path = path;
  }
}

/** A step failed with no failure branch (the I/O rejected), or the flow ran away. */
export class FlowFailedError extends TenorError {
  readonly path: FlowStep[];
  readonly node: string | undefined;
  constructor(flow: string, node: string | undefined, reason: string, path: FlowStep[], cause?: unknown) {
    super('TENOR_ERR_FLOW_FAILED', [flow, node ?? '(start)', reason], { cause, details: { path } });
    this.path = path;
    this.node = node;
  }
}

export async function runFlow(compiled: CompiledFlow, opts: RunFlowOptions): Promise<FlowRunResult> {
  const out = await runMachine(compiled, opts, { caller: opts.caller, ...(opts.variables ? { variables: opts.variables } : {}), ...(opts.customer ? { customer: opts.customer } : {}) }, 0);
  // A top-level flow that reaches `return` has nowhere to return to: the call ends.
  return { outcome: out.kind === 'outcome' ? out.outcome : { type: 'hangup' }, path: out.path, variables: out.vars };
}

function runMachine(compiled: CompiledFlow, opts: RunFlowOptions, input: FlowInput, depth: number): Promise<SubflowOutput> {
  const { io, signal } = opts;
  const resolve = opts.subflow ?? compiled.resolveSubflow;
  const machine = compiled.machine.provide({
    actors: {
      play: fromPromise(({ input: req }) => io.play(req)),
      collect: fromPromise(({ input: req }) => io.collect(req)),
      lookupCustomer: fromPromise(({ input: req }) => io.lookupCustomer(req.number)),
      http: fromPromise(({ input: req }) => io.http(req)),
      now: fromPromise(() => Promise.resolve(io.now())),
      subflow: fromPromise(({ input: req }: { input: SubflowInput }) => {
        const child = resolve?.(req.flow);
        if (!child) return Promise.reject(new Error(`subflow '${req.flow}' is not available`));
        if (depth + 1 > MAX_SUBFLOW_DEPTH) return Promise.reject(new Error(`subflows nested more than ${MAX_SUBFLOW_DEPTH} deep`));
        return runMachine(child, opts, { caller: { ...opts.caller, callId: req.caller.callId }, variables: req.vars, ...(req.customer ? { customer: req.customer } : {}), language: req.language }, depth + 1);
      }),
    },
  });

  return new Promise<SubflowOutput>((resolveRun, rejectRun) => {
    const actor = createActor(machine, { input });
    let settled = false;
    const currentNode = (): string | undefined => {
      const value = actor.getSnapshot().value;
      return typeof value === 'string' ? value : Object.keys(value)[0];
    };
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      subscription.unsubscribe();
      fn();
    };
    const onAbort = (): void => {
      const node = currentNode();
      const path = actor.getSnapshot().context.path;
      actor.stop();
      settle(() => rejectRun(new FlowAbortedError(compiled.name, node, path)));
    };
    type Snapshot = ReturnType<typeof actor.getSnapshot>;
    const observe = (snapshot: Snapshot): void => {
        if (snapshot.status === 'done') {
          const out: FlowMachineOutput | undefined = snapshot.output;
          settle(() => {
            if (!out) rejectRun(new FlowFailedError(compiled.name, undefined, 'the machine ended without an output', snapshot.context.path));
            else if (out.kind === 'error') {
              rejectRun(
                signal?.aborted
                  ? new FlowAbortedError(compiled.name, out.node, out.path)
                  : new FlowFailedError(compiled.name, out.node, out.error instanceof Error ? out.error.message : String(out.error), out.path, out.error),
              );
            } else resolveRun(out);
          });
        } else if (snapshot.context.path.length > MAX_STEPS) {
          const path = snapshot.context.path;
          const node = currentNode();
          actor.stop();
          settle(() => rejectRun(new FlowFailedError(compiled.name, node, `more than ${MAX_STEPS} steps without ending`, path)));
        }
    };
    const subscription = actor.subscribe({
      next: observe,
      complete: () => observe(actor.getSnapshot()),
      error: (err: unknown) => {
        settle(() => rejectRun(new FlowFailedError(compiled.name, currentNode(), err instanceof Error ? err.message : String(err), actor.getSnapshot().context.path, err)));
      },
    });
    if (signal?.aborted) {
      settle(() => rejectRun(new FlowAbortedError(compiled.name, undefined, [])));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    actor.start();
  });
}
