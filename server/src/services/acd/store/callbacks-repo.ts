// Callback requests that still wait for an agent (or for their next attempt).
// A row lives from the request until the customer is reached or the last
// attempt fails, so a restart puts every one back at its place in line.

import type { SqlExecutor } from '../../../store/database.js';
import type { SkillLevels, WaitingEntry } from '../model.js';

export interface StoredCallback {
  entry: WaitingEntry;
  trunk: string | undefined;
  attempts: number;
}

interface CallbackRow {
  entry_id: string;
  queue: string;
  number: string;
  trunk: string | null;
  priority: number;
  entered_at: number;
  required_skills: string;
  call_id: string;
  customer_id: string | null;
  customer_name: string | null;
  segment: string | null;
  attempts: number;
}

export class CallbacksRepository {
  constructor(private readonly db: SqlExecutor) {}

  async save(entry: WaitingEntry, trunk: string | undefined, attempts: number): Promise<void> {
    await this.db.run(
      `INSERT INTO acd_callback_requests (entry_id, queue, number, trunk, priority, entered_at, required_skills, call_id, customer_id, customer_name, segment, attempts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (entry_id) DO UPDATE SET queue = excluded.queue, attempts = excluded.attempts`,
      [entry.id, entry.queue, entry.callerNumber, trunk ?? null, entry.priority, entry.enteredAt, JSON.stringify(entry.requiredSkills), entry.callId,
        entry.customerId ?? null, entry.customerName ?? null, entry.segment ?? null, attempts],
    );
  }

  async delete(entryId: string): Promise<void> {
    await this.db.run('DELETE FROM acd_callback_requests WHERE entry_id = ?', [entryId]);
  }

  /** Oldest first. */
  async list(): Promise<StoredCallback[]> {
    const rows = await this.db.all<CallbackRow>('SELECT * FROM acd_callback_requests ORDER BY entered_at, entry_id');
    return rows.map((r) => ({
      entry: {
        id: r.entry_id, kind: 'callback', queue: r.queue, priority: r.priority, enteredAt: r.entered_at, queueEnteredAt: r.entered_at,
        requiredSkills: JSON.parse(r.required_skills) as SkillLevels, callId: r.call_id, callerNumber: r.number,
        customerId: r.customer_id ?? undefined, customerName: r.customer_name ?? undefined, segment: r.segment ?? undefined,
      },
      trunk: r.trunk ?? undefined,
      attempts: r.attempts,
    }));
  }
}
