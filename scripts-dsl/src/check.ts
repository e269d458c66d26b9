/**
 * The checker: what a well-formed script can still get wrong. Every problem
 * has the line and column of the element or attribute at fault and a
 * message that names the step.
 */
import { ANSWER_ROOT, DEFAULT_CATALOGUE, catalogueHasField } from './catalogue.js';
import type { FieldCatalogue } from './catalogue.js';
import { pathsIn, pathsInTemplate } from './expression.js';
import type { Action, Expr, Position, Problem, Question, QuestionStep, Script, Step, Template } from './model.js';
import { sortProblems } from './problems.js';

export function checkScript(script: Script, catalogue: FieldCatalogue = DEFAULT_CATALOGUE): Problem[] {
  const problems: Problem[] = [];
  const report = (pos: Position, message: string): void => {
    problems.push({ line: pos.line, column: pos.column, message });
  };
  const steps = new Map<string, Step>();
  checkIds(script, steps, report);
  if (!steps.has(script.start)) report(script.startPos, `the start step '${script.start}' does not exist`);
  for (const step of script.steps) {
    if (step.kind === 'end') {
      if (step.outcome === undefined) report(step.pos, `end '${step.id}' has no outcome (add outcome="...")`);
      continue;
    }
    for (const transition of step.transitions) {
      if (!steps.has(transition.to)) report(transition.toPos, `step '${step.id}': <go> leads to unknown step '${transition.to}'`);
      for (const action of transition.actions) checkActionParameters(step, action, report);
    }
    if (step.question?.type === 'choice' && step.question.options.length === 0) {
      report(step.question.pos, `step '${step.id}': choice question '${step.question.id}' has no <option>`);
    }
    checkWayForward(step, report);
  }
  const graph = new StepGraph(steps);
  checkReachability(script, graph, report);
  checkCycles(script, graph, report);
  checkFieldReferences(script, graph, catalogue, report);
  return sortProblems(problems);
}

type Report = (pos: Position, message: string) => void;

function checkIds(script: Script, steps: Map<string, Step>, report: Report): void {
  const questions = new Map<string, string>();
  for (const step of script.steps) {
    const other = steps.get(step.id);
    if (other !== undefined) {
      report(step.pos, `duplicate step id '${step.id}' (first used at ${other.pos.line}:${other.pos.column})`);
    } else {
      steps.set(step.id, step);
    }
    if (step.kind !== 'step' || step.question === undefined) continue;
    const question = step.question;
    const owner = questions.get(question.id);
    if (owner !== undefined) report(question.pos, `step '${step.id}': duplicate question id '${question.id}' (already asked in step '${owner}')`);
    else questions.set(question.id, step.id);
    const values = new Set<string>();
    for (const option of question.options) {
      if (values.has(option.value)) report(option.pos, `step '${step.id}': question '${question.id}' has the option '${option.value}' twice`);
      values.add(option.value);
    }
  }
}

/**
 * A step must always be able to move on: its last <go> has no condition,
 * unless the conditions test every possible answer of its required
 * choice or yes/no question (e.g. one <go> per option).
 */
function checkWayForward(step: QuestionStep, report: Report): void {
  if (step.transitions.length === 0) {
    report(step.pos, `step '${step.id}' has no way forward: add a <go to="...">`);
    return;
  }
  if (step.transitions.some((t) => t.when === undefined)) return;
  if (step.question !== undefined && coversAllAnswers(step.question, step.transitions.map((t) => t.when))) return;
  report(step.pos, `step '${step.id}' has no way forward when none of its conditions holds: end it with a <go> without 'when'`);
}

function coversAllAnswers(question: Question, conditions: Array<Expr | undefined>): boolean {
  if (!question.required) return false;
  const expected: Array<string | boolean> = question.type === 'yesno' ? [true, false] : question.type === 'choice' ? question.options.map((o) => o.value) : [];
  if (expected.length === 0) return false;
  const covered = new Set<unknown>();
  for (const condition of conditions) {
    for (const value of valuesTestedFor(condition, question.id)) covered.add(value);
  }
  return expected.every((value) => covered.has(value));
}

/** The answer values for which a condition like `answer.q == 'x'` or `answer.q in [...]` holds. */
function valuesTestedFor(condition: Expr | undefined, questionId: string): unknown[] {
  const isAnswer = (e: Expr): boolean => e.kind === 'path' && e.path.length === 2 && e.path[0] === ANSWER_ROOT && e.path[1] === questionId;
  // A yes/no answer tested on its own: `answer.q` holds for yes, `not answer.q` for no.
  if (condition !== undefined && isAnswer(condition)) return [true];
  if (condition?.kind === 'not' && isAnswer(condition.operand)) return [false];
  if (condition?.kind !== 'binary') return [];
  if (condition.op === 'or') return [...valuesTestedFor(condition.left, questionId), ...valuesTestedFor(condition.right, questionId)];
  if (condition.op === '==') {
    if (isAnswer(condition.left) && condition.right.kind === 'literal') return [condition.right.value];
    if (isAnswer(condition.right) && condition.left.kind === 'literal') return [condition.left.value];
  }
  if (condition.op === 'in' && isAnswer(condition.left) && condition.right.kind === 'list') {
    return condition.right.items.flatMap((item) => (item.kind === 'literal' ? [item.value] : []));
  }
  return [];
}

/** Steps and their successors, with "reachable from" sets. */
class StepGraph {
  readonly successors = new Map<string, string[]>();
  private readonly reachCache = new Map<string, Set<string>>();

  constructor(readonly steps: Map<string, Step>) {
    for (const step of steps.values()) {
      const next = step.kind === 'step' ? step.transitions.map((t) => t.to).filter((to) => steps.has(to)) : [];
      this.successors.set(step.id, [...new Set(next)]);
    }
  }

  /** Steps reachable from `from` in one or more transitions. */
  reachableFrom(from: string): ReadonlySet<string> {
    const cached = this.reachCache.get(from);
    if (cached !== undefined) return cached;
    const seen = new Set<string>();
    const queue = [...(this.successors.get(from) ?? [])];
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...(this.successors.get(id) ?? []));
    }
    this.reachCache.set(from, seen);
    return seen;
  }
}

function checkReachability(script: Script, graph: StepGraph, report: Report): void {
  if (!graph.steps.has(script.start)) return;
  const reachable = new Set(graph.reachableFrom(script.start));
  reachable.add(script.start);
  const reported = new Set<string>();
  for (const step of script.steps) {
    if (reachable.has(step.id) || reported.has(step.id)) continue;
    reported.add(step.id);
    report(step.pos, `${step.kind === 'end' ? 'end' : 'step'} '${step.id}' is unreachable: no <go> from the start leads to it`);
  }
}

/** Reachable steps that can never get to an end: report each closed loop once. */
function checkCycles(script: Script, graph: StepGraph, report: Report): void {
  if (!graph.steps.has(script.start)) return;
  const reachable = new Set(graph.reachableFrom(script.start));
  reachable.add(script.start);
  const trapped = script.steps.filter(
    (step) => step.kind === 'step' && reachable.has(step.id) && ![...graph.reachableFrom(step.id)].some((id) => graph.steps.get(id)?.kind === 'end'),
  );
  const reported = new Set<string>();
  for (const step of trapped) {
    if (reported.has(step.id) || !graph.reachableFrom(step.id).has(step.id)) continue;
    // The loop: steps that reach this one and are reached from it.
    const loop = trapped.filter((other) => other.id === step.id || (graph.reachableFrom(step.id).has(other.id) && graph.reachableFrom(other.id).has(step.id)));
    for (const member of loop) reported.add(member.id);
    const names = [...loop.map((s) => `'${s.id}'`), `'${step.id}'`].join(' → ');
    report(step.pos, `step '${step.id}' is in a cycle with no way out: ${names} never reaches an <end>`);
  }
}

function checkFieldReferences(script: Script, graph: StepGraph, catalogue: FieldCatalogue, report: Report): void {
  const askedIn = new Map<string, { step: string; question: Question }>();
  for (const step of script.steps) {
    if (step.kind === 'step' && step.question !== undefined && !askedIn.has(step.question.id)) {
      askedIn.set(step.question.id, { step: step.id, question: step.question });
    }
  }
  const roots = [ANSWER_ROOT, ...Object.keys(catalogue)];
  /** `sameStep`: the step's own answer counts (conditions and actions on its transitions). */
  const checkPath = (stepId: string, path: string[], pos: Position, sameStep: boolean): void => {
    const [root = '', ...rest] = path;
    const field = rest.join('.');
    if (root === ANSWER_ROOT) {
      const asked = askedIn.get(field);
      if (asked === undefined) {
        const firstPart = rest[0] ?? '';
        const known = askedIn.get(firstPart);
        if (known !== undefined && rest.length > 1) report(pos, `step '${stepId}': answer.${firstPart} is a single value and has no field '${rest.slice(1).join('.')}'`);
        else report(pos, `step '${stepId}': answer.${field} refers to no question (questions: ${[...askedIn.keys()].join(', ') || 'none'})`);
        return;
      }
      const before = (sameStep && asked.step === stepId) || graph.reachableFrom(asked.step).has(stepId);
      if (!before) report(pos, `step '${stepId}': answer.${field} cannot have been answered yet (question '${field}' is asked in step '${asked.step}', which never comes before)`);
      return;
    }
    const fields = catalogue[root];
    if (fields === undefined) {
      report(pos, `step '${stepId}': unknown field ${path.join('.')}: '${root}' is not one of ${roots.join(', ')}`);
      return;
    }
    if (!catalogueHasField(fields, field)) {
      report(pos, `step '${stepId}': unknown field ${path.join('.')} (${root} has: ${fields.join(', ')})`);
    }
  };
  const checkTemplate = (stepId: string, template: Template | undefined, sameStep: boolean): void => {
    if (template === undefined) return;
    for (const { path, pos } of pathsInTemplate(template)) checkPath(stepId, path, pos, sameStep);
  };
  const checkExpr = (stepId: string, expr: Expr | undefined, sameStep: boolean): void => {
    if (expr === undefined) return;
    for (const { path, pos } of pathsIn(expr)) checkPath(stepId, path, pos, sameStep);
    checkComparedValues(stepId, expr, askedIn, report);
  };
  for (const step of script.steps) {
    for (const item of step.info) {
      checkExpr(step.id, item.when, false);
      checkTemplate(step.id, item.text, false);
    }
    if (step.kind === 'end') continue;
    if (step.question !== undefined) checkTemplate(step.id, step.question.prompt, false);
    for (const transition of step.transitions) {
      checkExpr(step.id, transition.when, true);
      for (const action of transition.actions) {
        for (const template of actionTemplates(action)) checkTemplate(step.id, template, true);
        if (action.type === 'update-field' && action.entity !== undefined && action.field !== undefined) {
          if (action.entity === ANSWER_ROOT) report(action.fieldPos ?? action.pos, `step '${step.id}': update-field cannot change answers; entity must be one of ${Object.keys(catalogue).join(', ')}`);
          else checkPath(step.id, [action.entity, ...action.field.split('.')], action.fieldPos ?? action.pos, true);
        }
      }
    }
  }
}

/** `answer.kind == 'outgae'`: a value the question can never have. */
function checkComparedValues(stepId: string, expr: Expr, askedIn: Map<string, { question: Question }>, report: Report): void {
  if (expr.kind === 'not' || expr.kind === 'neg') checkComparedValues(stepId, expr.operand, askedIn, report);
  if (expr.kind !== 'binary') return;
  checkComparedValues(stepId, expr.left, askedIn, report);
  checkComparedValues(stepId, expr.right, askedIn, report);
  if (!['==', '!=', 'in', 'not in'].includes(expr.op)) return;
  const [pathSide, valueSide] = expr.left.kind === 'path' ? [expr.left, expr.right] : [expr.right, expr.left];
  if (pathSide.kind !== 'path' || pathSide.path[0] !== ANSWER_ROOT || pathSide.path.length !== 2) return;
  const question = askedIn.get(pathSide.path[1] ?? '')?.question;
  if (question === undefined) return;
  const literals = valueSide.kind === 'literal' ? [valueSide] : valueSide.kind === 'list' ? valueSide.items : [];
  for (const literal of literals) {
    if (literal.kind !== 'literal' || literal.value === null) continue;
    if (question.type === 'choice' && !question.options.some((o) => o.value === literal.value)) {
      report(literal.pos, `step '${stepId}': answer.${question.id} is never ${JSON.stringify(literal.value)} (options: ${question.options.map((o) => o.value).join(', ')})`);
    }
    if (question.type === 'yesno' && typeof literal.value !== 'boolean') {
      report(literal.pos, `step '${stepId}': answer.${question.id} is a yes/no answer: compare it with true or false, not ${JSON.stringify(literal.value)}`);
    }
    if (question.type === 'number' && typeof literal.value !== 'number') {
      report(literal.pos, `step '${stepId}': answer.${question.id} is a number: compare it with a number, not ${JSON.stringify(literal.value)}`);
    }
  }
}

function actionTemplates(action: Action): Array<Template | undefined> {
  switch (action.type) {
    case 'send-email':
      return [action.to, action.subject, action.body];
    case 'webhook':
      return [action.url, action.body];
    case 'update-field':
      return [action.value];
    case 'create-case':
      return [action.code, action.description];
    case 'schedule-callback':
      return [action.at, action.number];
    case 'set-disposition':
      return [action.code];
    case 'recording':
      return [action.reason];
  }
}

function checkActionParameters(step: QuestionStep, action: Action, report: Report): void {
  const missing: string[] = [];
  switch (action.type) {
    case 'send-email':
      if (action.to === undefined) missing.push('to');
      if (action.template === undefined && action.subject === undefined) missing.push('template or subject');
      break;
    case 'webhook':
      if (action.url === undefined) missing.push('url');
      break;
    case 'update-field':
      if (action.entity === undefined) missing.push('entity');
      if (action.field === undefined) missing.push('field');
      if (action.value === undefined) missing.push('value');
      break;
    case 'create-case':
      if (action.code === undefined) missing.push('code');
      if (action.description === undefined) missing.push('description');
      break;
    case 'schedule-callback':
      if (action.number === undefined) missing.push('number');
      if (action.at === undefined && action.inMinutes === undefined) missing.push('at or in');
      if (action.at !== undefined && action.inMinutes !== undefined) {
        report(action.pos, `step '${step.id}': <schedule-callback> takes 'at' or 'in', not both`);
      }
      break;
    case 'set-disposition':
      if (action.code === undefined) missing.push('code');
      break;
    case 'recording':
      if (action.action === undefined) missing.push('action');
      break;
  }
  if (missing.length > 0) {
    report(action.pos, `step '${step.id}': <${action.type}> is missing ${missing.map((m) => `'${m}'`).join(' and ')}`);
  }
}
