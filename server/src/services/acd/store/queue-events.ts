// Queue events: what happened to contacts in a queue (queued, offered,
// answered, abandoned, exited, overflowed, callback requested...), append-only.

import type { SqlExecutor } from '../../../store/database.js';

export type QueueEventType =
  | 'queued' | 'offered' | 'offer-missed' | 'answered' | 'abandoned' | 'exited' | 'overflowed'
  | 'callback-requested' | 'callback-attempted' | 'callback-failed';

export interface QueueEvent {
  at: number;
  queue: string;
  type: QueueEventType;
  callId: string | undefined;
  entryId: string | undefined;
  agent: string | undefined;
  detail: Record<string, unknown> | undefined;
}

interface EventRow {
  at: number;
  queue: string;
  type: QueueEventType;
  call_id: string | null;
  entry_id: string | null;
  agent: string | null;
  detail: string | null;
}

export class QueueEventLog {
  constructor(private readonly db: SqlExecutor) {}

  async append(event: QueueEvent): Promise<void> {
    await this.db.run('INSERT INTO acd_queue_events (at, queue, type, call_id, entry_id, agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      event.at, event.queue, event.type, event.callId ?? null, event.entryId ?? null, event.agent ?? null,
      event.detail === undefined ? null : JSON.stringify(event.detail),
    ]);
  }

  async list(filter: { queue?: string; callId?: string; from?: number; limit?: number } = {}): Promise<QueueEvent[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.queue !== undefined) (where.push('queue = ?'), params.push(filter.queue));
    if (filter.callId !== undefined) (where.push('call_id = ?'), params.push(filter.callId));
    if (filter.from !== undefined) (where.push('at >= ?'), params.push(filter.from));
    params.push(filter.limit ?? 1000);
    const rows = await this.db.all<EventRow>(
      `SELECT at, queue, type, call_id, entry_id, agent, detail FROM acd_queue_events
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id LIMIT ?`,
      params,
    );
    return rows.map((r) => ({
      at: r.at, queue: r.queue, type: r.type, callId: r.call_id ?? undefined, entryId: r.entry_id ?? undefined, agent: r.agent ?? undefined,
      detail: r.detail === null ? undefined : (JSON.parse(r.detail) as Record<string, unknown>),
    }));
  }
}
