// A preview run of a draft script, for the admin editing it: the same runtime an
// agent's run uses, but nothing is stored and no action is executed. The run
// lives in the snapshot the client sends back with each move, so a draft that
// was never saved can be walked through step by step.

import { restoreRun, startRun, type ActionRequest, type AnswerError, type AnswerValue, type CompiledScript, type RunSnapshot, type ScriptRun, type StepView } from '@tenor/scripts-dsl';
import { TenorError } from '../../core/errors.js';

export type PreviewMove = { action: 'start' } | { action: 'answer'; value: unknown } | { action: 'next' } | { action: 'back' };

export interface PreviewView {
  scriptId: string;
  title: string;
  step: StepView;
  answers: Record<string, AnswerValue>;
  outcome: string | null;
  done: boolean;
  /** Send it back with the next move. */
  snapshot: RunSnapshot;
  /** Why an answer was refused (the run stays on the step). */
  errors: AnswerError[];
  /** What the move's transition asked for; a preview only lists them. */
  actions: ActionRequest[];
}

/** The client hands the snapshot back; the runtime checks its contents, this only its outline. */
function isRunSnapshot(v: unknown): v is RunSnapshot {
  return typeof v === 'object' && v !== null && 'format' in v && v.format === 'tenor-run/1' && 'frames' in v && Array.isArray(v.frames) && 'script' in v;
}

export function previewMove(script: CompiledScript, snapshot: unknown, move: PreviewMove, today: string): PreviewView {
  let run: ScriptRun;
  if (move.action === 'start') {
    run = startRun(script, {}, { today });
  } else {
    if (!isRunSnapshot(snapshot)) throw new TenorError('TENOR_ERR_VALIDATION', ['a preview move needs the snapshot of the previous answer']);
    try {
      run = restoreRun(script, snapshot);
    } catch (err) {
      // The draft changed under the run (a step was renamed or removed): the admin starts the preview again.
      throw new TenorError('TENOR_ERR_VALIDATION', [`the preview cannot go on with this draft (${err instanceof Error ? err.message : String(err)}); start it again`]);
    }
  }
  let errors: AnswerError[] = [];
  let actions: ActionRequest[] = [];
  if (move.action === 'answer' || move.action === 'next') {
    const result = move.action === 'answer' ? run.answer(move.value) : run.next();
    if (result.ok) actions = result.actions;
    else errors = result.errors;
  } else if (move.action === 'back') {
    run.back();
  }
  return {
    scriptId: script.id, title: script.title, step: run.current(), answers: run.answers(), outcome: run.outcome() ?? null,
    done: run.done, snapshot: run.snapshot(), errors, actions,
  };
}
