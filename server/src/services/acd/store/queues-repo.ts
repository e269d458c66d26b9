// Queue definitions. Stored whole as JSON so a field added later needs no
// migration: rows are read through queueWithDefaults.

import type { SqlExecutor } from '../../../store/database.js';
import { queueWithDefaults, type QueueDefinition } from '../model.js';

export type Origin = 'config' | 'api';

export interface StoredQueue {
  definition: QueueDefinition;
  origin: Origin;
}

interface QueueRow {
  name: string;
  definition: string;
  origin: Origin;
}

function toStored(row: QueueRow): StoredQueue {
  const fields = JSON.parse(row.definition) as Partial<QueueDefinition>;
  return { definition: queueWithDefaults({ ...fields, name: row.name }), origin: row.origin };
}

export class QueuesRepository {
  constructor(private readonly db: SqlExecutor) {}

  async save(def: QueueDefinition, origin: Origin, now: number): Promise<void> {
    const { name, ...rest } = def;
    await this.db.run(
      `INSERT INTO acd_queues (name, definition, origin, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, origin = excluded.origin, updated_at = excluded.updated_at`,
      [name, JSON.stringify(rest), origin, now, now],
    );
  }

  async get(name: string): Promise<StoredQueue | undefined> {
    const row = await this.db.get<QueueRow>('SELECT name, definition, origin FROM acd_queues WHERE name = ?', [name]);
    return row && toStored(row);
  }

  async list(): Promise<StoredQueue[]> {
    return (await this.db.all<QueueRow>('SELECT name, definition, origin FROM acd_queues ORDER BY name')).map(toStored);
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM acd_queues WHERE name = ?', [name])).changes > 0;
  }
}
