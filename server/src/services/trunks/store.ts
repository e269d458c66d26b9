// Trunk rows: the site file's trunk fields (without the name) as JSON, and
// where the row came from.

import type { SqlExecutor } from '../../store/database.js';
import type { TrunkConfig } from '../../config/schema.js';

export type Origin = 'config' | 'api';

export interface StoredTrunk {
  trunk: TrunkConfig;
  origin: Origin;
}

interface Row {
  name: string;
  definition: string;
  origin: Origin;
}

export class TrunksRepository {
  constructor(private readonly db: SqlExecutor) {}

  async list(): Promise<StoredTrunk[]> {
    const rows = await this.db.all<Row>('SELECT name, definition, origin FROM trunks ORDER BY name');
    return rows.map((r) => ({ trunk: { ...(JSON.parse(r.definition) as Omit<TrunkConfig, 'name'>), name: r.name }, origin: r.origin }));
  }

  async save(stored: StoredTrunk): Promise<void> {
    const { name, ...definition } = stored.trunk;
    await this.db.run(
      `INSERT INTO trunks (name, definition, origin, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, origin = excluded.origin, updated_at = excluded.updated_at`,
      [name, JSON.stringify(definition), stored.origin, new Date().toISOString()],
    );
  }

  async delete(name: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM trunks WHERE name = ?', [name])).changes > 0;
  }
}
