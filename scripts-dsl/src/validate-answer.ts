/**
 * Checking and normalising one answer against its question: required,
 * type, options, pattern, min and max. Forms send strings; agents' screens
 * may send numbers or booleans: both normalise to the same stored value.
 */
import type { Bound, Question } from './model.js';

/** A stored answer: choice and text are strings, dates are 'YYYY-MM-DD'. */
export type AnswerValue = string | number | boolean;

export type AnswerErrorCode = 'required' | 'type' | 'option' | 'pattern' | 'min' | 'max' | 'no-transition' | 'finished';

export interface AnswerError {
  code: AnswerErrorCode;
  message: string;
}

export type Validation = { ok: true; value: AnswerValue | undefined } | { ok: false, error: AnswerError };

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** `today` is the run's date, 'YYYY-MM-DD', for bounds such as today+30. */
export function validateAnswer(question: Question, input: unknown, today: string): Validation {
  const text = typeof input === 'string' ? input.trim() : input;
  if (text === undefined || text === null || text === '') {
    return question.required ? fail('required', 'an answer is required') : { ok: true, value: undefined };
  }
  switch (question.type) {
    case 'choice': {
      if (typeof text !== 'string' || !question.options.some((o) => o.value === text)) {
        return fail('option', `choose one of: ${question.options.map((o) => o.label).join(', ')}`);
      }
      return { ok: true, value: text };
    }
    case 'yesno': {
      if (text === true || text === 'yes' || text === 'true') return { ok: true, value: true };
      if (text === false || text === 'no' || text === 'false') return { ok: true, value: false };
      return fail('type', 'answer yes or no');
    }
    case 'number': {
      const number = typeof text === 'number' ? text : typeof text === 'string' && /^[-+]?\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
      if (!Number.isFinite(number)) return fail('type', 'enter a number');
      return withinBounds(question, number, number, today);
    }
    case 'date': {
      if (typeof text !== 'string' || !ISO_DATE.test(text) || !isRealDate(text)) return fail('type', 'enter a date as YYYY-MM-DD');
      return withinBounds(question, text, text, today);
    }
    case 'text': {
      if (typeof text !== 'string') return fail('type', 'enter text');
      if (question.pattern !== undefined && !new RegExp(`^(?:${question.pattern})$`, 'u').test(text)) {
        return fail('pattern', question.message ?? 'the answer does not have the expected form');
      }
      return withinBounds(question, text, text.length, today);
    }
  }
}

function withinBounds(question: Question, value: AnswerValue, measure: number | string, today: string): Validation {
  const min = question.min === undefined ? undefined : boundValue(question.min, today);
  const max = question.max === undefined ? undefined : boundValue(question.max, today);
  const unit = question.type === 'text' ? ' characters' : '';
  const lower = question.type === 'date' ? 'on or after' : 'at least';
  const upper = question.type === 'date' ? 'on or before' : 'at most';
  if (min !== undefined && measure < min) return fail('min', question.message ?? `must be ${lower} ${min}${unit}`);
  if (max !== undefined && measure > max) return fail('max', question.message ?? `must be ${upper} ${max}${unit}`);
  return { ok: true, value };
}

function boundValue(bound: Bound, today: string): number | string {
  if (bound.kind === 'number' || bound.kind === 'date') return bound.value;
  return addDays(today, bound.offsetDays);
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

function isRealDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

function fail(code: AnswerErrorCode, message: string): Validation {
  return { ok: false, error: { code, message } };
}
