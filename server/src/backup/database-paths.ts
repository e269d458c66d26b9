// Some services store absolute paths of files in the data folder (voicemail
// messages, uploaded greetings). A backup restored into another folder moves
// those paths with it: every text value in the database that starts with the
// old folder's path and a separator gets the new folder's path instead. Values
// that merely mention the old path elsewhere are left alone.

import type BetterSqlite3 from 'better-sqlite3';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Rewrites the paths in an open database; returns how many values changed. */
export function moveDataFolderPaths(db: BetterSqlite3.Database, from: string, to: string): number {
  if (from === to) return 0;
  const prefix = from.endsWith('/') ? from : `${from}/`;
  const target = to.endsWith('/') ? to : `${to}/`;
  // Ordinary tables only: a virtual table (a full-text index) and its shadow
  // tables are SQLite's to keep, and writing a shadow table is refused.
  const tables = (db.pragma('table_list') as { schema: string; name: string; type: string }[])
    .filter((t) => t.schema === 'main' && t.type === 'table' && !t.name.startsWith('sqlite_'));
  let changed = 0;
  db.transaction(() => {
    for (const { name } of tables) {
      if (!IDENTIFIER.test(name)) continue;
      const columns = db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[];
      for (const column of columns) {
        if (!IDENTIFIER.test(column.name)) continue;
        const c = `"${column.name}"`;
        const result = db
          .prepare(`UPDATE "${name}" SET ${c} = ? || substr(${c}, ?) WHERE typeof(${c}) = 'text' AND substr(${c}, 1, ?) = ?`)
          .run(target, prefix.length + 1, prefix.length, prefix);
        changed += result.changes;
      }
    }
  })();
  return changed;
}
