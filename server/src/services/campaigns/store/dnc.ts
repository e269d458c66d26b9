// The do-not-call list: numbers Tenor never dials, whatever campaign asks.
// Internal entries (a customer asked an agent) and imported ones (a national
// register) live in one table; the dialer reads it right before each INVITE.

import type { Database, SqlExecutor } from '../../../store/database.js';

export interface DncEntry {
  phone: string;
  source: string;
  reason: string | undefined;
  addedAt: number;
}

export class DncRepository {
  constructor(private readonly db: Database) {}

  async add(entries: readonly { phone: string; source: string; reason?: string }[], now: number): Promise<number> {
    let added = 0;
    await this.db.transaction(async (tx: SqlExecutor) => {
      for (const e of entries) {
        const r = await tx.run('INSERT INTO campaign_dnc (phone, source, reason, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (phone) DO NOTHING', [e.phone, e.source, e.reason ?? null, now]);
        added += r.changes;
      }
    });
    return added;
  }

  async remove(phone: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM campaign_dnc WHERE phone = ?', [phone])).changes > 0;
  }

  async blocked(phone: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM campaign_dnc WHERE phone = ?', [phone])) !== undefined;
  }

  async list(): Promise<DncEntry[]> {
    const rows = await this.db.all<{ phone: string; source: string; reason: string | null; added_at: number }>('SELECT * FROM campaign_dnc ORDER BY phone');
    return rows.map((r) => ({ phone: r.phone, source: r.source, reason: r.reason ?? undefined, addedAt: r.added_at }));
  }
}
