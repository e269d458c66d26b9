// What happens to a number after an attempt: finished, or due again after
// the delay its outcome's retry rule gives, as long as attempts remain. An
// abandoned number waits at least 72 hours before it may be dialed again.

import { ABANDON_REDIAL_BLOCK_MS, RETRYABLE, type AttemptOutcome, type CampaignDefinition, type RetryableOutcome } from './model.js';

export type NextStep = { state: 'done' } | { state: 'pending'; nextDueAt: number };

const isRetryable = (o: AttemptOutcome): o is RetryableOutcome => (RETRYABLE as readonly string[]).includes(o);

/** After attempt number `attemptsMade` (1-based) ended with `outcome` at `at`. */
export function nextStep(def: Pick<CampaignDefinition, 'maxAttempts' | 'retry'>, outcome: AttemptOutcome, attemptsMade: number, at: number): NextStep {
  if (attemptsMade >= def.maxAttempts) return { state: 'done' };
  if (outcome === 'abandoned') return { state: 'pending', nextDueAt: at + ABANDON_REDIAL_BLOCK_MS };
  if (!isRetryable(outcome)) return { state: 'done' };
  const rule = def.retry[outcome];
  if (!rule.retry) return { state: 'done' };
  return { state: 'pending', nextDueAt: at + rule.delayMinutes * 60_000 };
}
