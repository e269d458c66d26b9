// Evaluating a condition test against a running call: its values (caller,
// customer, variables) and the time now in the flow's time zone.

import { resolveReference, textOf } from './template.js';
import type { TemplateScope } from './template.js';
import { dateInCalendar, inTimeRange, zonedParts } from './time.js';
import type { ZonedParts } from './time.js';
import type { ConditionTest } from './types.js';

export interface ConditionEnv {
  scope: TemplateScope;
  now: Date;
  timezone: string;
  holidays: Readonly<Record<string, readonly string[]>>;
}

export function evaluateTest(test: ConditionTest, env: ConditionEnv): boolean {
  let local: ZonedParts | undefined;
  const zoned = (): ZonedParts => (local ??= zonedParts(env.now, env.timezone));

  if (test.days && !test.days.includes(zoned().weekday)) return false;
  if (test.time && !test.time.some((r) => inTimeRange(zoned().minute, r))) return false;
  if (test.dates && !dateInCalendar(zoned().date, test.dates)) return false;
  if (test.holiday !== undefined) {
    const date = zoned().date;
    const inCalendar = (name: string): boolean => dateInCalendar(date, env.holidays[name] ?? []);
    const isHoliday = typeof test.holiday === 'string' ? inCalendar(test.holiday) : Object.keys(env.holidays).some(inCalendar);
    if (isHoliday !== (test.holiday !== false)) return false;
  }
  if (test.var !== undefined && !valueTest(test, resolveReference(test.var, env.scope))) return false;
  if (test.all && !test.all.every((t) => evaluateTest(t, env))) return false;
  if (test.any && !test.any.some((t) => evaluateTest(t, env))) return false;
  if (test.not && evaluateTest(test.not, env)) return false;
  return true;
}

/** Values compare as text, so digits collected ('42') equal a number from an HTTP answer (42). */
function valueTest(test: ConditionTest, value: unknown): boolean {
  const text = textOf(value);
  if (test.equals !== undefined) return text === String(test.equals);
  if (test.notEquals !== undefined) return text !== String(test.notEquals);
  if (test.in !== undefined) return test.in.some((x) => text === String(x));
  if (test.matches !== undefined) return new RegExp(test.matches).test(text);
  if (test.startsWith !== undefined) return text.startsWith(test.startsWith);
  if (test.exists !== undefined) return (value !== undefined && value !== null && value !== '') === test.exists;
  const n = typeof value === 'number' ? value : text.trim() === '' ? NaN : Number(text);
  if (test.lessThan !== undefined) return Number.isFinite(n) && n < test.lessThan;
  if (test.greaterThan !== undefined) return Number.isFinite(n) && n > test.greaterThan;
  return true;
}

/** Whether a test (or a nested one) looks at the clock: only then does a condition ask FlowIO for the time. */
export function usesClock(test: ConditionTest): boolean {
  return (
    test.days !== undefined ||
    test.time !== undefined ||
    test.holiday !== undefined ||
    test.dates !== undefined ||
    (test.all ?? []).some(usesClock) ||
    (test.any ?? []).some(usesClock) ||
    (test.not !== undefined && usesClock(test.not))
  );
}
