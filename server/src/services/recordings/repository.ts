// Recordings, their markers and the audit of listens and downloads in the
// database: plain rows in, domain objects out.

import type { Database, SqlValue } from '../../store/database.js';

export type RecordingState = 'recording' | 'paused' | 'stored' | 'failed' | 'erased';
export type MarkerKind = 'hold' | 'unhold' | 'pause' | 'resume' | 'transfer' | 'consult' | 'agent';
export type AuditAction = 'listen' | 'download' | 'erase' | 'export';

export interface RecordingRow {
  id: string;
  callId: string;
  queue: string | null;
  campaign: string | null;
  agent: string | null;
  customerId: string | null;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  path: string | null;
  keyId: string | null;
  bytes: number | null;
  state: RecordingState;
  retainUntil: string | null;
}

export interface Marker {
  atMs: number;
  kind: MarkerKind;
  by: string | null;
  reason: string | null;
  /** Free text the marker kind defines: the agent connected, the transfer's target. */
  detail: string | null;
}

export interface AuditEntry {
  at: string;
  user: string;
  action: AuditAction;
  recordingId: string | null;
  customerId: string | null;
  detail: string | null;
}

export interface RecordingFilter {
  from?: string;
  to?: string;
  queue?: string;
  agent?: string;
  customerId?: string;
  callId?: string;
  limit: number;
  offset: number;
}

interface Row {
  id: string; call_id: string; queue: string | null; campaign: string | null; agent: string | null; customer_id: string | null;
  started_at: string; ended_at: string | null; duration_ms: number | null; path: string | null; key_id: string | null;
  bytes: number | null; state: RecordingState; retain_until: string | null;
}

function toRecording(r: Row): RecordingRow {
  return {
    id: r.id, callId: r.call_id, queue: r.queue, campaign: r.campaign, agent: r.agent, customerId: r.customer_id,
    startedAt: r.started_at, endedAt: r.ended_at, durationMs: r.duration_ms, path: r.path, keyId: r.key_id, bytes: r.bytes,
    state: r.state, retainUntil: r.retain_until,
  };
}

export class RecordingsRepository {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async insert(r: Pick<RecordingRow, 'id' | 'callId' | 'queue' | 'campaign' | 'agent' | 'customerId' | 'startedAt' | 'state'>): Promise<void> {
    await this.#db.run(
      'INSERT INTO recordings (id, call_id, queue, campaign, agent, customer_id, started_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [r.id, r.callId, r.queue, r.campaign, r.agent, r.customerId, r.startedAt, r.state],
    );
  }

  async setState(id: string, state: RecordingState): Promise<void> {
    await this.#db.run('UPDATE recordings SET state = ? WHERE id = ?', [state, id]);
  }

  /** The agent now connected (a transfer hands the call on); the first agent stays in the markers. */
  async setAgent(id: string, agent: string): Promise<void> {
    await this.#db.run('UPDATE recordings SET agent = ? WHERE id = ?', [agent, id]);
  }

  async finish(id: string, f: { endedAt: string; durationMs: number; path: string | null; keyId: string | null; bytes: number | null; state: RecordingState; retainUntil: string | null }): Promise<void> {
    await this.#db.run(
      'UPDATE recordings SET ended_at = ?, duration_ms = ?, path = ?, key_id = ?, bytes = ?, state = ?, retain_until = ? WHERE id = ?',
      [f.endedAt, f.durationMs, f.path, f.keyId, f.bytes, f.state, f.retainUntil, id],
    );
  }

  async get(id: string): Promise<RecordingRow | undefined> {
    const row = await this.#db.get<Row>('SELECT * FROM recordings WHERE id = ?', [id]);
    return row ? toRecording(row) : undefined;
  }

  async list(f: RecordingFilter): Promise<{ total: number; items: RecordingRow[] }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (f.from !== undefined) { where.push('started_at >= ?'); params.push(f.from); }
    if (f.to !== undefined) { where.push('started_at < ?'); params.push(f.to); }
    if (f.queue !== undefined) { where.push('queue = ?'); params.push(f.queue); }
    // An agent's recordings: the one connected last, or any agent connected on the way (markers).
    if (f.agent !== undefined) {
      where.push("(agent = ? OR id IN (SELECT recording_id FROM recording_markers WHERE kind = 'agent' AND detail = ?))");
      params.push(f.agent, f.agent);
    }
    if (f.customerId !== undefined) { where.push('customer_id = ?'); params.push(f.customerId); }
    if (f.callId !== undefined) { where.push('call_id = ?'); params.push(f.callId); }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const total = (await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM recordings ${clause}`, params))?.n ?? 0;
    const rows = await this.#db.all<Row>(`SELECT * FROM recordings ${clause} ORDER BY started_at DESC, id LIMIT ? OFFSET ?`, [...params, f.limit, f.offset]);
    return { total, items: rows.map(toRecording) };
  }

  /** The recordings of these call records, by record id (oldest first). */
  async forCalls(callIds: readonly string[]): Promise<Map<string, RecordingRow[]>> {
    const byCall = new Map<string, RecordingRow[]>();
    if (callIds.length === 0) return byCall;
    const rows = await this.#db.all<Row>(`SELECT * FROM recordings WHERE call_id IN (${callIds.map(() => '?').join(', ')}) ORDER BY started_at`, [...callIds]);
    for (const row of rows) {
      const list = byCall.get(row.call_id) ?? [];
      list.push(toRecording(row));
      byCall.set(row.call_id, list);
    }
    return byCall;
  }

  /** Did this agent work the recording's call (connected at any point)? */
  async agentWasOn(id: string, agent: string): Promise<boolean> {
    const row = await this.#db.get<{ n: number }>(
      "SELECT COUNT(*) AS n FROM recordings WHERE id = ? AND (agent = ? OR id IN (SELECT recording_id FROM recording_markers WHERE kind = 'agent' AND detail = ?))",
      [id, agent, agent],
    );
    return (row?.n ?? 0) > 0;
  }

  async addMarker(recordingId: string, m: Marker): Promise<void> {
    await this.#db.run('INSERT INTO recording_markers (recording_id, at_ms, kind, by, reason, detail) VALUES (?, ?, ?, ?, ?, ?)', [
      recordingId, m.atMs, m.kind, m.by, m.reason, m.detail,
    ]);
  }

  async markers(recordingId: string): Promise<Marker[]> {
    // rowid keeps markers written at the same offset in the order they happened.
    return this.#db.all<Marker>(
      'SELECT at_ms AS atMs, kind, by, reason, detail FROM recording_markers WHERE recording_id = ? ORDER BY at_ms, rowid',
      [recordingId],
    );
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.#db.run('INSERT INTO recording_audit (at, user, action, recording_id, customer_id, detail) VALUES (?, ?, ?, ?, ?, ?)', [
      e.at, e.user, e.action, e.recordingId, e.customerId, e.detail,
    ]);
  }

  async auditOf(recordingId: string): Promise<AuditEntry[]> {
    return this.#db.all<AuditEntry>(
      'SELECT at, user, action, recording_id AS recordingId, customer_id AS customerId, detail FROM recording_audit WHERE recording_id = ? ORDER BY at, rowid',
      [recordingId],
    );
  }

  /** Recordings a stop left unfinished (the process ended mid-call): marked failed at start. */
  async failUnfinished(): Promise<number> {
    const result = await this.#db.run("UPDATE recordings SET state = 'failed' WHERE state IN ('recording', 'paused')");
    return result.changes;
  }
}
