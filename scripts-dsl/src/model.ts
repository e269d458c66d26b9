/**
 * The typed model of a dialogue script, as the parser produces it.
 *
 * Everything here is plain JSON data (no classes, no Maps), so a parsed or
 * compiled script can be sent from the server to a browser as it is.
 * Every node keeps the position of its element in the XML file, so the
 * checker can point at the line and column of a problem.
 */

/** 1-based line and column in the XML file. */
export interface Position {
  line: number;
  column: number;
}

/** One problem found by the parser or the checker. */
export interface Problem extends Position {
  message: string;
}

/** A condition or value expression (see expression.ts for the grammar). */
export type Expr =
  | { kind: 'literal'; value: string | number | boolean | null; pos: Position }
  | { kind: 'list'; items: Expr[]; pos: Position }
  | { kind: 'path'; path: string[]; pos: Position }
  | { kind: 'not'; operand: Expr; pos: Position }
  | { kind: 'neg'; operand: Expr; pos: Position }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; pos: Position }
  | { kind: 'call'; name: FunctionName; args: Expr[]; pos: Position };

export type BinaryOp =
  | 'and' | 'or'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | 'in' | 'not in'
  | '+' | '-' | '*' | '/';

export const FUNCTION_NAMES = ['empty', 'length', 'contains'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Text with `${path}` placeholders, split into literal parts and paths. */
export interface Template {
  parts: Array<string | { kind: 'path'; path: string[]; pos: Position }>;
  pos: Position;
}

export const QUESTION_TYPES = ['choice', 'yesno', 'text', 'number', 'date'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface ChoiceOption {
  value: string;
  label: string;
  pos: Position;
}

/** A bound (min/max) as written: a number, or for dates an ISO date or `today±N`. */
export type Bound =
  | { kind: 'number'; value: number }
  | { kind: 'date'; value: string }
  | { kind: 'today'; offsetDays: number };

export interface Question {
  id: string;
  type: QuestionType;
  prompt: Template;
  required: boolean;
  options: ChoiceOption[];
  /** Regular expression source a text answer must match in full. */
  pattern?: string;
  /** number: value; text: length; date: day. */
  min?: Bound;
  max?: Bound;
  /** Shown instead of the generic message when validation fails. */
  message?: string;
  pos: Position;
}

export interface InfoItem {
  text: Template;
  when?: Expr;
  pos: Position;
}

export type Action =
  | { type: 'send-email'; to?: Template; template?: string; subject?: Template; body?: Template; pos: Position }
  | { type: 'webhook'; url?: Template; method: 'POST' | 'PUT' | 'GET'; body?: Template; pos: Position }
  | { type: 'update-field'; entity?: string; field?: string; value?: Template; pos: Position; fieldPos?: Position }
  | { type: 'create-case'; code?: Template; description?: Template; pos: Position }
  | { type: 'schedule-callback'; at?: Template; inMinutes?: number; number?: Template; pos: Position }
  | { type: 'set-disposition'; code?: Template; pos: Position }
  /** Pause or resume the call's recording (PCI: while card details are read out). */
  | { type: 'recording'; action?: RecordingAction; reason?: Template; pos: Position };

export const RECORDING_ACTIONS = ['pause', 'resume'] as const;
export type RecordingAction = (typeof RECORDING_ACTIONS)[number];

export type ActionType = Action['type'];

export interface Transition {
  to: string;
  /** Position of the `to` attribute value, where "unknown step" points. */
  toPos: Position;
  when?: Expr;
  actions: Action[];
  pos: Position;
}

export interface QuestionStep {
  kind: 'step';
  id: string;
  title?: string;
  info: InfoItem[];
  question?: Question;
  transitions: Transition[];
  pos: Position;
}

export interface EndStep {
  kind: 'end';
  id: string;
  title?: string;
  outcome?: string;
  info: InfoItem[];
  pos: Position;
}

export type Step = QuestionStep | EndStep;

export interface Script {
  id: string;
  version: string;
  title: string;
  description?: string;
  /** Id of the first step; the first step in the file when not given. */
  start: string;
  startPos: Position;
  steps: Step[];
  pos: Position;
}
