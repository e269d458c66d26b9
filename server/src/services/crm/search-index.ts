// The word index behind customer search: an SQLite FTS5 table over the
// customers' names and e-mail addresses, kept in step with the customers table
// by triggers, so every write path (the API, imports, the ingress creating a
// prospect) is indexed without knowing of it. The unicode61 tokenizer with
// remove_diacritics folds case and accents: "muller" finds "Müller".
//
// Only for a Customer table in Tenor's own store: an external database is
// never changed (docs/business-objects.md), so there search scans instead.

import type { Database } from '../../store/database.js';
import type { EntityDef } from './model.js';

/** The attributes the word index covers: the name and every e-mail list. */
export function searchableAttributes(entity: EntityDef): { name: string; column: string }[] {
  return entity.attributes
    .filter((a) => (a.name === 'name' && a.type === 'string') || (a.type === 'string-list' && /e-?mail/i.test(a.name)))
    .map((a) => ({ name: a.name, column: a.column }));
}

export function searchTableOf(entity: EntityDef): string {
  return `${entity.table}_search`;
}

/**
 * Create the index and its triggers when missing, and fill it from the
 * table's rows the first time. Returns false when this SQLite has no FTS5
 * (search then falls back to scanning).
 */
export async function ensureSearchIndex(db: Database, entity: EntityDef): Promise<boolean> {
  const columns = searchableAttributes(entity);
  if (columns.length === 0) return false;
  const fts = searchTableOf(entity);
  const table = entity.table;
  const key = entity.key;
  const cols = columns.map((c) => `"${c.column}"`).join(', ');
  const newValues = columns.map((c) => `new."${c.column}"`).join(', ');
  const oldValues = columns.map((c) => `old."${c.column}"`).join(', ');
  const existed = (await db.tableColumns(fts)) !== undefined;
  try {
    await db.run(
      `CREATE VIRTUAL TABLE IF NOT EXISTS "${fts}" USING fts5(${cols}, content='${table}', content_rowid='${key}', tokenize='unicode61 remove_diacritics 2')`,
    );
  } catch {
    return false;
  }
  await db.run(`CREATE TRIGGER IF NOT EXISTS "${fts}_ai" AFTER INSERT ON "${table}" BEGIN
    INSERT INTO "${fts}"(rowid, ${cols}) VALUES (new."${key}", ${newValues}); END`);
  await db.run(`CREATE TRIGGER IF NOT EXISTS "${fts}_ad" AFTER DELETE ON "${table}" BEGIN
    INSERT INTO "${fts}"("${fts}", rowid, ${cols}) VALUES ('delete', old."${key}", ${oldValues}); END`);
  await db.run(`CREATE TRIGGER IF NOT EXISTS "${fts}_au" AFTER UPDATE ON "${table}" BEGIN
    INSERT INTO "${fts}"("${fts}", rowid, ${cols}) VALUES ('delete', old."${key}", ${oldValues});
    INSERT INTO "${fts}"(rowid, ${cols}) VALUES (new."${key}", ${newValues}); END`);
  // Customers written before the index existed (an upgraded install) are indexed once.
  if (!existed) await db.run(`INSERT INTO "${fts}"("${fts}") VALUES ('rebuild')`);
  return true;
}

/**
 * The FTS5 query for what an agent typed: each word a prefix, all words
 * required. Words are letters and digits only and each is quoted, so nothing
 * typed is read as FTS syntax (operators, columns, quotes, `*`).
 */
export function wordQuery(text: string): string | undefined {
  const words = text.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return undefined;
  return words.slice(0, 8).map((w) => `"${w}"*`).join(' ');
}
