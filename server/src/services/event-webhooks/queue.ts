// The delivery queue in SQLite (webhook_deliveries): pending rows are sent by
// the worker when due; rows that used up their attempts are 'dead' (the
// dead-letter list). Bodies are stored as sent, so every retry of a delivery
// carries the same bytes and the same id.

import type { Database } from '../../store/database.js';

export interface QueuedDelivery {
  id: string;
  subscriptionId: string;
  type: string;
  body: string;
  attempts: number;
}

export interface DeadLetter extends QueuedDelivery {
  lastError: string;
  createdAt: string;
  failedAt: string;
}

interface Row {
  id: string;
  subscription_id: string;
  event_type: string;
  body: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const queued = (r: Row): QueuedDelivery => ({ id: r.id, subscriptionId: r.subscription_id, type: r.event_type, body: r.body, attempts: r.attempts });

export class DeliveryQueue {
  constructor(private readonly db: Database) {}

  /** Queue one delivery per subscription of an event, in one transaction (one write to disk however many subscribers). */
  async add(deliveries: readonly { id: string; subscriptionId: string; type: string; body: string }[], now: number): Promise<void> {
    const at = new Date(now).toISOString();
    await this.db.transaction(async (tx) => {
      for (const d of deliveries) {
        await tx.run(
          `INSERT INTO webhook_deliveries (id, subscription_id, event_type, body, status, attempts, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?)`,
          [d.id, d.subscriptionId, d.type, d.body, now, at, at],
        );
      }
    });
  }

  /** Pending deliveries due at `now`, oldest due first, leaving out those in `busy` and those of the subscriptions in `full`. */
  async due(now: number, limit: number, busy: ReadonlySet<string>, full: ReadonlySet<string>): Promise<QueuedDelivery[]> {
    const skip = [...full];
    const rows = await this.db.all<Row>(
      `SELECT id, subscription_id, event_type, body, attempts FROM webhook_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ?${skip.length > 0 ? ` AND subscription_id NOT IN (${skip.map(() => '?').join(', ')})` : ''}
       ORDER BY next_attempt_at, created_at LIMIT ?`,
      [now, ...skip, limit + busy.size],
    );
    return rows.filter((r) => !busy.has(r.id)).slice(0, limit).map(queued);
  }

  /** When the next pending delivery is due (epoch ms), if any. */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db.get<{ at: number | null }>(`SELECT MIN(next_attempt_at) AS at FROM webhook_deliveries WHERE status = 'pending'`);
    return row?.at ?? undefined;
  }

  async pendingCount(): Promise<number> {
    return (await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM webhook_deliveries WHERE status = 'pending'`))?.n ?? 0;
  }

  async delivered(id: string): Promise<void> {
    await this.db.run('DELETE FROM webhook_deliveries WHERE id = ?', [id]);
  }

  async retryLater(id: string, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.db.run(`UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      [attempts, nextAt, error, new Date().toISOString(), id]);
  }

  async deadLetter(id: string, attempts: number, error: string): Promise<void> {
    await this.db.run(`UPDATE webhook_deliveries SET status = 'dead', attempts = ?, last_error = ?, updated_at = ? WHERE id = ?`,
      [attempts, error, new Date().toISOString(), id]);
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const rows = await this.db.all<Row>(
      `SELECT id, subscription_id, event_type, body, attempts, last_error, created_at, updated_at FROM webhook_deliveries
       WHERE status = 'dead' ORDER BY updated_at DESC LIMIT 500`,
    );
    return rows.map((r) => ({ ...queued(r), lastError: r.last_error ?? '', createdAt: r.created_at, failedAt: r.updated_at }));
  }

  /** A dead letter back to pending with fresh attempts, due now; false when there is no such dead letter. */
  async revive(id: string, now: number): Promise<boolean> {
    const r = await this.db.run(`UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND status = 'dead'`,
      [now, new Date(now).toISOString(), id]);
    return r.changes > 0;
  }

  /** Drop a dead letter; false when there is none with this id. */
  async discard(id: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM webhook_deliveries WHERE id = ? AND status = 'dead'`, [id])).changes > 0;
  }

  /** Drop every delivery of a subscription that is gone. */
  async dropSubscription(subscriptionId: string): Promise<void> {
    await this.db.run('DELETE FROM webhook_deliveries WHERE subscription_id = ?', [subscriptionId]);
  }
}
