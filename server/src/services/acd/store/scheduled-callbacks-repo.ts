// Callbacks scheduled for an agent at a time, until they are done (the
// customer reached) or closed with a reason. The agent's desktop lists the
// open ones in due order.

import type { SqlExecutor } from '../../../store/database.js';

export type ScheduledStatus = 'open' | 'done' | 'closed';

export interface ScheduledCallback {
  id: string;
  agent: string;
  number: string;
  customerId: string | undefined;
  dueAt: number;
  /** Who scheduled it: `agent`, `script <id>`, ... */
  source: string;
  note: string | undefined;
  status: ScheduledStatus;
  closeReason: string | undefined;
  attempts: number;
  /** The call record of the last attempt. */
  lastRecord: string | undefined;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string; agent: string; number: string; customer_id: string | null; due_at: number; source: string; note: string | null;
  status: ScheduledStatus; close_reason: string | null; attempts: number; last_record: string | null; created_at: number; updated_at: number;
}

const fromRow = (r: Row): ScheduledCallback => ({
  id: r.id, agent: r.agent, number: r.number, customerId: r.customer_id ?? undefined, dueAt: r.due_at, source: r.source, note: r.note ?? undefined,
  status: r.status, closeReason: r.close_reason ?? undefined, attempts: r.attempts, lastRecord: r.last_record ?? undefined, createdAt: r.created_at, updatedAt: r.updated_at,
});

export class ScheduledCallbacksRepository {
  constructor(private readonly db: SqlExecutor) {}

  async insert(c: ScheduledCallback): Promise<void> {
    await this.db.run(
      `INSERT INTO acd_scheduled_callbacks (id, agent, number, customer_id, due_at, source, note, status, close_reason, attempts, last_record, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [c.id, c.agent, c.number, c.customerId ?? null, c.dueAt, c.source, c.note ?? null, c.status, c.closeReason ?? null, c.attempts, c.lastRecord ?? null, c.createdAt, c.updatedAt],
    );
  }

  async update(id: string, fields: { dueAt?: number; status?: ScheduledStatus; closeReason?: string; attempts?: number; lastRecord?: string }, at: number): Promise<void> {
    const sets: string[] = ['updated_at = ?'];
    const params: (string | number)[] = [at];
    if (fields.dueAt !== undefined) { sets.push('due_at = ?'); params.push(fields.dueAt); }
    if (fields.status !== undefined) { sets.push('status = ?'); params.push(fields.status); }
    if (fields.closeReason !== undefined) { sets.push('close_reason = ?'); params.push(fields.closeReason); }
    if (fields.attempts !== undefined) { sets.push('attempts = ?'); params.push(fields.attempts); }
    if (fields.lastRecord !== undefined) { sets.push('last_record = ?'); params.push(fields.lastRecord); }
    await this.db.run(`UPDATE acd_scheduled_callbacks SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }

  async get(id: string): Promise<ScheduledCallback | undefined> {
    const row = await this.db.get<Row>('SELECT * FROM acd_scheduled_callbacks WHERE id = ?', [id]);
    return row ? fromRow(row) : undefined;
  }

  /** The agent's open callbacks, soonest due first. */
  async openFor(agent: string): Promise<ScheduledCallback[]> {
    const rows = await this.db.all<Row>("SELECT * FROM acd_scheduled_callbacks WHERE agent = ? AND status = 'open' ORDER BY due_at, created_at", [agent]);
    return rows.map(fromRow);
  }
}
