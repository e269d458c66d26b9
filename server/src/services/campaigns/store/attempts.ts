// One row per dial attempt, written with status 'dialing' before the INVITE
// leaves and closed with its outcome. Compliance figures (abandon rate over
// the rolling window, the 72-hour redial block) are read from here.

import type { Database, SqlExecutor } from '../../../store/database.js';
import type { AttemptOutcome } from '../model.js';

export interface Attempt {
  id: string;
  campaign: string;
  phone: string;
  customerId: number | undefined;
  attempt: number;
  status: 'dialing' | 'ended';
  outcome: AttemptOutcome | undefined;
  amd: string | undefined;
  agent: string | undefined;
  disposition: string | undefined;
  callId: string | undefined;
  identificationPlayed: boolean;
  startedAt: number;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  durationMs: number | undefined;
  talkMs: number | undefined;
}

interface Row {
  id: string;
  campaign: string;
  phone: string;
  customer_id: number | null;
  attempt: number;
  status: 'dialing' | 'ended';
  outcome: AttemptOutcome | null;
  amd: string | null;
  agent: string | null;
  disposition: string | null;
  call_id: string | null;
  identification_played: number;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  duration_ms: number | null;
  talk_ms: number | null;
}

const u = <T>(v: T | null): T | undefined => v ?? undefined;

const fromRow = (r: Row): Attempt => ({
  id: r.id, campaign: r.campaign, phone: r.phone, customerId: u(r.customer_id), attempt: r.attempt, status: r.status, outcome: u(r.outcome),
  amd: u(r.amd), agent: u(r.agent), disposition: u(r.disposition), callId: u(r.call_id), identificationPlayed: r.identification_played === 1,
  startedAt: r.started_at, answeredAt: u(r.answered_at), endedAt: u(r.ended_at), durationMs: u(r.duration_ms), talkMs: u(r.talk_ms),
});

export type AttemptClose = Partial<Pick<Attempt, 'outcome' | 'amd' | 'agent' | 'callId' | 'identificationPlayed' | 'answeredAt' | 'endedAt' | 'durationMs' | 'talkMs'>>;

const COLUMNS: Record<keyof AttemptClose, string> = {
  outcome: 'outcome', amd: 'amd', agent: 'agent', callId: 'call_id', identificationPlayed: 'identification_played',
  answeredAt: 'answered_at', endedAt: 'ended_at', durationMs: 'duration_ms', talkMs: 'talk_ms',
};

/** Outcomes of live answers (a person, or AMD unsure): the abandon rate's denominator. */
export const LIVE_OUTCOMES: readonly AttemptOutcome[] = ['answered-human', 'abandoned'];

export class AttemptsRepository {
  constructor(private readonly db: Database) {}

  async open(a: { id: string; campaign: string; phone: string; customerId: number | undefined; attempt: number; startedAt: number }, tx: SqlExecutor = this.db): Promise<void> {
    await tx.run(
      `INSERT INTO campaign_attempts (id, campaign, phone, customer_id, attempt, status, started_at) VALUES (?, ?, ?, ?, ?, 'dialing', ?)`,
      [a.id, a.campaign, a.phone, a.customerId ?? null, a.attempt, a.startedAt],
    );
  }

  /** Update fields; with an outcome and status 'ended' the attempt is closed. */
  async update(id: string, fields: AttemptClose & { status?: 'ended' }): Promise<void> {
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'status') {
        sets.push('status = ?');
        values.push(String(v));
        continue;
      }
      const col = COLUMNS[k as keyof AttemptClose];
      if (!col) continue;
      sets.push(`${col} = ?`);
      values.push(v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : (v as string | number));
    }
    if (sets.length > 0) await this.db.run(`UPDATE campaign_attempts SET ${sets.join(', ')} WHERE id = ?`, [...values, id]);
  }

  async setDisposition(id: string, disposition: string): Promise<boolean> {
    return (await this.db.run('UPDATE campaign_attempts SET disposition = ? WHERE id = ?', [disposition, id])).changes > 0;
  }

  async get(id: string): Promise<Attempt | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM campaign_attempts WHERE id = ?', [id]);
    return row && fromRow(row);
  }

  async list(campaign: string, opts: { since?: number; limit?: number; offset?: number } = {}): Promise<Attempt[]> {
    const rows = await this.db.all<Row>(
      'SELECT * FROM campaign_attempts WHERE campaign = ? AND started_at >= ? ORDER BY started_at, rowid LIMIT ? OFFSET ?',
      [campaign, opts.since ?? 0, opts.limit ?? 1000, opts.offset ?? 0],
    );
    return rows.map(fromRow);
  }

  async dialing(campaign?: string): Promise<Attempt[]> {
    const rows = campaign === undefined
      ? await this.db.all<Row>(`SELECT * FROM campaign_attempts WHERE status = 'dialing'`)
      : await this.db.all<Row>(`SELECT * FROM campaign_attempts WHERE status = 'dialing' AND campaign = ?`, [campaign]);
    return rows.map(fromRow);
  }

  /** Live answers and abandons of a campaign since `since` (the compliance window). */
  async abandonWindow(campaign: string, since: number): Promise<{ liveAnswered: number; abandoned: number }> {
    const row = await this.db.get<{ live: number | null; abandoned: number | null }>(
      `SELECT SUM(CASE WHEN outcome IN ('answered-human', 'abandoned') THEN 1 ELSE 0 END) AS live,
              SUM(CASE WHEN outcome = 'abandoned' THEN 1 ELSE 0 END) AS abandoned
       FROM campaign_attempts WHERE campaign = ? AND started_at >= ?`,
      [campaign, since],
    );
    return { liveAnswered: row?.live ?? 0, abandoned: row?.abandoned ?? 0 };
  }

  /** Live answers (answered by a person, abandoned or not) since `since`, oldest first: the abandon tracker's history. */
  async liveAnswers(campaign: string, since: number): Promise<{ at: number; abandoned: boolean }[]> {
    const rows = await this.db.all<{ at: number; outcome: string }>(
      `SELECT COALESCE(answered_at, started_at) AS at, outcome FROM campaign_attempts
       WHERE campaign = ? AND outcome IN ('answered-human', 'abandoned') AND COALESCE(answered_at, started_at) >= ? ORDER BY at`,
      [campaign, since],
    );
    return rows.map((r) => ({ at: r.at, abandoned: r.outcome === 'abandoned' }));
  }

  /** When this number was last abandoned (any campaign) at or after `since`. */
  async lastAbandon(phone: string, since: number): Promise<number | undefined> {
    const row = await this.db.get<{ at: number | null }>(`SELECT MAX(started_at) AS at FROM campaign_attempts WHERE phone = ? AND outcome = 'abandoned' AND started_at >= ?`, [phone, since]);
    return row?.at ?? undefined;
  }

  /** Whether this agent took a call of this campaign to this number: the records an agent works on. */
  async workedBy(campaign: string, phone: string, agent: string): Promise<boolean> {
    return (await this.db.get<{ one: number }>('SELECT 1 AS one FROM campaign_attempts WHERE campaign = ? AND phone = ? AND agent = ? LIMIT 1', [campaign, phone, agent])) !== undefined;
  }

  /** Recent closed attempts, newest first (the pacing estimator's input). */
  async recent(campaign: string, limit: number): Promise<Attempt[]> {
    const rows = await this.db.all<Row>(`SELECT * FROM campaign_attempts WHERE campaign = ? AND status = 'ended' ORDER BY started_at DESC LIMIT ?`, [campaign, limit]);
    return rows.map(fromRow);
  }
}
