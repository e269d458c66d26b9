// The voicemail report: per bucket of received time and box, the messages
// received, how many of them have been handled, and how long handling took.
// Pure. Definitions in docs/reports.md.

import { spanIndex, type Span } from './buckets.js';
import { meanSeconds, percentileSeconds } from './figures.js';
import type { VoicemailFacts } from './source.js';

export interface VoicemailFigures {
  received: number;
  /** Of the messages received in the bucket, those handled since. */
  handled: number;
  avgTimeToHandleSeconds: number | null;
  p90TimeToHandleSeconds: number | null;
}

export const voicemailColumns: readonly (keyof VoicemailFigures)[] = ['received', 'handled', 'avgTimeToHandleSeconds', 'p90TimeToHandleSeconds'];

export function voicemailFigures(messages: readonly VoicemailFacts[]): VoicemailFigures {
  const handled = messages.filter((m) => m.handledAt !== undefined || m.status === 'handled');
  const times = handled.flatMap((m) => (m.handledAt !== undefined ? [Math.max(0, m.handledAt - m.receivedAt)] : []));
  return {
    received: messages.length,
    handled: handled.length,
    avgTimeToHandleSeconds: meanSeconds(times),
    p90TimeToHandleSeconds: percentileSeconds(times, 90),
  };
}

export interface VoicemailReport {
  rows: { span: Span; box: string; figures: VoicemailFigures }[];
  byBox: { box: string; figures: VoicemailFigures }[];
  total: VoicemailFigures;
}

export function voicemailReport(messages: readonly VoicemailFacts[], buckets: readonly Span[]): VoicemailReport {
  const cells = new Map<string, VoicemailFacts[]>();
  const byBox = new Map<string, VoicemailFacts[]>();
  const inPeriod: VoicemailFacts[] = [];
  for (const m of messages) {
    const b = spanIndex(buckets, m.receivedAt);
    if (b < 0) continue;
    const key = `${b}\u0000${m.box}`;
    cells.set(key, [...(cells.get(key) ?? []), m]);
    byBox.set(m.box, [...(byBox.get(m.box) ?? []), m]);
    inPeriod.push(m);
  }
  const boxes = [...byBox.keys()].sort((a, b) => a.localeCompare(b));
  const rows: VoicemailReport['rows'] = [];
  buckets.forEach((span, b) => {
    for (const box of boxes) {
      const list = cells.get(`${b}\u0000${box}`);
      if (list) rows.push({ span, box, figures: voicemailFigures(list) });
    }
  });
  return {
    rows,
    byBox: boxes.map((box) => ({ box, figures: voicemailFigures(byBox.get(box) ?? []) })),
    total: voicemailFigures(inPeriod),
  };
}
