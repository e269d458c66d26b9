// The flow language as the program sees it once a YAML/JSON document has been
// parsed: a typed, normalised tree (durations in ms, kebab-case keys mapped to
// camelCase, every target a node id). docs/ivr.md describes the text form.

import type { FlowMachine } from './compile.js';
import type { RegisteredNode } from './nodes/index.js';
import type { FlowOutcome, FlowPrompt, FlowRunResult, FlowStep } from './io.js';

/** A place in the source text (1-based), kept for every node and field so problems can name a line. */
export interface SourcePosition {
  line: number;
  column: number;
}

export interface FlowProblem {
  node?: string;
  line?: number;
  column?: number;
  message: string;
}

/** What the checker compares names against. An absent set means "do not check that kind of name". */
export interface FlowCheckContext {
  queues?: ReadonlySet<string>;
  /** Voicemail boxes. */
  boxes?: ReadonlySet<string>;
  /** Other flows (transfer and subflow targets). */
  flows?: ReadonlySet<string>;
  agents?: ReadonlySet<string>;
  promptExists?(name: string, language: string): boolean;
}

/** A string that may hold `${caller.number}`, `${vars.x}`, `${customer.field}`, `${language}` references. */
export type Template = string;

/** The parts of a condition case, all of which must hold (AND). */
export interface ConditionTest {
  /** Days of the week, 0 = Sunday … 6 = Saturday, in the flow's time zone. */
  days?: number[];
  /** Time-of-day ranges in minutes since midnight [from, to); to < from crosses midnight. */
  time?: Array<{ from: number; to: number }>;
  /** true: today is in any holiday calendar; false: it is not; a name: it is in that calendar. */
  holiday?: boolean | string;
  /** Calendar dates (YYYY-MM-DD or MM-DD every year), in the flow's time zone. */
  dates?: string[];
  /** A value reference: `caller.number`, `caller.dialed`, `customer.<field>`, `vars.<name>`, `language`, or a bare variable name. */
  var?: string;
  equals?: string | number | boolean;
  notEquals?: string | number | boolean;
  in?: Array<string | number | boolean>;
  matches?: string;
  startsWith?: string;
  exists?: boolean;
  lessThan?: number;
  greaterThan?: number;
  /** Every nested test holds. */
  all?: ConditionTest[];
  /** At least one nested test holds. */
  any?: ConditionTest[];
  /** The nested test does not hold. */
  not?: ConditionTest;
}

export interface ConditionCase {
  when: ConditionTest;
  next: string;
}

/** What every node has, whatever its type (each type's fields are in nodes/<type>.ts). */
export interface NodeBase {
  id: string;
  /** Where the node's key is in the source. */
  at?: SourcePosition;
  /** Where each field of the node is in the source (by its key as written). */
  fieldsAt?: Record<string, SourcePosition>;
  /** The node's type, as written in the file. */
  type: string;
}

/** A node of any type the registry (nodes/index.ts) lists. */
export type FlowNode = RegisteredNode;

export type FlowNodeType = FlowNode['type'];

export interface FlowDefinition {
  name: string;
  version: number;
  description?: string;
  /** Default prompt set (en, pt-BR, es). */
  language: string;
  /** IANA time zone all time conditions are evaluated in. */
  timezone: string;
  /** Holiday calendars by name; a plain list in the file becomes the calendar 'default'. */
  holidays: Record<string, string[]>;
  start: string;
  nodes: Record<string, FlowNode>;
  /** Source file name, when parsed from a file. */
  file?: string;
  /** Where top-level keys are in the source. */
  fieldsAt?: Record<string, SourcePosition>;
}

/** A flow compiled to one xstate v5 machine. */
export interface CompiledFlow {
  name: string;
  version: number;
  definition: FlowDefinition;
  machine: FlowMachine;
  /** How subflow nodes find the flow they run (given to compileFlow). */
  resolveSubflow?(name: string): CompiledFlow | undefined;
}

/** The answer a stubbed HTTP endpoint gives in a simulation. */
export type SimulatedHttpAnswer = { status: number; body?: unknown } | 'fail';

export interface SimulationScript {
  caller: string;
  dialed?: string;
  /** ISO 8601 time the call happens at (with offset or Z). Default: now. */
  time?: string;
  /** One entry per menu/collect, in order: the digits pressed ('123#' ends with the terminator); '' or 'timeout' for no input. */
  digits?: readonly string[];
  /** Answers by URL (exact, after templating); a URL not listed fails like a network error. */
  http?: Readonly<Record<string, SimulatedHttpAnswer>>;
  /** The CRM record for the caller's number; absent: unknown caller. */
  customer?: Record<string, unknown>;
  /** Caller's preferred language. */
  language?: string;
  variables?: Record<string, unknown>;
  /** Other flows a subflow node may run. */
  subflows?: Readonly<Record<string, CompiledFlow>>;
}

export interface PromptPlayed {
  node: string;
  prompt: FlowPrompt;
  language: string;
}

export interface HttpCallMade {
  node?: string;
  method: 'GET' | 'POST';
  url: string;
  body: unknown;
}

export interface SimulationResult extends FlowRunResult {
  /** Every prompt that would have played, in order, with the language it plays in. */
  prompts: PromptPlayed[];
  /** HTTP requests the flow made, in order. */
  requests: HttpCallMade[];
}

export type { FlowOutcome, FlowPrompt, FlowRunResult, FlowStep };
