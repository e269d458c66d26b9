// Condition tests (the `when` of a condition case): reading one from the file
// and checking it against the flow (holiday calendars, references, patterns).
// conditions.ts evaluates them while a call runs.

import { describe, isObject } from '../reader.js';
import type { Json } from '../reader.js';
import { referenceProblem } from '../template.js';
import { isValidCalendarDate, parseClock, parseDays } from '../time.js';
import type { ConditionTest, FlowDefinition, FlowNode } from '../types.js';
import { checkRegex } from './checks.js';
import type { Report } from './checks.js';
import type { NodeFields } from './fields.js';

const VALUE_OPERATORS = ['equals', 'not-equals', 'in', 'matches', 'starts-with', 'exists', 'less-than', 'greater-than'] as const;
const TEST_FIELDS = ['days', 'time', 'holiday', 'dates', 'var', ...VALUE_OPERATORS, 'all', 'any', 'not'];

/** A condition test: time parts and/or one value test, or all/any/not of nested tests. */
export function readTest(f: NodeFields, path: string, raw: Json): ConditionTest | undefined {
  if (!isObject(raw) || Object.keys(raw).length === 0) {
    f.problem(path, `a test is a map (days, time, holiday, dates, var with an operator, all, any, not); found ${describe(raw)}`);
    return undefined;
  }
  const before = f.problemCount;
  f.unknownFields(path, raw, TEST_FIELDS, 'a test');
  const test: ConditionTest = {};
  if (raw.days !== undefined) {
    const list = typeof raw.days === 'string' ? [raw.days] : raw.days;
    if (!Array.isArray(list)) f.problem(`${path}.days`, `days is a list of day names or ranges (mon-fri); found ${describe(raw.days)}`);
    else {
      const days = new Set<number>();
      list.forEach((d, i) => {
        const parsed = typeof d === 'string' ? parseDays(d) : undefined;
        const itemPath = typeof raw.days === 'string' ? `${path}.days` : `${path}.days.${i}`;
        if (!parsed) f.problem(itemPath, `invalid day ${JSON.stringify(d)}: use mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri`);
        else parsed.forEach((x) => days.add(x));
      });
      test.days = [...days].sort();
    }
  }
  if (raw.time !== undefined) {
    const list = typeof raw.time === 'string' || isObject(raw.time) ? [raw.time] : raw.time;
    if (!Array.isArray(list)) f.problem(`${path}.time`, `time is a range 'HH:MM-HH:MM' or a list of them; found ${describe(raw.time)}`);
    else {
      test.time = [];
      list.forEach((r, i) => {
        const itemPath = Array.isArray(raw.time) ? `${path}.time.${i}` : `${path}.time`;
        const range = timeRange(r);
        if (typeof range === 'string') f.problem(itemPath, range);
        else test.time?.push(range);
      });
    }
  }
  if (raw.holiday !== undefined) {
    if (typeof raw.holiday !== 'boolean' && typeof raw.holiday !== 'string') {
      f.problem(`${path}.holiday`, `holiday is true, false or the name of a calendar under holidays; found ${describe(raw.holiday)}`);
    } else test.holiday = raw.holiday;
  }
  if (raw.dates !== undefined) {
    const list = typeof raw.dates === 'string' ? [raw.dates] : raw.dates;
    if (!Array.isArray(list)) f.problem(`${path}.dates`, `dates is a list of YYYY-MM-DD or MM-DD; found ${describe(raw.dates)}`);
    else {
      test.dates = [];
      list.forEach((d, i) => {
        if (typeof d !== 'string' || !isValidCalendarDate(d)) {
          f.problem(Array.isArray(raw.dates) ? `${path}.dates.${i}` : `${path}.dates`, `invalid date ${JSON.stringify(d)}: use YYYY-MM-DD, or MM-DD for every year`);
        } else test.dates?.push(d);
      });
    }
  }
  const operators = VALUE_OPERATORS.filter((op) => op in raw);
  if (raw.var !== undefined || operators.length > 0) {
    if (typeof raw.var !== 'string' || raw.var === '') {
      f.problem(raw.var === undefined ? path : `${path}.var`, `${operators.join(', ')} needs var: the value to test (caller.number, customer.<field>, vars.<name>, language)`);
    } else if (operators.length !== 1) {
      f.problem(`${path}.var`, operators.length === 0
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
          if (!scalar(v)) f.problem(`${path}.${op}`, `${op} takes a text, number or true/false; found ${describe(v)}`);
          else if (op === 'equals') test.equals = v;
          else test.notEquals = v;
          break;
        case 'in':
          if (!Array.isArray(v) || !v.every(scalar)) f.problem(`${path}.in`, `in takes a list of values; found ${describe(v)}`);
          else test.in = v;
          break;
        case 'matches':
        case 'starts-with':
          if (typeof v !== 'string') f.problem(`${path}.${op}`, `${op} takes a text; found ${describe(v)}`);
          else if (op === 'matches') test.matches = v;
          else test.startsWith = v;
          break;
        case 'exists':
          if (typeof v !== 'boolean') f.problem(`${path}.exists`, `exists takes true or false; found ${describe(v)}`);
          else test.exists = v;
          break;
        case 'less-than':
        case 'greater-than':
          if (typeof v !== 'number') f.problem(`${path}.${op}`, `${op} takes a number; found ${describe(v)}`);
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
      f.problem(`${path}.${group}`, `${group} is a list of tests; found ${describe(list)}`);
      continue;
    }
    const tests = list.map((x, i) => readTest(f, `${path}.${group}.${i}`, x));
    if (tests.every((x): x is ConditionTest => x !== undefined)) test[group] = tests;
  }
  if (raw.not !== undefined) {
    const inner = readTest(f, `${path}.not`, raw.not);
    if (inner) test.not = inner;
  }
  return f.problemCount > before ? undefined : test;
}

/** 'HH:MM-HH:MM' or { from, to } → minutes, or the problem as text. */
function timeRange(r: Json): { from: number; to: number } | string {
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

export function checkTest(node: FlowNode, path: string, test: ConditionTest, flow: FlowDefinition, report: Report): void {
  if (typeof test.holiday === 'string' && !(test.holiday in flow.holidays)) {
    const names = Object.keys(flow.holidays);
    report(node, `${path}.holiday`, `unknown holiday calendar '${test.holiday}'${names.length > 0 ? ` (calendars: ${names.join(', ')})` : ' (define it under holidays)'}`);
  }
  if (test.holiday === true && Object.keys(flow.holidays).length === 0) {
    report(node, `${path}.holiday`, `holiday: true but the flow defines no holidays`);
  }
  if (test.var !== undefined) {
    const problem = referenceProblem(test.var);
    if (problem) report(node, `${path}.var`, problem);
  }
  if (test.matches !== undefined) checkRegex(node, `${path}.matches`, test.matches, report);
  test.all?.forEach((t, i) => checkTest(node, `${path}.all.${i}`, t, flow, report));
  test.any?.forEach((t, i) => checkTest(node, `${path}.any.${i}`, t, flow, report));
  if (test.not) checkTest(node, `${path}.not`, test.not, flow, report);
}
