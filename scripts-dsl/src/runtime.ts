/**
 * The pure runtime: one conversation through a compiled script.
 *
 * A run is a stack of frames, one per step on the current path; a frame
 * records the answer given there when the run moved on. back() pops a frame,
 * so the collected answers are always those of the current path. Actions
 * are emitted when a transition is taken and logged; going back does not
 * take them back (the host has executed them), which is why scripts put
 * irreversible actions on the last transitions.
 *
 * No clock is read except once at start when the host gives no `today`,
 * and that date is kept in the snapshot: the same script, context and
 * inputs always give the same path and actions.
 */
import { renderAction } from './actions.js';
import type { ActionRequest, EmittedAction } from './actions.js';
import { COMPILED_FORMAT } from './compile.js';
import type { CompiledScript } from './compile.js';
import { evaluate, isTruthy, renderTemplate } from './evaluate.js';
import type { Scope } from './evaluate.js';
import type { InfoItem, Question, Step } from './model.js';
import { addDays, validateAnswer } from './validate-answer.js';
import type { AnswerError, AnswerValue } from './validate-answer.js';

/**
 * The host's business objects, by root name: customer, case, interaction...
 * Any plain data; it is kept in snapshots as JSON.
 */
export type RunContext = Readonly<Record<string, unknown>>;

export interface RunOptions {
  /** The run's date, 'YYYY-MM-DD', for date bounds like today+30. Default: the current UTC date. */
  today?: string;
}

export interface QuestionView {
  id: string;
  type: Question['type'];
  prompt: string;
  required: boolean;
  options: Array<{ value: string; label: string }>;
  validation: { pattern?: string; min?: number | string; max?: number | string; message?: string };
  /** The answer given before the agent went back to this step, to pre-fill the field. */
  previous?: AnswerValue;
}

export interface StepView {
  id: string;
  kind: 'step' | 'end';
  title?: string;
  /** Information items whose condition holds, placeholders filled in. */
  info: string[];
  question?: QuestionView;
  /** Set on an end step. */
  outcome?: string;
  canGoBack: boolean;
}

export type AnswerResult =
  | { ok: true; step: StepView; actions: ActionRequest[] }
  | { ok: false; errors: AnswerError[] };

interface Frame {
  step: string;
  answer?: AnswerValue;
}

/** Everything needed to resume a run elsewhere; plain JSON. */
export interface RunSnapshot {
  format: 'tenor-run/1';
  script: { id: string; version: string };
  today: string;
  context: RunContext;
  frames: Frame[];
  previous: Record<string, AnswerValue>;
  emitted: EmittedAction[];
}

export class ScriptRun {
  private constructor(
    private readonly script: CompiledScript,
    private readonly context: RunContext,
    private readonly today: string,
    private frames: Frame[],
    private readonly previous: Record<string, AnswerValue>,
    private readonly emitted: EmittedAction[],
  ) {}

  static start(script: CompiledScript, context: RunContext = {}, options: RunOptions = {}): ScriptRun {
    assertCompiled(script);
    const today = options.today ?? new Date().toISOString().slice(0, 10);
    return new ScriptRun(script, context, today, [{ step: script.start }], {}, []);
  }

  static restore(script: CompiledScript, snapshot: RunSnapshot): ScriptRun {
    assertCompiled(script);
    if (snapshot.format !== 'tenor-run/1') throw new Error(`unknown run snapshot format '${String(snapshot.format)}'`);
    if (snapshot.script.id !== script.id || snapshot.script.version !== script.version) {
      throw new Error(`the snapshot is of script ${snapshot.script.id} v${snapshot.script.version}, not ${script.id} v${script.version}`);
    }
    for (const frame of snapshot.frames) {
      if (script.steps[frame.step] === undefined) throw new Error(`the snapshot refers to step '${frame.step}', which the script does not have`);
    }
    if (snapshot.frames.length === 0) throw new Error('the snapshot has no current step');
    const copy = structuredCloneJson(snapshot);
    return new ScriptRun(script, copy.context, copy.today, copy.frames, copy.previous, copy.emitted);
  }

  /** True once the run stands on an end step. */
  get done(): boolean {
    return this.currentStep().kind === 'end';
  }

  current(): StepView {
    const step = this.currentStep();
    const scope = this.scope();
    const view: StepView = {
      id: step.id,
      kind: step.kind,
      ...(step.title === undefined ? {} : { title: step.title }),
      info: visibleInfo(step.info, scope),
      canGoBack: this.frames.length > 1,
    };
    if (step.kind === 'end') return { ...view, ...(step.outcome === undefined ? {} : { outcome: step.outcome }) };
    if (step.question === undefined) return view;
    return { ...view, question: this.questionView(step.question, scope) };
  }

  /**
   * Answer the current question (or pass `undefined` on a step with only
   * information). Invalid answers return errors and leave the run where it is.
   */
  answer(input: unknown): AnswerResult {
    const step = this.currentStep();
    if (step.kind === 'end') return { ok: false, errors: [{ code: 'finished', message: `the script has ended with outcome '${step.outcome ?? ''}'` }] };
    let value: AnswerValue | undefined;
    if (step.question !== undefined) {
      const validation = validateAnswer(step.question, input, this.today);
      if (!validation.ok) return { ok: false, errors: [validation.error] };
      value = validation.value;
    }
    const answers = this.answers();
    if (step.question !== undefined && value !== undefined) answers[step.question.id] = value;
    const scope = this.scope(answers);
    const transition = step.transitions.find((t) => t.when === undefined || isTruthy(evaluate(t.when, scope)));
    if (transition === undefined) {
      return { ok: false, errors: [{ code: 'no-transition', message: `no transition of step '${step.id}' applies to this answer` }] };
    }
    const requests = transition.actions.map((action) => renderAction(action, scope));
    for (const request of requests) {
      this.emitted.push({ seq: this.emitted.length + 1, from: step.id, to: transition.to, request });
    }
    const frame = this.frames[this.frames.length - 1] as Frame;
    if (value !== undefined) frame.answer = value;
    if (step.question !== undefined) delete this.previous[step.question.id];
    this.frames.push({ step: transition.to });
    return { ok: true, step: this.current(), actions: requests };
  }

  /** Move on from a step that shows only information. */
  next(): AnswerResult {
    return this.answer(undefined);
  }

  /** Return to the previous step; its answer becomes the pre-filled `previous`. */
  back(): boolean {
    if (this.frames.length <= 1) return false;
    this.frames.pop();
    const frame = this.frames[this.frames.length - 1] as Frame;
    const step = this.script.steps[frame.step];
    if (frame.answer !== undefined && step?.kind === 'step' && step.question !== undefined) {
      this.previous[step.question.id] = frame.answer;
    }
    delete frame.answer;
    return true;
  }

  /** Answers on the current path, by question id. */
  answers(): Record<string, AnswerValue> {
    const answers: Record<string, AnswerValue> = {};
    for (const frame of this.frames) {
      const step = this.script.steps[frame.step];
      if (frame.answer !== undefined && step?.kind === 'step' && step.question !== undefined) answers[step.question.id] = frame.answer;
    }
    return answers;
  }

  /** Step ids from the start to the current step. */
  path(): string[] {
    return this.frames.map((frame) => frame.step);
  }

  /** The end's outcome once done. */
  outcome(): string | undefined {
    const step = this.currentStep();
    return step.kind === 'end' ? step.outcome : undefined;
  }

  /** Every action emitted so far, including on transitions later gone back over. */
  actions(): EmittedAction[] {
    return this.emitted.map((entry) => ({ ...entry }));
  }

  snapshot(): RunSnapshot {
    return structuredCloneJson({
      format: 'tenor-run/1',
      script: { id: this.script.id, version: this.script.version },
      today: this.today,
      context: this.context,
      frames: this.frames,
      previous: this.previous,
      emitted: this.emitted,
    });
  }

  private currentStep(): Step {
    const frame = this.frames[this.frames.length - 1] as Frame;
    const step = this.script.steps[frame.step];
    if (step === undefined) throw new Error(`step '${frame.step}' is not in script ${this.script.id}`);
    return step;
  }

  private scope(answers: Record<string, AnswerValue> = this.answers()): Scope {
    return { ...this.context, answer: answers };
  }

  private questionView(question: Question, scope: Scope): QuestionView {
    const validation: QuestionView['validation'] = {};
    if (question.pattern !== undefined) validation.pattern = question.pattern;
    if (question.min !== undefined) validation.min = question.min.kind === 'today' ? addDays(this.today, question.min.offsetDays) : question.min.value;
    if (question.max !== undefined) validation.max = question.max.kind === 'today' ? addDays(this.today, question.max.offsetDays) : question.max.value;
    if (question.message !== undefined) validation.message = question.message;
    const previous = this.previous[question.id];
    return {
      id: question.id,
      type: question.type,
      prompt: renderTemplate(question.prompt, scope),
      required: question.required,
      options: question.options.map((o) => ({ value: o.value, label: o.label })),
      validation,
      ...(previous === undefined ? {} : { previous }),
    };
  }
}

function visibleInfo(items: InfoItem[], scope: Scope): string[] {
  return items.filter((item) => item.when === undefined || isTruthy(evaluate(item.when, scope))).map((item) => renderTemplate(item.text, scope));
}

function assertCompiled(script: CompiledScript): void {
  if (script.format !== COMPILED_FORMAT) throw new Error('not a compiled script: call compile() first');
}

/** Snapshots must not share objects with the live run (JSON in, JSON out). */
function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Start a run at the script's first step. */
export function startRun(script: CompiledScript, context: RunContext = {}, options: RunOptions = {}): ScriptRun {
  return ScriptRun.start(script, context, options);
}

/** Resume a run from snapshot() output, e.g. on the next HTTP request. */
export function restoreRun(script: CompiledScript, snapshot: RunSnapshot): ScriptRun {
  return ScriptRun.restore(script, snapshot);
}

export type { ActionRequest, EmittedAction } from './actions.js';
export type { AnswerError, AnswerErrorCode, AnswerValue } from './validate-answer.js';
export { compile, loadScript, ScriptProblemsError } from './compile.js';
export type { CompiledScript } from './compile.js';
