// Calling lists: named sets of numbers, each with its customer and time zone.

import type { Database, SqlExecutor } from '../../../store/database.js';

export interface ListEntry {
  list: string;
  phone: string;
  customerId: number | undefined;
  name: string | undefined;
  timeZone: string;
}

interface Row {
  list: string;
  phone: string;
  customer_id: number | null;
  name: string | null;
  time_zone: string;
}

const fromRow = (r: Row): ListEntry => ({ list: r.list, phone: r.phone, customerId: r.customer_id ?? undefined, name: r.name ?? undefined, timeZone: r.time_zone });

export class ListsRepository {
  constructor(private readonly db: Database) {}

  async ensure(name: string, now: number): Promise<void> {
    await this.db.run('INSERT INTO campaign_lists (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING', [name, now]);
  }

  async names(): Promise<{ name: string; entries: number }[]> {
    return this.db.all<{ name: string; entries: number }>(
      'SELECT l.name AS name, (SELECT COUNT(*) FROM campaign_list_entries e WHERE e.list = l.name) AS entries FROM campaign_lists l ORDER BY l.name',
    );
  }

  async has(list: string, phone: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS x FROM campaign_list_entries WHERE list = ? AND phone = ?', [list, phone])) !== undefined;
  }

  /** Insert or refresh entries in one transaction (an import batch). */
  async upsert(entries: readonly ListEntry[], now: number): Promise<void> {
    await this.db.transaction(async (tx: SqlExecutor) => {
      for (const e of entries) {
        await tx.run(
          `INSERT INTO campaign_list_entries (list, phone, customer_id, name, time_zone, created_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (list, phone) DO UPDATE SET customer_id = excluded.customer_id, name = excluded.name, time_zone = excluded.time_zone`,
          [e.list, e.phone, e.customerId ?? null, e.name ?? null, e.timeZone, now],
        );
      }
    });
  }

  async entries(list: string): Promise<ListEntry[]> {
    return (await this.db.all<Row>('SELECT * FROM campaign_list_entries WHERE list = ? ORDER BY rowid', [list])).map(fromRow);
  }
}
