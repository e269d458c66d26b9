// The call record: one per call, with its segments (IVR, queue, agent,
// transfer, callback attempt). Opened when the call arrives, updated as it
// moves, closed when it ends. `live = 1` marks records still open, so that a
// restart can close what the crash left open (cause "server-restart").

import type { SqlExecutor, SqlValue } from '../../../store/database.js';

export type CallOutcome = 'answered' | 'abandoned' | 'voicemail' | 'callback' | 'overflow' | 'transferred' | 'exited' | 'failed';
export type SegmentKind = 'ivr' | 'queue' | 'agent' | 'transfer' | 'callback';

export interface CallSegment {
  seq: number;
  kind: SegmentKind;
  queue: string | undefined;
  agent: string | undefined;
  startedAt: number;
  offeredAt: number | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  outcome: string | undefined;
  detail: Record<string, unknown> | undefined;
}

export interface CallRecord {
  id: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  customerId: string | undefined;
  arrivedAt: number;
  queuedAt: number | undefined;
  offeredAt: number | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  queue: string | undefined;
  agent: string | undefined;
  outcome: CallOutcome | undefined;
  endCause: string | undefined;
  waitMs: number | undefined;
  talkMs: number | undefined;
  holdMs: number | undefined;
  wrapUpMs: number | undefined;
  live: boolean;
  segments: CallSegment[];
}

export interface CallRecordFilter {
  /** arrived at or after (epoch ms) */
  from?: number;
  /** arrived before (epoch ms) */
  to?: number;
  queue?: string;
  agent?: string;
  outcome?: CallOutcome;
  customerId?: string;
  live?: boolean;
  limit?: number;
  offset?: number;
}

/** Fields of a record that change while the call lives; undefined leaves a field as it is. */
export interface CallRecordUpdate {
  customerId?: string;
  queuedAt?: number;
  offeredAt?: number;
  answeredAt?: number;
  endedAt?: number;
  queue?: string;
  agent?: string;
  outcome?: CallOutcome;
  endCause?: string;
  waitMs?: number;
  talkMs?: number;
  holdMs?: number;
  wrapUpMs?: number;
  live?: boolean;
}

export interface SegmentUpdate {
  agent?: string;
  offeredAt?: number;
  answeredAt?: number;
  endedAt?: number;
  outcome?: string;
  detail?: Record<string, unknown>;
}

const recordColumns: Record<keyof CallRecordUpdate, string> = {
  customerId: 'customer_id', queuedAt: 'queued_at', offeredAt: 'offered_at', answeredAt: 'answered_at', endedAt: 'ended_at',
  queue: 'queue', agent: 'agent', outcome: 'outcome', endCause: 'end_cause', waitMs: 'wait_ms', talkMs: 'talk_ms',
  holdMs: 'hold_ms', wrapUpMs: 'wrap_up_ms', live: 'live',
};

const segmentColumns: Record<keyof SegmentUpdate, string> = {
  agent: 'agent', offeredAt: 'offered_at', answeredAt: 'answered_at', endedAt: 'ended_at', outcome: 'outcome', detail: 'detail',
};

interface RecordRow {
  id: string;
  direction: 'inbound' | 'outbound';
  from_number: string;
  to_number: string;
  customer_id: string | null;
  arrived_at: number;
  queued_at: number | null;
  offered_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  queue: string | null;
  agent: string | null;
  outcome: CallOutcome | null;
  end_cause: string | null;
  wait_ms: number | null;
  talk_ms: number | null;
  hold_ms: number | null;
  wrap_up_ms: number | null;
  live: number;
}

interface SegmentRow {
  record_id: string;
  seq: number;
  kind: SegmentKind;
  queue: string | null;
  agent: string | null;
  started_at: number;
  offered_at: number | null;
  answered_at: number | null;
  ended_at: number | null;
  outcome: string | null;
  detail: string | null;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function toValue(value: unknown): SqlValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object') return JSON.stringify(value);
  return value as SqlValue;
}

function toSegment(r: SegmentRow): CallSegment {
  return {
    seq: r.seq, kind: r.kind, queue: opt(r.queue), agent: opt(r.agent), startedAt: r.started_at, offeredAt: opt(r.offered_at),
    answeredAt: opt(r.answered_at), endedAt: opt(r.ended_at), outcome: opt(r.outcome),
    detail: r.detail === null ? undefined : (JSON.parse(r.detail) as Record<string, unknown>),
  };
}

function toRecord(r: RecordRow, segments: CallSegment[]): CallRecord {
  return {
    id: r.id, direction: r.direction, from: r.from_number, to: r.to_number, customerId: opt(r.customer_id), arrivedAt: r.arrived_at,
    queuedAt: opt(r.queued_at), offeredAt: opt(r.offered_at), answeredAt: opt(r.answered_at), endedAt: opt(r.ended_at),
    queue: opt(r.queue), agent: opt(r.agent), outcome: opt(r.outcome), endCause: opt(r.end_cause), waitMs: opt(r.wait_ms),
    talkMs: opt(r.talk_ms), holdMs: opt(r.hold_ms), wrapUpMs: opt(r.wrap_up_ms), live: r.live === 1, segments,
  };
}

export class CallRecordsRepository {
  constructor(private readonly db: SqlExecutor) {}

  async open(rec: { id: string; direction: 'inbound' | 'outbound'; from: string; to: string; customerId?: string; arrivedAt: number }): Promise<void> {
    await this.db.run(
      `INSERT INTO acd_call_records (id, direction, from_number, to_number, customer_id, arrived_at, live) VALUES (?, ?, ?, ?, ?, ?, 1)`,
      [rec.id, rec.direction, rec.from, rec.to, rec.customerId ?? null, rec.arrivedAt],
    );
  }

  async update(id: string, fields: CallRecordUpdate): Promise<void> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, column] of Object.entries(recordColumns) as [keyof CallRecordUpdate, string][]) {
      if (fields[key] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(toValue(fields[key]));
    }
    if (sets.length === 0) return;
    await this.db.run(`UPDATE acd_call_records SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  /** Append a segment; returns its number within the record (1, 2, ...). */
  async addSegment(recordId: string, seg: { kind: SegmentKind; queue?: string; agent?: string; startedAt: number; detail?: Record<string, unknown> }): Promise<number> {
    const row = await this.db.get<{ n: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM acd_call_segments WHERE record_id = ?', [recordId]);
    const seq = row?.n ?? 1;
    await this.db.run(
      'INSERT INTO acd_call_segments (record_id, seq, kind, queue, agent, started_at, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [recordId, seq, seg.kind, seg.queue ?? null, seg.agent ?? null, seg.startedAt, toValue(seg.detail)],
    );
    return seq;
  }

  async updateSegment(recordId: string, seq: number, fields: SegmentUpdate): Promise<void> {
    const sets: string[] = [];
    const params: SqlValue[] = [];
    for (const [key, column] of Object.entries(segmentColumns) as [keyof SegmentUpdate, string][]) {
      if (fields[key] === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(toValue(fields[key]));
    }
    if (sets.length === 0) return;
    await this.db.run(`UPDATE acd_call_segments SET ${sets.join(', ')} WHERE record_id = ? AND seq = ?`, [...params, recordId, seq]);
  }

  async get(id: string): Promise<CallRecord | undefined> {
    const row = await this.db.get<RecordRow>('SELECT * FROM acd_call_records WHERE id = ?', [id]);
    if (!row) return undefined;
    const segments = await this.db.all<SegmentRow>('SELECT * FROM acd_call_segments WHERE record_id = ? ORDER BY seq', [id]);
    return toRecord(row, segments.map(toSegment));
  }

  /** Records newest first, with their segments. */
  async list(filter: CallRecordFilter = {}): Promise<CallRecord[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    const add = (sql: string, value: SqlValue): void => {
      where.push(sql);
      params.push(value);
    };
    if (filter.from !== undefined) add('arrived_at >= ?', filter.from);
    if (filter.to !== undefined) add('arrived_at < ?', filter.to);
    if (filter.queue !== undefined) add('queue = ?', filter.queue);
    if (filter.agent !== undefined) add('agent = ?', filter.agent);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.customerId !== undefined) add('customer_id = ?', filter.customerId);
    if (filter.live !== undefined) add('live = ?', filter.live ? 1 : 0);
    const rows = await this.db.all<RecordRow>(
      `SELECT * FROM acd_call_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY arrived_at DESC, id LIMIT ? OFFSET ?`,
      [...params, filter.limit ?? 100, filter.offset ?? 0],
    );
    if (rows.length === 0) return [];
    const placeholders = rows.map(() => '?').join(', ');
    const segRows = await this.db.all<SegmentRow>(
      `SELECT * FROM acd_call_segments WHERE record_id IN (${placeholders}) ORDER BY record_id, seq`,
      rows.map((r) => r.id),
    );
    const byRecord = new Map<string, CallSegment[]>();
    for (const s of segRows) {
      let list = byRecord.get(s.record_id);
      if (!list) byRecord.set(s.record_id, (list = []));
      list.push(toSegment(s));
    }
    return rows.map((r) => toRecord(r, byRecord.get(r.id) ?? []));
  }

  /**
   * Close every record a crash left open: ended now with cause `cause`, open
   * segments ended too. Records in `keepOpen` (callback requests that survive
   * the restart) only have their open segments ended. Returns the ids closed.
   */
  async closeLive(cause: string, at: number, keepOpen: ReadonlySet<string> = new Set()): Promise<string[]> {
    const live = await this.db.all<{ id: string; answered_at: number | null; queued_at: number | null; outcome: CallOutcome | null }>(
      'SELECT id, answered_at, queued_at, outcome FROM acd_call_records WHERE live = 1',
    );
    const closed: string[] = [];
    for (const r of live) {
      await this.db.run('UPDATE acd_call_segments SET ended_at = ?, outcome = COALESCE(outcome, ?) WHERE record_id = ? AND ended_at IS NULL', [at, cause, r.id]);
      if (keepOpen.has(r.id)) continue;
      closed.push(r.id);
      await this.update(r.id, {
        endedAt: at,
        endCause: cause,
        outcome: r.outcome ?? (r.answered_at !== null ? 'answered' : 'failed'),
        ...(r.answered_at !== null ? { talkMs: at - r.answered_at } : {}),
        live: false,
      });
    }
    return closed;
  }
}
