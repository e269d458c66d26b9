// The inbound report: per bucket of arrival time, what happened to the
// callers who reached a queue. Pure: the calls, wrap-up times and thresholds
// in, figures out. Definitions in docs/reports.md.

import { spanIndex, type Span } from './buckets.js';
import { meanSeconds, percent, percentileSeconds } from './figures.js';
import type { CallFacts } from './source.js';

export interface InboundFigures {
  offered: number;
  answered: number;
  /** Hung up while waiting, after more than the short-abandon threshold. */
  abandoned: number;
  /** Hung up while waiting, within the short-abandon threshold: out of abandoned and of the service level. */
  shortAbandoned: number;
  answeredWithinThreshold: number;
  /** answeredWithinThreshold / (offered − shortAbandoned) × 100; null when nothing counts. */
  serviceLevelPercent: number | null;
  avgSpeedOfAnswerSeconds: number | null;
  avgWaitSeconds: number | null;
  p90WaitSeconds: number | null;
  transferred: number;
  avgTalkSeconds: number | null;
  avgHoldSeconds: number | null;
  avgWrapUpSeconds: number | null;
  callbacksRequested: number;
  voicemailExits: number;
  /** Left the queue another way: maximum wait, exit key, full or empty queue, to a flow or a goodbye. */
  otherExits: number;
}

export const inboundColumns: readonly (keyof InboundFigures)[] = [
  'offered', 'answered', 'abandoned', 'shortAbandoned', 'answeredWithinThreshold', 'serviceLevelPercent', 'avgSpeedOfAnswerSeconds',
  'avgWaitSeconds', 'p90WaitSeconds', 'transferred', 'avgTalkSeconds', 'avgHoldSeconds', 'avgWrapUpSeconds', 'callbacksRequested',
  'voicemailExits', 'otherExits',
];

export interface InboundInput {
  calls: readonly CallFacts[];
  /** Wrap-up ms per call id, from the agent state log. */
  wrapUps: ReadonlyMap<string, number>;
  buckets: readonly Span[];
  shortAbandonMs: number;
  serviceLevelMsOf: (queue: string | undefined) => number;
}

/** Figures of one set of calls (a bucket, or the whole period). */
export function inboundFigures(calls: readonly CallFacts[], input: Omit<InboundInput, 'calls' | 'buckets'>): InboundFigures {
  let answered = 0;
  let abandoned = 0;
  let shortAbandoned = 0;
  let withinThreshold = 0;
  let transferred = 0;
  let callbacksRequested = 0;
  let voicemailExits = 0;
  let otherExits = 0;
  const answerWaits: number[] = [];
  const waits: number[] = [];
  const talks: number[] = [];
  const holds: number[] = [];
  const wrapUps: number[] = [];
  for (const c of calls) {
    // Callers who waited in a queue; those turned away on arrival (full, no agents) never did.
    if (c.queuedAt !== undefined && c.waitMs !== undefined) waits.push(c.waitMs);
    if (c.transferred) transferred++;
    if (c.answeredAt !== undefined) {
      answered++;
      const wait = c.waitMs ?? c.answeredAt - (c.queuedAt ?? c.arrivedAt);
      answerWaits.push(wait);
      if (wait <= input.serviceLevelMsOf(c.queue)) withinThreshold++;
      if (c.talkMs !== undefined) talks.push(c.talkMs);
      if (c.holdMs !== undefined) holds.push(c.holdMs);
      // Wrap-up of calls that have ended: 0 when the agent went straight back to work.
      if (!c.live) wrapUps.push(input.wrapUps.get(c.id) ?? 0);
      continue;
    }
    switch (c.outcome) {
      case 'abandoned':
        if ((c.waitMs ?? 0) <= input.shortAbandonMs) shortAbandoned++;
        else abandoned++;
        break;
      case 'callback':
        callbacksRequested++;
        break;
      case 'voicemail':
        voicemailExits++;
        break;
      case 'exited':
        otherExits++;
        break;
      default:
        break;
    }
  }
  const offered = calls.length;
  return {
    offered, answered, abandoned, shortAbandoned, answeredWithinThreshold: withinThreshold,
    serviceLevelPercent: percent(withinThreshold, offered - shortAbandoned),
    avgSpeedOfAnswerSeconds: meanSeconds(answerWaits),
    avgWaitSeconds: meanSeconds(waits),
    p90WaitSeconds: percentileSeconds(waits, 90),
    transferred,
    avgTalkSeconds: meanSeconds(talks),
    avgHoldSeconds: meanSeconds(holds),
    avgWrapUpSeconds: meanSeconds(wrapUps),
    callbacksRequested, voicemailExits, otherExits,
  };
}

/** One row of figures per bucket (by arrival time), and the period's total. */
export function inboundReport(input: InboundInput): { rows: { span: Span; figures: InboundFigures }[]; total: InboundFigures } {
  const perBucket: CallFacts[][] = input.buckets.map(() => []);
  const inPeriod: CallFacts[] = [];
  for (const c of input.calls) {
    const i = spanIndex(input.buckets, c.arrivedAt);
    if (i < 0) continue;
    perBucket[i]?.push(c);
    inPeriod.push(c);
  }
  return {
    rows: input.buckets.map((span, i) => ({ span, figures: inboundFigures(perBucket[i] ?? [], input) })),
    total: inboundFigures(inPeriod, input),
  };
}
