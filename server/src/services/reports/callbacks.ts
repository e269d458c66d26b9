// The callbacks report: per bucket of request time, the callback requests and
// what became of them. Pure. Definitions in docs/reports.md.

import { spanIndex, type Span } from './buckets.js';
import type { CallbackFacts } from './source.js';

export interface CallbackFigures {
  requested: number;
  /** Requests an agent took and Tenor tried to reach the customer for, at least once. */
  attempted: number;
  /** Calls placed to customers (a request may take several). */
  attempts: number;
  /** Requests where the customer was reached and connected to the agent. */
  connected: number;
  /** Requests given up: every attempt unanswered, or the queue removed. */
  failed: number;
  /** Requests still waiting for an agent or for their next attempt. */
  pending: number;
}

export const callbackColumns: readonly (keyof CallbackFigures)[] = ['requested', 'attempted', 'attempts', 'connected', 'failed', 'pending'];

export function callbackFigures(callbacks: readonly CallbackFacts[]): CallbackFigures {
  const f: CallbackFigures = { requested: 0, attempted: 0, attempts: 0, connected: 0, failed: 0, pending: 0 };
  for (const c of callbacks) {
    f.requested++;
    if (c.attempts.length > 0) f.attempted++;
    f.attempts += c.attempts.length;
    if (c.outcome === 'answered') f.connected++;
    else if (c.live) f.pending++;
    else f.failed++;
  }
  return f;
}

export function callbacksReport(callbacks: readonly CallbackFacts[], buckets: readonly Span[]): { rows: { span: Span; figures: CallbackFigures }[]; total: CallbackFigures } {
  const perBucket: CallbackFacts[][] = buckets.map(() => []);
  const inPeriod: CallbackFacts[] = [];
  for (const c of callbacks) {
    const b = spanIndex(buckets, c.requestedAt);
    if (b < 0) continue;
    perBucket[b]?.push(c);
    inPeriod.push(c);
  }
  return { rows: buckets.map((span, b) => ({ span, figures: callbackFigures(perBucket[b] ?? []) })), total: callbackFigures(inPeriod) };
}
