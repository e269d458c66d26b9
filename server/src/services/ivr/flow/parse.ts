// Text (YAML or JSON) → FlowDefinition, with a line and column for every
// problem. The YAML tree is walked once to note where each value sits; the
// plain data is then read field by field, each node type by its own reader.
// A flow with any problem is not returned: it must never reach a caller.

import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { checkFlow } from './check.js';
import { sortProblems } from './sort.js';
import { isValidCalendarDate, parseClock, parseDays } from './time.js';
import type {
  ConditionTest,
  FlowDefinition,
  FlowNode,
  FlowNodeType,
  FlowProblem,
  SourcePosition,
} from './types.js';

/** Node ids and flow names: they appear in paths, logs and state ids. */
export const NODE_ID = /^[A-Za-z][A-Za-z0-9_-]*$/;
export const FLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const VARIABLE_SYNTAX = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that would reach an object's prototype rather than hold a value. */
const RESERVED_VARIABLES = new Set(['__proto__', 'constructor', 'prototype']);
const VARIABLE = { test: (name: string): boolean => VARIABLE_SYNTAX.test(name) && !RESERVED_VARIABLES.has(name) };
const DIGIT_KEYS = /^[0-9*#]$/;
const LANGUAGE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

export const NODE_TYPES: readonly FlowNodeType[] = [
  'play',
  'menu',
  'collect',
  'condition',
  'lookup-customer',
  'http',
  'set',
  'queue',
  'voicemail',
  'transfer',
  'subflow',
  'return',
  'hangup',
];

const TOP_LEVEL_FIELDS = ['name', 'version', 'description', 'language', 'timezone', 'holidays', 'start', 'nodes'];

const PROMPT_FIELDS = ['prompts'];
const RETRY_FIELDS = ['timeout', 'retries', 'invalid-prompts', 'no-input-prompts', 'fallback'];
const NODE_FIELDS: Record<FlowNodeType, string[]> = {
  play: [...PROMPT_FIELDS, 'interruptible', 'next'],
  menu: [...PROMPT_FIELDS, 'options', ...RETRY_FIELDS],
  collect: [...PROMPT_FIELDS, 'into', 'min-digits', 'max-digits', 'pattern', 'terminator', 'inter-digit-timeout', 'next', ...RETRY_FIELDS],
  condition: ['cases', 'else'],
  'lookup-customer': ['number', 'found', 'not-found', 'failure'],
  http: ['method', 'url', 'headers', 'body', 'timeout', 'assign', 'next', 'failure'],
  set: ['values', 'next'],
  queue: [...PROMPT_FIELDS, 'queue', 'priority', 'skills'],
  voicemail: [...PROMPT_FIELDS, 'box'],
  transfer: [...PROMPT_FIELDS, 'number', 'agent', 'flow'],
  subflow: ['flow', 'next'],
  return: [],
  hangup: [...PROMPT_FIELDS],
};

const VALUE_OPERATORS = ['equals', 'not-equals', 'in', 'matches', 'starts-with', 'exists', 'less-than', 'greater-than'] as const;
const TEST_FIELDS = ['days', 'time', 'holiday', 'dates', 'var', ...VALUE_OPERATORS, 'all', 'any', 'not'];

export interface ParseResult {
  flow: FlowDefinition | undefined;
  problems: FlowProblem[];
}

export function parseFlow(text: string, file?: string): ParseResult {
  const read = readFlow(text, file);
  if (read.problems.length > 0 || !read.flow) return read;
  const structural = checkFlow(read.flow, {});
  return structural.length > 0 ? { flow: undefined, problems: structural } : read;
}

/**
 * The flow as written, before the structural check: a draft whose targets or
 * reachability are wrong still reads, so an editor can draw it with its problems.
 * Undefined (with problems) only when the text is not a flow at all.
 */
export function readFlow(text: string, file?: string): ParseResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const syntax = doc.errors[0];
  if (syntax) {
    // Only the first: later syntax errors are usually echoes of it.
    const pos = syntax.linePos?.[0];
    return {
      flow: undefined,
      problems: [{ ...(pos ? { line: pos.line, column: pos.col } : {}), message: `not valid YAML/JSON: ${firstLine(syntax.message).replace(/ at line \d+, column \d+:?$/, '')}` }],
    };
  }
  const positions = new Map<string, SourcePosition>();
  const keyPositions = new Map<string, SourcePosition>();
  if (doc.contents) notePositions(doc.contents, '', positions, keyPositions, lineCounter);
  const reader = new Reader(positions, keyPositions);
  const flow = reader.flow(doc.toJS() as unknown, file);
  if (reader.problems.length > 0 || !flow) return { flow: undefined, problems: sortProblems(reader.problems) };
  return { flow, problems: [] };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}


/** Record where every value (and every map key) sits, by dotted path. */
function notePositions(
  node: YamlNode,
  path: string,
  values: Map<string, SourcePosition>,
  keys: Map<string, SourcePosition>,
  lc: LineCounter,
): void {
  const at = (offset: number | undefined): SourcePosition | undefined => {
    if (offset === undefined) return undefined;
    const p = lc.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const own = at(node.range?.[0]);
  if (own) values.set(path, own);
  if (isMap(node)) {
    for (const item of node.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      const childPath = join(path, String(item.key.value));
      const keyAt = at(item.key.range?.[0]);
      if (keyAt) keys.set(childPath, keyAt);
      if (item.value && (isMap(item.value) || isSeq(item.value) || isScalar(item.value))) {
        notePositions(item.value, childPath, values, keys, lc);
      } else if (keyAt) {
        values.set(childPath, keyAt); // `next:` with nothing after it: point at the key
      }
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      if (isMap(item) || isSeq(item) || isScalar(item)) notePositions(item, join(path, String(i)), values, keys, lc);
    });
  }
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function describe(v: Json): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Reads plain data into a FlowDefinition, collecting problems with their positions. */
class Reader {
  readonly problems: FlowProblem[] = [];

  constructor(
    private readonly positions: Map<string, SourcePosition>,
    private readonly keyPositions: Map<string, SourcePosition>,
  ) {}

  at(path: string): SourcePosition | undefined {
    return this.positions.get(path);
  }

  problem(node: string | undefined, path: string, message: string): void {
    const p = this.positions.get(path) ?? this.keyPositions.get(path) ?? this.nearest(path);
    this.problems.push({ ...(node !== undefined ? { node } : {}), ...(p ? { line: p.line, column: p.column } : {}), message });
  }

  /** A problem with a key itself (a node, a digit): reported where the key is written. */
  problemAtKey(node: string | undefined, path: string, message: string): void {
    const p = this.keyPositions.get(path) ?? this.positions.get(path) ?? this.nearest(path);
    this.problems.push({ ...(node !== undefined ? { node } : {}), ...(p ? { line: p.line, column: p.column } : {}), message });
  }

  /** A missing field is reported where its parent starts (the node's key for a node). */
  missing(node: string | undefined, parentPath: string, key: string): void {
    const p = this.keyPositions.get(parentPath) ?? this.positions.get(parentPath) ?? this.nearest(parentPath);
    this.problems.push({
      ...(node !== undefined ? { node } : {}),
      ...(p ? { line: p.line, column: p.column } : {}),
      message: `missing required field '${key}'`,
    });
  }

  private nearest(path: string): SourcePosition | undefined {
    const parts = path.split('.');
    while (parts.length > 0) {
      parts.pop();
      const p = this.positions.get(parts.join('.'));
      if (p) return p;
    }
    return undefined;
  }

  /** Positions of everything under a path, relative to it: a node's fieldsAt. */
  positionsUnder(path: string): Record<string, SourcePosition> {
    const out: Record<string, SourcePosition> = {};
    const prefix = `${path}.`;
    for (const [k, v] of this.positions) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  flow(data: Json, file: string | undefined): FlowDefinition | undefined {
    if (!isObject(data)) {
      this.problem(undefined, '', `a flow is a map with name, version, start and nodes; found ${describe(data)}`);
      return undefined;
    }
    this.unknownFields(undefined, '', data, TOP_LEVEL_FIELDS, 'a flow');
    const name = this.requiredString(undefined, '', data, 'name');
    if (name !== undefined && !FLOW_NAME.test(name)) {
      this.problem(undefined, 'name', `flow name '${name}' may hold only letters, digits, '.', '_' and '-'`);
    }
    const version = this.integer(undefined, '', data, 'version', { min: 1, required: true });
    const language = this.optionalString(undefined, '', data, 'language') ?? 'en';
    if (!LANGUAGE.test(language)) this.problem(undefined, 'language', `language '${language}' is not a language tag (en, pt-BR, es)`);
    const timezone = this.optionalString(undefined, '', data, 'timezone') ?? 'UTC';
    const description = this.optionalString(undefined, '', data, 'description');
    const holidays = this.holidays(data.holidays);
    const start = this.requiredString(undefined, '', data, 'start');
    const nodes: Record<string, FlowNode> = {};
    if (!('nodes' in data)) this.missing(undefined, '', 'nodes');
    else if (!isObject(data.nodes) || Object.keys(data.nodes).length === 0) {
      this.problem(undefined, 'nodes', `nodes is a map of node id to node, with at least one node; found ${describe(data.nodes)}`);
    } else {
      for (const [id, raw] of Object.entries(data.nodes)) {
        const node = this.node(id, raw);
        if (node) nodes[id] = node;
      }
    }
    if (name === undefined || version === undefined || start === undefined) return undefined;
    const fieldsAt: Record<string, SourcePosition> = {};
    for (const key of TOP_LEVEL_FIELDS) {
      const p = this.at(key);
      if (p) fieldsAt[key] = p;
    }
    return {
      name,
      version,
      ...(description !== undefined ? { description } : {}),
      language,
      timezone,
      holidays,
      start,
      nodes,
      ...(file !== undefined ? { file } : {}),
      fieldsAt,
    };
  }

  private holidays(raw: Json): Record<string, string[]> {
    if (raw === undefined || raw === null) return {};
    const calendars: Record<string, string[]> = {};
    const readList = (path: string, list: Json): string[] => {
      if (!Array.isArray(list)) {
        this.problem(undefined, path, `a holiday calendar is a list of dates (YYYY-MM-DD, or MM-DD for every year); found ${describe(list)}`);
        return [];
      }
      return list.flatMap((d, i) => {
        if (typeof d !== 'string' || !isValidCalendarDate(d)) {
          this.problem(undefined, `${path}.${i}`, `invalid date ${JSON.stringify(d)}: use YYYY-MM-DD, or MM-DD for every year`);
          return [];
        }
        return [d];
      });
    };
    if (Array.isArray(raw)) calendars.default = readList('holidays', raw);
    else if (isObject(raw)) {
      for (const [name, list] of Object.entries(raw)) calendars[name] = readList(`holidays.${name}`, list);
    } else {
      this.problem(undefined, 'holidays', `holidays is a list of dates or a map of calendar name to dates; found ${describe(raw)}`);
    }
    return calendars;
  }

  private node(id: string, raw: Json): FlowNode | undefined {
    const path = `nodes.${id}`;
    const before = this.problems.length;
    if (!NODE_ID.test(id)) {
      this.problemAtKey(id, path, `node id '${id}' must start with a letter and hold only letters, digits, '_' and '-'`);
    }
    if (!isObject(raw)) {
      this.problemAtKey(id, path, `a node is a map with a type; found ${describe(raw)}`);
      return undefined;
    }
    if (!('type' in raw)) {
      this.missing(id, path, 'type');
      return undefined;
    }
    const type = raw.type;
    if (typeof type !== 'string' || !(NODE_TYPES as readonly string[]).includes(type)) {
      this.problem(id, `${path}.type`, `unknown node type ${JSON.stringify(type)} (known: ${NODE_TYPES.join(', ')})`);
      return undefined;
    }
    const t = type as FlowNodeType;
    this.unknownFields(id, path, raw, ['type', ...NODE_FIELDS[t]], `a ${t} node`);
    const f = new NodeFields(this, id, path, raw);
    const base = { id, ...(this.keyPositions.get(path) ? { at: this.keyPositions.get(path) } : {}), fieldsAt: this.positionsUnder(path) };
    let node: FlowNode | undefined;
    switch (t) {
      case 'play':
        node = { ...base, type: t, prompts: f.prompts('prompts', true), interruptible: f.bool('interruptible', false), next: f.target('next') };
        break;
      case 'menu': {
        const options: Record<string, string> = {};
        const rawOptions = raw.options;
        if (rawOptions === undefined) this.missing(id, path, 'options');
        else if (!isObject(rawOptions) || Object.keys(rawOptions).length === 0) {
          this.problem(id, `${path}.options`, `options is a map of digit to node, with at least one digit; found ${describe(rawOptions)}`);
        } else {
          for (const [digit, target] of Object.entries(rawOptions)) {
            if (!DIGIT_KEYS.test(digit)) this.problemAtKey(id, `${path}.options.${digit}`, `option '${digit}' is not a key of the keypad (0-9, '*', '#')`);
            else if (typeof target !== 'string' || target === '') {
              this.problem(id, `${path}.options.${digit}`, `option '${digit}' must name a node; found ${describe(target)}`);
            } else options[digit] = target;
          }
        }
        const fallback = f.fallback();
        node = {
          ...base,
          type: t,
          prompts: f.prompts('prompts', true),
          options,
          timeoutMs: f.duration('timeout', 5000),
          retries: f.int('retries', 2, 0, 10),
          invalidPrompts: f.prompts('invalid-prompts', false),
          noInputPrompts: f.prompts('no-input-prompts', false),
          onInvalid: fallback.invalid,
          onNoInput: fallback.noInput,
        };
        break;
      }
      case 'collect': {
        const into = f.string('into', true) ?? '';
        if (into !== '' && !VARIABLE.test(into)) this.problem(id, `${path}.into`, `'${into}' is not a variable name (letters, digits, '_')`);
        const minDigits = f.int('min-digits', 1, 1, 64);
        const maxDigits = f.int('max-digits', Math.max(minDigits, 20), 1, 64);
        if (maxDigits < minDigits) this.problem(id, `${path}.max-digits`, `max-digits (${maxDigits}) is less than min-digits (${minDigits})`);
        const terminator = f.string('terminator', false) ?? '#';
        if (!/^[0-9*#]*$/.test(terminator)) this.problem(id, `${path}.terminator`, `terminator '${terminator}' holds keys that are not on a keypad`);
        const pattern = f.string('pattern', false);
        const fallback = f.fallback();
        node = {
          ...base,
          type: t,
          prompts: f.prompts('prompts', false),
          into,
          minDigits,
          maxDigits,
          ...(pattern !== undefined ? { pattern } : {}),
          terminators: terminator,
          timeoutMs: f.duration('timeout', 5000),
          interDigitTimeoutMs: f.duration('inter-digit-timeout', 3000),
          retries: f.int('retries', 0, 0, 10),
          invalidPrompts: f.prompts('invalid-prompts', false),
          noInputPrompts: f.prompts('no-input-prompts', false),
          next: f.target('next'),
          onInvalid: fallback.invalid,
          onNoInput: fallback.noInput,
        };
        break;
      }
      case 'condition': {
        const cases: { when: ConditionTest; next: string }[] = [];
        const rawCases = raw.cases;
        if (rawCases === undefined) this.missing(id, path, 'cases');
        else if (!Array.isArray(rawCases) || rawCases.length === 0) {
          this.problem(id, `${path}.cases`, `cases is a list of { when, next }, with at least one case; found ${describe(rawCases)}`);
        } else {
          rawCases.forEach((c, i) => {
            const casePath = `${path}.cases.${i}`;
            if (!isObject(c)) {
              this.problem(id, casePath, `a case is a map with when and next; found ${describe(c)}`);
              return;
            }
            this.unknownFields(id, casePath, c, ['when', 'next'], 'a case');
            if (!('when' in c)) this.missing(id, casePath, 'when');
            if (!('next' in c)) this.missing(id, casePath, 'next');
            const when = 'when' in c ? this.test(id, `${casePath}.when`, c.when) : undefined;
            const next = c.next;
            if ('next' in c && (typeof next !== 'string' || next === '')) this.problem(id, `${casePath}.next`, `next must name a node; found ${describe(next)}`);
            if (when && typeof next === 'string' && next !== '') cases.push({ when, next });
          });
        }
        node = { ...base, type: t, cases, else: f.target('else') };
        break;
      }
      case 'lookup-customer': {
        const notFound = f.target('not-found');
        node = {
          ...base,
          type: t,
          number: f.string('number', false) ?? '${caller.number}',
          found: f.target('found'),
          notFound,
          failure: f.target('failure', false) ?? notFound,
        };
        break;
      }
      case 'http': {
        const method = (f.string('method', false) ?? 'POST').toUpperCase();
        if (method !== 'GET' && method !== 'POST') this.problem(id, `${path}.method`, `method must be GET or POST, not '${method}'`);
        const assign: Record<string, string> = {};
        const rawAssign = raw.assign;
        if (rawAssign !== undefined) {
          if (!isObject(rawAssign)) this.problem(id, `${path}.assign`, `assign is a map of variable to a field of the answer; found ${describe(rawAssign)}`);
          else {
            for (const [v, p] of Object.entries(rawAssign)) {
              if (!VARIABLE.test(v)) this.problem(id, `${path}.assign.${v}`, `'${v}' is not a variable name (letters, digits, '_')`);
              else if (typeof p !== 'string' || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(p)) {
                this.problem(id, `${path}.assign.${v}`, `assign.${v} must be a field path in the answer such as 'data.segment'; found ${describe(p)}`);
              } else assign[v] = p;
            }
          }
        }
        const headers: Record<string, string> = {};
        if (raw.headers !== undefined) {
          if (!isObject(raw.headers)) this.problem(id, `${path}.headers`, `headers is a map of header name to text; found ${describe(raw.headers)}`);
          else {
            for (const [h, v] of Object.entries(raw.headers)) {
              if (typeof v !== 'string' && typeof v !== 'number') this.problem(id, `${path}.headers.${h}`, `header '${h}' must be text; found ${describe(v)}`);
              else headers[h] = String(v);
            }
          }
        }
        const url = f.string('url', true) ?? '';
        if (url !== '' && !/^https?:\/\//.test(url) && !url.startsWith('${')) {
          this.problem(id, `${path}.url`, `url '${url}' must start with http:// or https://`);
        }
        node = {
          ...base,
          type: t,
          method: method === 'GET' ? 'GET' : 'POST',
          url,
          headers,
          ...(raw.body !== undefined ? { body: raw.body } : {}),
          timeoutMs: f.duration('timeout', 5000),
          assign,
          next: f.target('next'),
          failure: f.target('failure'),
        };
        break;
      }
      case 'set': {
        const values: Record<string, unknown> = {};
        if (raw.values === undefined) this.missing(id, path, 'values');
        else if (!isObject(raw.values) || Object.keys(raw.values).length === 0) {
          this.problem(id, `${path}.values`, `values is a map of variable to value, with at least one entry; found ${describe(raw.values)}`);
        } else {
          for (const [v, value] of Object.entries(raw.values)) {
            if (!VARIABLE.test(v)) this.problem(id, `${path}.values.${v}`, `'${v}' is not a variable name (letters, digits, '_')`);
            else if (v === 'language' && (typeof value !== 'string' || (!LANGUAGE.test(value) && !value.includes('${')))) {
              this.problem(id, `${path}.values.${v}`, `language must be a language tag (en, pt-BR, es); found ${describe(value)}`);
            } else values[v] = value;
          }
        }
        node = { ...base, type: t, values, next: f.target('next') };
        break;
      }
      case 'queue': {
        const priority = raw.priority;
        if (priority !== undefined && typeof priority !== 'number' && typeof priority !== 'string') {
          this.problem(id, `${path}.priority`, `priority must be a number or a template; found ${describe(priority)}`);
        }
        let skills: Record<string, number | string> | string | undefined;
        if (raw.skills !== undefined) {
          if (typeof raw.skills === 'string') skills = raw.skills;
          else if (isObject(raw.skills)) {
            skills = {};
            for (const [s, level] of Object.entries(raw.skills)) {
              if (typeof level !== 'number' && typeof level !== 'string') {
                this.problem(id, `${path}.skills.${s}`, `skill level must be a number or a template; found ${describe(level)}`);
              } else skills[s] = level;
            }
          } else this.problem(id, `${path}.skills`, `skills is a map of skill to level, or a template; found ${describe(raw.skills)}`);
        }
        node = {
          ...base,
          type: t,
          prompts: f.prompts('prompts', false),
          queue: f.string('queue', true) ?? '',
          ...(typeof priority === 'number' || typeof priority === 'string' ? { priority } : {}),
          ...(skills !== undefined ? { skills } : {}),
        };
        break;
      }
      case 'voicemail':
        node = { ...base, type: t, prompts: f.prompts('prompts', false), box: f.string('box', true) ?? '' };
        break;
      case 'transfer': {
        const given = (['number', 'agent', 'flow'] as const).filter((k) => k in raw);
        if (given.length !== 1) {
          this.problemAtKey(id, path, given.length === 0 ? `a transfer needs one of number, agent or flow` : `a transfer takes one of number, agent or flow, not ${given.join(' and ')}`);
          return undefined;
        }
        const kind = given[0] ?? 'number';
        const value = f.string(kind, true) ?? '';
        const target =
          kind === 'number' ? { kind, number: value } : kind === 'agent' ? { kind, agent: value } : { kind, flow: value };
        node = { ...base, type: t, prompts: f.prompts('prompts', false), target };
        break;
      }
      case 'subflow':
        node = { ...base, type: t, flow: f.string('flow', true) ?? '', next: f.target('next') };
        break;
      case 'return':
        node = { ...base, type: t };
        break;
      case 'hangup':
        node = { ...base, type: t, prompts: f.prompts('prompts', false) };
        break;
    }
    return this.problems.length > before ? undefined : node;
  }

  /** A condition test: time parts and/or one value test, or all/any/not of nested tests. */
  private test(node: string, path: string, raw: Json): ConditionTest | undefined {
    if (!isObject(raw) || Object.keys(raw).length === 0) {
      this.problem(node, path, `a test is a map (days, time, holiday, dates, var with an operator, all, any, not); found ${describe(raw)}`);
      return undefined;
    }
    const before = this.problems.length;
    this.unknownFields(node, path, raw, TEST_FIELDS, 'a test');
    const test: ConditionTest = {};
    if (raw.days !== undefined) {
      const list = typeof raw.days === 'string' ? [raw.days] : raw.days;
      if (!Array.isArray(list)) this.problem(node, `${path}.days`, `days is a list of day names or ranges (mon-fri); found ${describe(raw.days)}`);
      else {
        const days = new Set<number>();
        list.forEach((d, i) => {
          const parsed = typeof d === 'string' ? parseDays(d) : undefined;
          const itemPath = typeof raw.days === 'string' ? `${path}.days` : `${path}.days.${i}`;
          if (!parsed) this.problem(node, itemPath, `invalid day ${JSON.stringify(d)}: use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri`);
          else parsed.forEach((x) => days.add(x));
        });
        test.days = [...days].sort();
      }
    }
    if (raw.time !== undefined) {
      const list = typeof raw.time === 'string' || isObject(raw.time) ? [raw.time] : raw.time;
      if (!Array.isArray(list)) this.problem(node, `${path}.time`, `time is a range 'HH:MM-HH:MM' or a list of them; found ${describe(raw.time)}`);
      else {
        test.time = [];
        list.forEach((r, i) => {
          const itemPath = Array.isArray(raw.time) ? `${path}.time.${i}` : `${path}.time`;
          const range = this.timeRange(r);
          if (typeof range === 'string') this.problem(node, itemPath, range);
          else test.time?.push(range);
        });
      }
    }
    if (raw.holiday !== undefined) {
      if (typeof raw.holiday !== 'boolean' && typeof raw.holiday !== 'string') {
        this.problem(node, `${path}.holiday`, `holiday is true, false or the name of a calendar under holidays; found ${describe(raw.holiday)}`);
      } else test.holiday = raw.holiday;
    }
    if (raw.dates !== undefined) {
      const list = typeof raw.dates === 'string' ? [raw.dates] : raw.dates;
      if (!Array.isArray(list)) this.problem(node, `${path}.dates`, `dates is a list of YYYY-MM-DD or MM-DD; found ${describe(raw.dates)}`);
      else {
        test.dates = [];
        list.forEach((d, i) => {
          if (typeof d !== 'string' || !isValidCalendarDate(d)) {
            this.problem(node, Array.isArray(raw.dates) ? `${path}.dates.${i}` : `${path}.dates`, `invalid date ${JSON.stringify(d)}: use YYYY-MM-DD, or MM-DD for every year`);
          } else test.dates?.push(d);
        });
      }
    }
    const operators = VALUE_OPERATORS.filter((op) => op in raw);
    if (raw.var !== undefined || operators.length > 0) {
      if (typeof raw.var !== 'string' || raw.var === '') {
        this.problem(node, raw.var === undefined ? path : `${path}.var`, `${operators.join(', ')} needs var: the value to test (caller.number, customer.<field>, vars.<name>, language)`);
      } else if (operators.length !== 1) {
        this.problem(node, `${path}.var`, operators.length === 0
          ? `var needs one operator: ${VALUE_OPERATORS.join(', ')}`
          : `one var takes one operator, not ${operators.join(' and ')} (use all: [...] to combine)`);
      } else {
        test.var = raw.var;
        const op = operators[0];
        const v = op === undefined ? undefined : raw[op];
        const scalar = (x: Json): x is string | number | boolean => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
        switch (op) {
          case 'equals':
          case 'not-equals':
            if (!scalar(v)) this.problem(node, `${path}.${op}`, `${op} takes a text, number or true/false; found ${describe(v)}`);
            else if (op === 'equals') test.equals = v;
            else test.notEquals = v;
            break;
          case 'in':
            if (!Array.isArray(v) || !v.every(scalar)) this.problem(node, `${path}.in`, `in takes a list of values; found ${describe(v)}`);
            else test.in = v;
            break;
          case 'matches':
          case 'starts-with':
            if (typeof v !== 'string') this.problem(node, `${path}.${op}`, `${op} takes a text; found ${describe(v)}`);
            else if (op === 'matches') test.matches = v;
            else test.startsWith = v;
            break;
          case 'exists':
            if (typeof v !== 'boolean') this.problem(node, `${path}.exists`, `exists takes true or false; found ${describe(v)}`);
            else test.exists = v;
            break;
          case 'less-than':
          case 'greater-than':
            if (typeof v !== 'number') this.problem(node, `${path}.${op}`, `${op} takes a number; found ${describe(v)}`);
            else if (op === 'less-than') test.lessThan = v;
            else test.greaterThan = v;
            break;
          case undefined:
            break;
        }
      }
    }
    for (const group of ['all', 'any'] as const) {
      const list = raw[group];
      if (list === undefined) continue;
      if (!Array.isArray(list) || list.length === 0) {
        this.problem(node, `${path}.${group}`, `${group} is a list of tests; found ${describe(list)}`);
        continue;
      }
      const tests = list.map((x, i) => this.test(node, `${path}.${group}.${i}`, x));
      if (tests.every((x): x is ConditionTest => x !== undefined)) test[group] = tests;
    }
    if (raw.not !== undefined) {
      const inner = this.test(node, `${path}.not`, raw.not);
      if (inner) test.not = inner;
    }
    return this.problems.length > before ? undefined : test;
  }

  /** 'HH:MM-HH:MM' or { from, to } → minutes, or the problem as text. */
  private timeRange(r: Json): { from: number; to: number } | string {
    let fromText: Json;
    let toText: Json;
    if (typeof r === 'string') {
      const parts = r.split('-');
      if (parts.length !== 2) return `invalid time range ${JSON.stringify(r)}: use 'HH:MM-HH:MM' such as '08:00-18:00'`;
      [fromText, toText] = parts;
    } else if (isObject(r)) {
      fromText = r.from;
      toText = r.to;
    } else return `invalid time range ${JSON.stringify(r)}: use 'HH:MM-HH:MM' such as '08:00-18:00'`;
    const from = typeof fromText === 'string' ? parseClock(fromText, false) : undefined;
    const to = typeof toText === 'string' ? parseClock(toText, true) : undefined;
    const shown = typeof r === 'string' ? r : `${String(fromText)}-${String(toText)}`;
    if (from === undefined) return `invalid time range '${shown}': '${String(fromText)}' is not a time of day (00:00 to 23:59)`;
    if (to === undefined) return `invalid time range '${shown}': '${String(toText)}' is not a time of day (00:00 to 24:00)`;
    if (from === to) return `invalid time range '${shown}': it is empty (start and end are the same)`;
    return { from, to };
  }

  unknownFields(node: string | undefined, path: string, raw: Record<string, Json>, known: readonly string[], what: string): void {
    for (const key of Object.keys(raw)) {
      if (!known.includes(key)) {
        const hint = closest(key, known);
        this.problem(node, join(path, key), `unknown field '${key}' in ${what}${hint ? ` (did you mean '${hint}'?)` : ` (fields: ${known.join(', ')})`}`);
        // The key is where the typo is: point at it rather than at its value.
        const last = this.problems[this.problems.length - 1];
        const keyAt = this.keyPositions.get(join(path, key));
        if (last && keyAt) {
          last.line = keyAt.line;
          last.column = keyAt.column;
        }
      }
    }
  }

  requiredString(node: string | undefined, path: string, raw: Record<string, Json>, key: string): string | undefined {
    if (!(key in raw) || raw[key] === null) {
      this.missing(node, path, key);
      return undefined;
    }
    return this.optionalString(node, path, raw, key);
  }

  optionalString(node: string | undefined, path: string, raw: Record<string, Json>, key: string): string | undefined {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number') return String(v);
    if (typeof v !== 'string' || v === '') {
      this.problem(node, join(path, key), `${key} must be a text; found ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  integer(node: string | undefined, path: string, raw: Record<string, Json>, key: string, o: { min: number; max?: number; required?: boolean }): number | undefined {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (o.required) this.missing(node, path, key);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < o.min || (o.max !== undefined && v > o.max)) {
      this.problem(node, join(path, key), `${key} must be a whole number ${o.max !== undefined ? `from ${o.min} to ${o.max}` : `of at least ${o.min}`}; found ${describe(v)}`);
      return undefined;
    }
    return v;
  }
}

/** Field readers for one node; each reports its own problem and returns a usable default. */
class NodeFields {
  constructor(
    private readonly r: Reader,
    private readonly id: string,
    private readonly path: string,
    private readonly raw: Record<string, Json>,
  ) {}

  string(key: string, required: boolean): string | undefined {
    return required ? this.r.requiredString(this.id, this.path, this.raw, key) : this.r.optionalString(this.id, this.path, this.raw, key);
  }

  target(key: string): string;
  target(key: string, required: false): string | undefined;
  target(key: string, required = true): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.r.missing(this.id, this.path, key);
      return required ? '' : undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must name a node; found ${describe(v)}`);
      return '';
    }
    return v;
  }

  prompts(key: string, required: boolean): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (required) this.r.missing(this.id, this.path, key);
      return [];
    }
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || (required && list.length === 0)) {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} is a prompt name or a list of them; found ${describe(v)}`);
      return [];
    }
    return list.flatMap((p, i) => {
      if (typeof p !== 'string' || p === '') {
        this.r.problem(this.id, `${this.path}.${key}.${i}`, `a prompt is a name such as 'welcome'; found ${describe(p)}`);
        return [];
      }
      return [p];
    });
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must be true or false; found ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    return this.r.integer(this.id, this.path, this.raw, key, { min, max }) ?? fallback;
  }

  /** '5s', '500ms', '1m', or a bare number of seconds. */
  duration(key: string, fallbackMs: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallbackMs;
    const ms = parseDuration(v);
    if (ms === undefined) {
      this.r.problem(this.id, `${this.path}.${key}`, `${key} must be a duration such as 5s, 500ms or 1m (at most 10m); found ${describe(v)}`);
      return fallbackMs;
    }
    return ms;
  }

  /** fallback: <node>, or { invalid: <node>, no-input: <node> }. */
  fallback(): { invalid: string; noInput: string } {
    const v = this.raw.fallback;
    if (v === undefined || v === null) {
      this.r.missing(this.id, this.path, 'fallback');
      return { invalid: '', noInput: '' };
    }
    if (typeof v === 'string' && v !== '') return { invalid: v, noInput: v };
    if (isObject(v)) {
      this.r.unknownFields(this.id, `${this.path}.fallback`, v, ['invalid', 'no-input'], 'fallback');
      const invalid = v.invalid;
      const noInput = v['no-input'];
      if (typeof invalid !== 'string' || invalid === '') this.r.missing(this.id, `${this.path}.fallback`, 'invalid');
      if (typeof noInput !== 'string' || noInput === '') this.r.missing(this.id, `${this.path}.fallback`, 'no-input');
      return { invalid: typeof invalid === 'string' ? invalid : '', noInput: typeof noInput === 'string' ? noInput : '' };
    }
    this.r.problem(this.id, `${this.path}.fallback`, `fallback names a node, or is { invalid: <node>, no-input: <node> }; found ${describe(v)}`);
    return { invalid: '', noInput: '' };
  }
}

const MAX_DURATION_MS = 10 * 60 * 1000;

export function parseDuration(v: unknown): number | undefined {
  let ms: number | undefined;
  if (typeof v === 'number') ms = v * 1000;
  else if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
    if (m) ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0 || ms > MAX_DURATION_MS) return undefined;
  return Math.round(ms);
}

/** The known word a typo most likely meant (edit distance ≤ 2). */
function closest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(word.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] ?? 0;
      row[j] = Math.min(cur + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] ?? 0;
}
