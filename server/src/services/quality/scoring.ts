// An evaluation's answers checked against the scorecard's criteria and turned
// into its score. Pure. The score is a weighted percentage: each answered
// criterion counts weight × (yes: 1, no: 0, scale: value / max); criteria
// answered 'n/a' are left out of both the sum and the total weight. All n/a:
// no score (null), never 0.

import { TenorError } from '../../core/errors.js';
import type { Criterion } from './config-schema.js';

/** yes-no: 'yes' | 'no'; scale: a whole number 0..max; 'n/a' where the criterion allows it. */
export type Answer = 'yes' | 'no' | 'n/a' | number;

function invalid(message: string): TenorError {
  return new TenorError('TENOR_ERR_VALIDATION', [message]);
}

/** Every criterion answered once, each answer of the criterion's kind; throws TENOR_ERR_VALIDATION naming the answer. */
export function checkAnswers(criteria: readonly Criterion[], answers: Readonly<Record<string, unknown>>): Record<string, Answer> {
  const known = new Set(criteria.map((c) => c.id));
  const unknown = Object.keys(answers).find((id) => !known.has(id));
  if (unknown !== undefined) throw invalid(`answers.${unknown}: the scorecard has no such criterion`);
  const checked: Record<string, Answer> = {};
  for (const c of criteria) {
    const value = answers[c.id];
    const at = `answers.${c.id}`;
    if (value === undefined) throw invalid(`${at}: every criterion needs an answer`);
    if (value === 'n/a') {
      if (c.allowNa !== true) throw invalid(`${at}: '${c.label}' does not allow n/a`);
      checked[c.id] = 'n/a';
    } else if (c.kind === 'yes-no') {
      if (value !== 'yes' && value !== 'no') throw invalid(`${at}: answer yes or no${c.allowNa === true ? ' (or n/a)' : ''}`);
      checked[c.id] = value;
    } else {
      const max = c.max ?? 0;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) throw invalid(`${at}: answer a whole number from 0 to ${max}${c.allowNa === true ? ' (or n/a)' : ''}`);
      checked[c.id] = value;
    }
  }
  return checked;
}

/** The weighted percentage, rounded to one decimal; null when every criterion is n/a. */
export function scoreOf(criteria: readonly Criterion[], answers: Readonly<Record<string, Answer>>): number | null {
  let earned = 0;
  let possible = 0;
  for (const c of criteria) {
    const a = answers[c.id];
    if (a === undefined || a === 'n/a') continue;
    const fraction = a === 'yes' ? 1 : a === 'no' ? 0 : a / (c.max ?? 1);
    earned += c.weight * fraction;
    possible += c.weight;
  }
  return possible === 0 ? null : Math.round((earned / possible) * 1000) / 10;
}
