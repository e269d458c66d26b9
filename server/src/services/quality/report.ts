// The quality report (GET /api/reports/quality): per interval, the number of
// evaluations and their average score per agent and queue, with totals per
// agent, per queue and overall. The same envelope and period/interval rules
// as the other reports (services/reports, docs/reports.md). An evaluation
// counts in the interval its recorded call started in, not when it was
// scored, so a week's figures are about that week's calls. Evaluations
// without a score (every criterion n/a) are counted but not averaged.

import { csvLines, isoInZone, round2, spanIndex, type ReportQuery } from '../reports/index.js';
import type { Evaluation } from './repository.js';

export interface QualityFigures {
  evaluations: number;
  /** Mean of the scores (percent, two decimals); null when none has a score. */
  averageScore: number | null;
}

export const qualityColumns: readonly (keyof QualityFigures)[] = ['evaluations', 'averageScore'];

type Bounds = { start: string; end: string };
export interface QualityReport {
  report: 'quality';
  period: { from: string; to: string; timeZone: string; preset: string | null };
  interval: string;
  filters: { queue: string | null; agent: string | null };
  /** One per interval and (agent, queue) with evaluations, in time order. */
  rows: (Bounds & { agent: string; queue: string } & QualityFigures)[];
  byAgent: ({ agent: string } & QualityFigures)[];
  byQueue: ({ queue: string } & QualityFigures)[];
  total: QualityFigures;
  notes: string[];
}

/** The name rows use for a call without an agent or queue. */
const NONE = '';

class Tally {
  count = 0;
  sum = 0;
  scored = 0;

  add(score: number | null): void {
    this.count += 1;
    if (score !== null) {
      this.sum += score;
      this.scored += 1;
    }
  }

  figures(): QualityFigures {
    return { evaluations: this.count, averageScore: this.scored === 0 ? null : round2(this.sum / this.scored) };
  }
}

function tallyOf<K>(map: Map<K, Tally>, key: K): Tally {
  let t = map.get(key);
  if (!t) map.set(key, (t = new Tally()));
  return t;
}

const byName = <T>(map: Map<string, Tally>, make: (name: string, f: QualityFigures) => T): T[] =>
  [...map].sort(([a], [b]) => a.localeCompare(b)).map(([name, t]) => make(name, t.figures()));

/** The report over `evaluations` (already limited to the period and filters). */
export function qualityReport(q: ReportQuery, evaluations: readonly Evaluation[]): QualityReport {
  const cells = new Map<string, { bucket: number; agent: string; queue: string; tally: Tally }>();
  const agents = new Map<string, Tally>();
  const queues = new Map<string, Tally>();
  const total = new Tally();
  for (const e of evaluations) {
    const bucket = spanIndex(q.buckets, e.callStartedAt);
    if (bucket < 0) continue;
    const agent = e.agent ?? NONE;
    const queue = e.queue ?? NONE;
    const key = JSON.stringify([bucket, agent, queue]);
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { bucket, agent, queue, tally: new Tally() }));
    cell.tally.add(e.score);
    tallyOf(agents, agent).add(e.score);
    tallyOf(queues, queue).add(e.score);
    total.add(e.score);
  }
  const rows = [...cells.values()]
    .sort((a, b) => a.bucket - b.bucket || a.agent.localeCompare(b.agent) || a.queue.localeCompare(b.queue))
    .map((c) => {
      const span = q.buckets[c.bucket] ?? q.span;
      return { start: isoInZone(q.timeZone, span.start), end: isoInZone(q.timeZone, span.end), agent: c.agent, queue: c.queue, ...c.tally.figures() };
    });
  return {
    report: 'quality',
    period: { from: isoInZone(q.timeZone, q.span.start), to: isoInZone(q.timeZone, q.span.end), timeZone: q.timeZone, preset: q.preset ?? null },
    interval: q.interval,
    filters: { queue: q.queue ?? null, agent: q.agent ?? null },
    rows,
    byAgent: byName(agents, (agent, f) => ({ agent, ...f })),
    byQueue: byName(queues, (queue, f) => ({ queue, ...f })),
    total: total.figures(),
    notes: [],
  };
}

/** As CSV: `bucket` rows, then `agent-total`, `queue-total` and `total` (first column), as the other reports' CSV. */
export function qualityCsv(report: QualityReport): string {
  const { from, to } = report.period;
  const figures = (f: QualityFigures) => qualityColumns.map((c) => f[c]);
  return csvLines(['row', 'start', 'end', 'agent', 'queue', ...qualityColumns], [
    ...report.rows.map((r) => ['bucket', r.start, r.end, r.agent, r.queue, ...figures(r)]),
    ...report.byAgent.map((a) => ['agent-total', from, to, a.agent, '', ...figures(a)]),
    ...report.byQueue.map((b) => ['queue-total', from, to, '', b.queue, ...figures(b)]),
    ['total', from, to, '', '', ...figures(report.total)],
  ]);
}
