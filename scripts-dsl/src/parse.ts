/**
 * Script XML → the typed Script model.
 *
 * Three passes, each reporting problems with line and column: saxes for XML
 * well-formedness (xml-tree.ts), the element grammar (grammar.ts), then the
 * values: attribute types, condition expressions and `${...}` placeholders.
 * The parser checks form; meaning (targets, reachability, field names,
 * action parameters) is the checker's job, so an editor can load a draft.
 */
import { ExpressionSyntaxError, parseExpression, parseTemplate } from './expression.js';
import { ACTION_ELEMENTS, GRAMMAR, childRank } from './grammar.js';
import { QUESTION_TYPES, RECORDING_ACTIONS } from './model.js';
import type {
  Action, Bound, ChoiceOption, EndStep, Expr, InfoItem, Position, Problem, Question, QuestionStep,
  QuestionType, RecordingAction, Script, Step, Template, Transition,
} from './model.js';
import { sortProblems } from './problems.js';
import { locateIn } from './source-text.js';
import type { Locate, MappedText } from './source-text.js';
import { parseXmlTree } from './xml-tree.js';
import type { XmlAttribute, XmlElement } from './xml-tree.js';

export type ParseResult = { ok: true; script: Script; problems: [] } | { ok: false; problems: Problem[] };

/** Names usable after `answer.` in expressions. */
const QUESTION_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const STEP_ID = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const TODAY = /^today\s*(?:([+-])\s*(\d+))?$/;
const DURATION = /^(\d+)\s*(m|min|h|d)$/;

export function parseScript(xml: string): ParseResult {
  const tree = parseXmlTree(xml);
  if (!tree.ok) return { ok: false, problems: [tree.problem] };
  if (tree.root.name !== 'script') {
    return { ok: false, problems: [{ ...tree.root.pos, message: `the root element must be <script>, not <${tree.root.name}>` }] };
  }
  const problems: Problem[] = [];
  checkGrammar(tree.root, problems);
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  const script = new ModelBuilder(tree.locate, problems).script(tree.root);
  if (problems.length > 0) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, script, problems: [] };
}

function checkGrammar(element: XmlElement, problems: Problem[]): void {
  const spec = GRAMMAR[element.name];
  if (spec === undefined) return;
  for (const attribute of element.attributes) {
    if (!spec.attributes.includes(attribute.name)) {
      const known = spec.attributes.length > 0 ? ` (allowed: ${spec.attributes.join(', ')})` : ' (it takes none)';
      problems.push({ ...attribute.pos, message: `<${element.name}> has no attribute '${attribute.name}'${known}` });
    }
  }
  for (const name of spec.required) {
    if (!element.attributes.some((a) => a.name === name)) {
      problems.push({ ...element.pos, message: `<${element.name}> needs the attribute '${name}'` });
    }
  }
  if (!spec.text && element.text.value.trim() !== '') {
    const what = spec.children.length > 0 ? 'only elements' : 'nothing';
    problems.push({ ...element.pos, message: `<${element.name}> cannot contain text, ${what}` });
  }
  let rank = 0;
  for (const child of element.children) {
    const childRankValue = childRank(element.name, child.name);
    if (GRAMMAR[child.name] === undefined) {
      problems.push({ ...child.pos, message: `unknown element <${child.name}>` });
      continue;
    }
    if (childRankValue < 0) {
      const allowed = spec.children.length > 0 ? ` (allowed: ${spec.children.map((c) => `<${c}>`).join(', ')})` : '';
      problems.push({ ...child.pos, message: `<${child.name}> is not allowed inside <${element.name}>${allowed}` });
      continue;
    }
    if (childRankValue < rank) {
      const order = spec.children.map((c) => `<${c}>`).join(', ');
      problems.push({ ...child.pos, message: `<${child.name}> is out of order inside <${element.name}> (order: ${order})` });
    }
    rank = Math.max(rank, childRankValue);
    checkGrammar(child, problems);
  }
}

/** Builds the model from a tree that already follows the grammar. */
class ModelBuilder {
  constructor(private readonly locate: Locate, private readonly problems: Problem[]) {}

  script(root: XmlElement): Script {
    const steps: Step[] = [];
    for (const child of root.children) {
      if (child.name === 'step') steps.push(this.step(child));
      if (child.name === 'end') steps.push(this.end(child));
    }
    const start = attribute(root, 'start');
    const firstStep = steps[0];
    if (firstStep === undefined) this.problems.push({ ...root.pos, message: 'the script has no <step>' });
    const description = root.children.find((c) => c.name === 'description');
    return {
      id: this.id(root, STEP_ID),
      version: attribute(root, 'version')?.text.value ?? '1',
      title: attribute(root, 'title')?.text.value ?? this.id(root, STEP_ID),
      ...(description === undefined ? {} : { description: collapse(description.text.value) }),
      start: start?.text.value ?? firstStep?.id ?? '',
      startPos: start?.valuePos ?? firstStep?.pos ?? root.pos,
      steps,
      pos: root.pos,
    };
  }

  private id(element: XmlElement, shape: RegExp): string {
    const id = attribute(element, 'id');
    if (id === undefined) return '';
    if (!shape.test(id.text.value)) {
      const hint = shape === QUESTION_ID
        ? 'a question id is used in conditions as answer.<id>: letters, digits and _, not starting with a digit'
        : 'letters, digits, _, - and ., without spaces';
      this.problems.push({ ...id.valuePos, message: `invalid id '${id.text.value}' on <${element.name}>: ${hint}` });
    }
    return id.text.value;
  }

  private step(element: XmlElement): QuestionStep {
    const questionElement = element.children.find((c) => c.name === 'question');
    const questions = element.children.filter((c) => c.name === 'question');
    const second = questions[1];
    if (second !== undefined) this.problems.push({ ...second.pos, message: 'a <step> holds at most one <question>' });
    const title = attribute(element, 'title')?.text.value;
    return {
      kind: 'step',
      id: this.id(element, STEP_ID),
      ...(title === undefined ? {} : { title }),
      info: element.children.filter((c) => c.name === 'info').map((c) => this.info(c)),
      ...(questionElement === undefined ? {} : { question: this.question(questionElement) }),
      transitions: element.children.filter((c) => c.name === 'go').map((c) => this.transition(c)),
      pos: element.pos,
    };
  }

  private end(element: XmlElement): EndStep {
    const title = attribute(element, 'title')?.text.value;
    const outcome = attribute(element, 'outcome')?.text.value.trim();
    return {
      kind: 'end',
      id: this.id(element, STEP_ID),
      ...(title === undefined ? {} : { title }),
      ...(outcome === undefined || outcome === '' ? {} : { outcome }),
      info: element.children.filter((c) => c.name === 'info').map((c) => this.info(c)),
      pos: element.pos,
    };
  }

  private info(element: XmlElement): InfoItem {
    const when = this.condition(element);
    return { text: this.textTemplate(element), ...(when === undefined ? {} : { when }), pos: element.pos };
  }

  private question(element: XmlElement): Question {
    const id = this.id(element, QUESTION_ID);
    const typeAttribute = attribute(element, 'type');
    const type = (typeAttribute?.text.value ?? 'text') as QuestionType;
    if (typeAttribute !== undefined && !(QUESTION_TYPES as readonly string[]).includes(type)) {
      this.problems.push({ ...typeAttribute.valuePos, message: `question '${id}': unknown type '${type}' (types: ${QUESTION_TYPES.join(', ')})` });
    }
    const promptElement = element.children.find((c) => c.name === 'prompt');
    if (promptElement === undefined) this.problems.push({ ...element.pos, message: `question '${id}' has no <prompt>` });
    const prompts = element.children.filter((c) => c.name === 'prompt');
    if (prompts[1] !== undefined) this.problems.push({ ...prompts[1].pos, message: `question '${id}' has more than one <prompt>` });
    const options = element.children.filter((c) => c.name === 'option').map((c) => this.option(c));
    const firstOption = options[0];
    if (firstOption !== undefined && type !== 'choice') {
      this.problems.push({ ...firstOption.pos, message: `question '${id}': <option> belongs only in a choice question, this one is '${type}'` });
    }
    const required = this.required(element, id);
    const pattern = this.pattern(element, id, type);
    const min = this.bound(element, 'min', id, type);
    const max = this.bound(element, 'max', id, type);
    const message = attribute(element, 'message')?.text.value;
    return {
      id,
      type,
      prompt: promptElement === undefined ? { parts: [], pos: element.pos } : this.textTemplate(promptElement),
      required,
      options,
      ...(pattern === undefined ? {} : { pattern }),
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
      ...(message === undefined ? {} : { message }),
      pos: element.pos,
    };
  }

  private option(element: XmlElement): ChoiceOption {
    const value = attribute(element, 'value')?.text.value ?? '';
    const label = collapse(element.text.value);
    return { value, label: label === '' ? value : label, pos: element.pos };
  }

  private required(element: XmlElement, id: string): boolean {
    const value = attribute(element, 'required');
    if (value === undefined) return true;
    if (value.text.value === 'yes' || value.text.value === 'true') return true;
    if (value.text.value === 'no' || value.text.value === 'false') return false;
    this.problems.push({ ...value.valuePos, message: `question '${id}': required must be 'yes' or 'no', not '${value.text.value}'` });
    return true;
  }

  private pattern(element: XmlElement, id: string, type: QuestionType): string | undefined {
    const value = attribute(element, 'pattern');
    if (value === undefined) return undefined;
    if (type !== 'text') {
      this.problems.push({ ...value.pos, message: `question '${id}': pattern applies only to text questions` });
      return undefined;
    }
    try {
      new RegExp(value.text.value, 'u');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.problems.push({ ...value.valuePos, message: `question '${id}': invalid pattern: ${reason}` });
    }
    return value.text.value;
  }

  private bound(element: XmlElement, name: 'min' | 'max', id: string, type: QuestionType): Bound | undefined {
    const value = attribute(element, name);
    if (value === undefined) return undefined;
    const text = value.text.value.trim();
    const fail = (expected: string): undefined => {
      this.problems.push({ ...value.valuePos, message: `question '${id}': ${name} must be ${expected}, not '${text}'` });
      return undefined;
    };
    if (type === 'number') {
      const number = Number(text);
      return text !== '' && Number.isFinite(number) ? { kind: 'number', value: number } : fail('a number');
    }
    if (type === 'text') {
      return /^\d+$/.test(text) ? { kind: 'number', value: Number(text) } : fail('a length (a whole number)');
    }
    if (type === 'date') {
      if (ISO_DATE.test(text) && isRealDate(text)) return { kind: 'date', value: text };
      const today = TODAY.exec(text);
      if (today !== null) {
        const days = Number(today[2] ?? '0');
        return { kind: 'today', offsetDays: today[1] === '-' ? -days : days };
      }
      return fail("a date YYYY-MM-DD or 'today', 'today+N', 'today-N'");
    }
    this.problems.push({ ...value.pos, message: `question '${id}': ${name} does not apply to ${type} questions` });
    return undefined;
  }

  private transition(element: XmlElement): Transition {
    const to = attribute(element, 'to');
    const when = this.condition(element);
    return {
      to: to?.text.value ?? '',
      toPos: to?.valuePos ?? element.pos,
      ...(when === undefined ? {} : { when }),
      actions: element.children.filter((c) => (ACTION_ELEMENTS as readonly string[]).includes(c.name)).map((c) => this.action(c)),
      pos: element.pos,
    };
  }

  private action(element: XmlElement): Action {
    const pos = element.pos;
    // A blank parameter counts as missing: the checker then names it.
    const template = <K extends string>(name: K): Partial<Record<K, Template>> => {
      const value = attribute(element, name);
      if (value === undefined || value.text.value.trim() === '') return {};
      const parsed = this.template(value.text, value.valuePos);
      return parsed === undefined ? {} : ({ [name]: parsed } as Record<K, Template>);
    };
    const body = (): { body?: Template } => {
      if (element.text.value.trim() === '') return {};
      const parsed = this.textTemplate(element);
      return { body: parsed };
    };
    switch (element.name) {
      case 'send-email': {
        const templateName = attribute(element, 'template')?.text.value.trim();
        return {
          type: 'send-email', pos, ...template('to'), ...template('subject'), ...body(),
          ...(templateName === undefined || templateName === '' ? {} : { template: templateName }),
        };
      }
      case 'webhook': {
        const method = attribute(element, 'method');
        const value = method?.text.value ?? 'POST';
        if (value !== 'POST' && value !== 'PUT' && value !== 'GET') {
          this.problems.push({ ...(method?.valuePos ?? pos), message: `webhook method must be POST, PUT or GET, not '${value}'` });
        }
        return { type: 'webhook', pos, method: value === 'PUT' || value === 'GET' ? value : 'POST', ...template('url'), ...body() };
      }
      case 'update-field': {
        const entity = attribute(element, 'entity')?.text.value.trim();
        const field = attribute(element, 'field');
        const fieldName = field?.text.value.trim();
        // An empty value is meaningful here: it clears the field.
        const value = attribute(element, 'value');
        const parsedValue = value === undefined ? undefined : this.template(value.text, value.valuePos);
        return {
          type: 'update-field', pos,
          ...(parsedValue === undefined ? {} : { value: parsedValue }),
          ...(entity === undefined || entity === '' ? {} : { entity }),
          ...(fieldName === undefined || fieldName === '' ? {} : { field: fieldName }),
          ...(field === undefined ? {} : { fieldPos: field.valuePos }),
        };
      }
      case 'create-case':
        return { type: 'create-case', pos, ...template('code'), ...template('description') };
      case 'schedule-callback': {
        const inAttribute = attribute(element, 'in');
        let inMinutes: number | undefined;
        if (inAttribute !== undefined) {
          inMinutes = parseDuration(inAttribute.text.value.trim());
          if (inMinutes === undefined) {
            this.problems.push({ ...inAttribute.valuePos, message: `schedule-callback 'in' must be a delay such as 30m, 2h or 1d, not '${inAttribute.text.value}'` });
          }
        }
        return { type: 'schedule-callback', pos, ...template('at'), ...template('number'), ...(inMinutes === undefined ? {} : { inMinutes }) };
      }
      case 'recording': {
        const actionAttribute = attribute(element, 'action');
        const value = actionAttribute?.text.value.trim() ?? '';
        const action = (RECORDING_ACTIONS as readonly string[]).includes(value) ? (value as RecordingAction) : undefined;
        // A missing action is the checker's to name; a wrong one is named here, where its position is known.
        if (actionAttribute !== undefined && value !== '' && action === undefined) {
          this.problems.push({ ...actionAttribute.valuePos, message: `recording action must be pause or resume, not '${actionAttribute.text.value}'` });
        }
        return { type: 'recording', pos, ...template('reason'), ...(action === undefined ? {} : { action }) };
      }
      default:
        return { type: 'set-disposition', pos, ...template('code') };
    }
  }

  private condition(element: XmlElement): Expr | undefined {
    const when = attribute(element, 'when');
    if (when === undefined) return undefined;
    try {
      return parseExpression(when.text.value, locateIn(when.text, this.locate));
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      this.problems.push({ ...locateIn(when.text, this.locate)(error.index), message: `in condition: ${error.message}` });
      return undefined;
    }
  }

  private textTemplate(element: XmlElement): Template {
    return collapseTemplate(this.template(element.text, element.pos) ?? { parts: [], pos: element.pos });
  }

  private template(text: MappedText, fallback: Position): Template | undefined {
    const at = text.offsets.length > 1 ? locateIn(text, this.locate) : () => fallback;
    try {
      return parseTemplate(text.value, at);
    } catch (error) {
      if (!(error instanceof ExpressionSyntaxError)) throw error;
      this.problems.push({ ...at(error.index), message: error.message });
      return undefined;
    }
  }
}

function attribute(element: XmlElement, name: string): XmlAttribute | undefined {
  return element.attributes.find((a) => a.name === name);
}

function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2];
  return unit === 'd' ? amount * 1440 : unit === 'h' ? amount * 60 : amount;
}

function isRealDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Text in XML is indented and wrapped; shown to people it reads as one paragraph. */
function collapseTemplate(template: Template): Template {
  const parts = template.parts.map((part, index) => {
    if (typeof part !== 'string') return part;
    let text = part.replace(/\s+/g, ' ');
    if (index === 0) text = text.trimStart();
    if (index === template.parts.length - 1) text = text.trimEnd();
    return text;
  });
  return { parts: parts.filter((part) => part !== ''), pos: template.pos };
}
