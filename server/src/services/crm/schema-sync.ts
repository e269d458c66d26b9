// Brings the database to the business-object model without losing data:
// missing tables are created, new attributes add columns, `renamedFrom` renames
// a column in place, and columns the model no longer maps are left as they are.
// Tables of an external (legacy) database are never changed, only checked.

import type { Database } from '../../store/database.js';
import { TenorError } from '../../core/errors.js';
import type { AttributeDef, EntityDef } from './model.js';

export interface SyncReport {
  entity: string;
  createdTable: boolean;
  addedColumns: string[];
  renamedColumns: string[];
  /** Columns in the table that no attribute maps (kept, with their data). */
  unmappedColumns: string[];
}

const META_COLUMNS = ['created_at', 'updated_at'];

function columnType(attr: AttributeDef): string {
  switch (attr.type) {
    case 'integer':
    case 'boolean':
    case 'ref':
      return 'INTEGER';
    case 'number':
      return 'DOUBLE PRECISION';
    default:
      return 'TEXT';
  }
}

function columnDefault(attr: AttributeDef): string {
  if (attr.default === undefined) return '';
  if (typeof attr.default === 'boolean') return ` DEFAULT ${attr.default ? 1 : 0}`;
  if (typeof attr.default === 'number') return ` DEFAULT ${attr.default}`;
  return ` DEFAULT '${attr.default.replace(/'/g, "''")}'`;
}

export async function syncEntitySchema(db: Database, entity: EntityDef, mode: 'migrate' | 'check'): Promise<SyncReport> {
  const report: SyncReport = { entity: entity.name, createdTable: false, addedColumns: [], renamedColumns: [], unmappedColumns: [] };
  const existing = await db.tableColumns(entity.table);

  if (mode === 'check') {
    if (!existing) throw new TenorError('TENOR_ERR_MODEL_MIGRATION', [`entity ${entity.name}: table '${entity.table}' does not exist`]);
    const missing = [entity.key, ...entity.attributes.map((a) => a.column)].filter((c) => !existing.includes(c));
    if (missing.length > 0) {
      throw new TenorError('TENOR_ERR_MODEL_MIGRATION', [`entity ${entity.name}: table '${entity.table}' has no column ${missing.join(', ')}`]);
    }
    report.unmappedColumns = existing.filter((c) => c !== entity.key && !entity.attributes.some((a) => a.column === c));
    return report;
  }

  if (!existing) {
    const columns = [
      `"${entity.key}" INTEGER PRIMARY KEY`,
      ...entity.attributes.map((a) => `"${a.column}" ${columnType(a)}${columnDefault(a)}`),
      ...META_COLUMNS.map((c) => `"${c}" TEXT NOT NULL`),
    ];
    await db.run(`CREATE TABLE "${entity.table}" (${columns.join(', ')})`);
    report.createdTable = true;
    return report;
  }

  await db.transaction(async (tx) => {
    const present = new Set(existing);
    for (const attr of entity.attributes) {
      if (present.has(attr.column)) continue;
      const previous = attr.renamedFrom.find((old) => present.has(old));
      if (previous) {
        await tx.run(`ALTER TABLE "${entity.table}" RENAME COLUMN "${previous}" TO "${attr.column}"`);
        present.delete(previous);
        report.renamedColumns.push(`${previous} -> ${attr.column}`);
      } else {
        await tx.run(`ALTER TABLE "${entity.table}" ADD COLUMN "${attr.column}" ${columnType(attr)}${columnDefault(attr)}`);
        report.addedColumns.push(attr.column);
      }
      present.add(attr.column);
    }
    report.unmappedColumns = [...present].filter(
      (c) => c !== entity.key && !META_COLUMNS.includes(c) && !entity.attributes.some((a) => a.column === c),
    );
  });
  return report;
}
