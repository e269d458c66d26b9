// Scorecards and evaluations in the database: plain rows in, domain objects out.

import type { Database, SqlValue } from '../../store/database.js';
import type { Criterion, ScorecardDefinition } from './config-schema.js';
import type { Answer } from './scoring.js';

export type Origin = 'config' | 'api';

export interface Scorecard extends ScorecardDefinition {
  name: string;
  /** Goes up by one each time the definition changes. */
  version: number;
  /** 'config': from the site file, written again at every start. */
  origin: Origin;
  updatedAt: string;
}

export interface Evaluation {
  id: string;
  recordingId: string;
  callId: string;
  agent: string | null;
  queue: string | null;
  /** When the recorded call started (epoch ms): the report counts the evaluation in that call's interval. */
  callStartedAt: number;
  scorecard: string;
  scorecardVersion: number;
  scorecardTitle: string;
  /** The criteria as they were when scored. */
  criteria: Criterion[];
  answers: Record<string, Answer>;
  score: number | null;
  comment: string | null;
  evaluator: string;
  evaluatedAt: string;
}

export interface EvaluationFilter {
  agent?: string;
  queue?: string;
  /** Calls started at or after (epoch ms). */
  from?: number;
  /** Calls started before (epoch ms). */
  to?: number;
  recordingId?: string;
  limit?: number;
}

interface ScorecardRow { name: string; version: number; definition: string; origin: Origin; updated_at: string }
interface EvaluationRow {
  id: string; recording_id: string; call_id: string; agent: string | null; queue: string | null; call_started_at: number;
  scorecard: string; scorecard_version: number; scorecard_title: string; criteria: string; answers: string; score: number | null;
  comment: string | null; evaluator: string; evaluated_at: string;
}

const toScorecard = (r: ScorecardRow): Scorecard =>
  ({ ...(JSON.parse(r.definition) as ScorecardDefinition), name: r.name, version: r.version, origin: r.origin, updatedAt: r.updated_at });

const toEvaluation = (r: EvaluationRow): Evaluation => ({
  id: r.id, recordingId: r.recording_id, callId: r.call_id, agent: r.agent, queue: r.queue, callStartedAt: r.call_started_at,
  scorecard: r.scorecard, scorecardVersion: r.scorecard_version, scorecardTitle: r.scorecard_title,
  criteria: JSON.parse(r.criteria) as Criterion[], answers: JSON.parse(r.answers) as Record<string, Answer>,
  score: r.score, comment: r.comment, evaluator: r.evaluator, evaluatedAt: r.evaluated_at,
});

/** The definition's stored form: key order fixed, so an unchanged scorecard compares equal. */
export function definitionText(d: ScorecardDefinition): string {
  return JSON.stringify({
    title: d.title,
    ...(d.queues !== undefined ? { queues: d.queues } : {}),
    criteria: d.criteria.map((c) => ({
      id: c.id, label: c.label, weight: c.weight, kind: c.kind, ...(c.max !== undefined ? { max: c.max } : {}), ...(c.allowNa !== undefined ? { allowNa: c.allowNa } : {}),
    })),
  });
}

export class QualityRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async scorecards(): Promise<Scorecard[]> {
    return (await this.#db.all<ScorecardRow>('SELECT * FROM quality_scorecards ORDER BY name')).map(toScorecard);
  }

  async scorecard(name: string): Promise<Scorecard | undefined> {
    const row = await this.#db.get<ScorecardRow>('SELECT * FROM quality_scorecards WHERE name = ?', [name]);
    return row ? toScorecard(row) : undefined;
  }

  /** Create or replace; the version goes up only when the definition changed. */
  async saveScorecard(name: string, definition: ScorecardDefinition, origin: Origin, now: string): Promise<Scorecard> {
    const text = definitionText(definition);
    const before = await this.#db.get<ScorecardRow>('SELECT * FROM quality_scorecards WHERE name = ?', [name]);
    const version = before === undefined ? 1 : before.definition === text ? before.version : before.version + 1;
    await this.#db.run(
      `INSERT INTO quality_scorecards (name, version, definition, origin, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET version = excluded.version, definition = excluded.definition, origin = excluded.origin, updated_at = excluded.updated_at`,
      [name, version, text, origin, before !== undefined && before.definition === text && before.origin === origin ? before.updated_at : now],
    );
    return toScorecard({ name, version, definition: text, origin, updated_at: now });
  }

  async removeScorecard(name: string): Promise<boolean> {
    return (await this.#db.run('DELETE FROM quality_scorecards WHERE name = ?', [name])).changes > 0;
  }

  async insertEvaluation(e: Evaluation): Promise<void> {
    await this.#db.run(
      `INSERT INTO quality_evaluations (id, recording_id, call_id, agent, queue, call_started_at, scorecard, scorecard_version, scorecard_title,
         criteria, answers, score, comment, evaluator, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.id, e.recordingId, e.callId, e.agent, e.queue, e.callStartedAt, e.scorecard, e.scorecardVersion, e.scorecardTitle,
        JSON.stringify(e.criteria), JSON.stringify(e.answers), e.score, e.comment, e.evaluator, e.evaluatedAt],
    );
  }

  async evaluation(id: string): Promise<Evaluation | undefined> {
    const row = await this.#db.get<EvaluationRow>('SELECT * FROM quality_evaluations WHERE id = ?', [id]);
    return row ? toEvaluation(row) : undefined;
  }

  /** Newest call first, then newest evaluation first. */
  async evaluations(f: EvaluationFilter): Promise<Evaluation[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (f.agent !== undefined) { where.push('agent = ?'); params.push(f.agent); }
    if (f.queue !== undefined) { where.push('queue = ?'); params.push(f.queue); }
    if (f.from !== undefined) { where.push('call_started_at >= ?'); params.push(f.from); }
    if (f.to !== undefined) { where.push('call_started_at < ?'); params.push(f.to); }
    if (f.recordingId !== undefined) { where.push('recording_id = ?'); params.push(f.recordingId); }
    const sql = `SELECT * FROM quality_evaluations ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY call_started_at DESC, evaluated_at DESC, id${f.limit !== undefined ? ' LIMIT ?' : ''}`;
    if (f.limit !== undefined) params.push(f.limit);
    return (await this.#db.all<EvaluationRow>(sql, params)).map(toEvaluation);
  }

  async removeEvaluation(id: string): Promise<boolean> {
    return (await this.#db.run('DELETE FROM quality_evaluations WHERE id = ?', [id])).changes > 0;
  }
}
