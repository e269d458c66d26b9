// Trunk rows: the site file's trunk fields (without the name) as JSON, and
// where the row came from. The password is kept sealed (core/sealed-box.ts) as
// `sealedPassword`: Tenor must send it to the carrier, so it cannot be hashed,
// but a copy of the database alone does not reveal it. Rows written before
// sealing existed have a clear `password`; the trunks service seals them at start.

import type { SqlExecutor } from '../../store/database.js';
import type { TrunkConfig } from '../../config/schema.js';
import type { SealedBox } from '../../core/sealed-box.js';

export type Origin = 'config' | 'api';

export interface StoredTrunk {
  trunk: TrunkConfig;
  origin: Origin;
}

/** The definition column: the trunk's fields, the password sealed. */
type Definition = Omit<TrunkConfig, 'name'> & { sealedPassword?: string };

interface Row {
  name: string;
  definition: string;
  origin: Origin;
}

export class TrunksRepository {
  constructor(
    private readonly db: SqlExecutor,
    private readonly box: SealedBox,
  ) {}

  /** The trunks with their passwords opened; `resealed` names rows to save again (clear password, or an older key). */
  async list(): Promise<{ trunks: StoredTrunk[]; resealed: string[] }> {
    const rows = await this.db.all<Row>('SELECT name, definition, origin FROM trunks ORDER BY name');
    const resealed: string[] = [];
    const trunks = rows.map((r) => {
      const { sealedPassword, ...fields } = JSON.parse(r.definition) as Definition;
      if (fields.password !== undefined || (sealedPassword !== undefined && this.box.isStale(sealedPassword))) resealed.push(r.name);
      const password = sealedPassword !== undefined ? { password: this.box.open(sealedPassword) } : {};
      return { trunk: { ...fields, ...password, name: r.name }, origin: r.origin };
    });
    return { trunks, resealed };
  }

  async save(stored: StoredTrunk): Promise<void> {
    const { name, password, ...fields } = stored.trunk;
    const definition: Definition = { ...fields, ...(password !== undefined ? { sealedPassword: this.box.seal(password) } : {}) };
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
