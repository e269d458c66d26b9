// The entry numbers' table (ids 0610–0619): the site file's (origin 'config',
// refreshed from the file at every start) and those set through the admin API
// (origin 'api', kept across restarts). Exactly one of flow and queue is set.

import type { Migration } from '../../store/database.js';

export const entryNumberMigrations: readonly Migration[] = [
  {
    id: '0610-entry-numbers',
    up: `
      CREATE TABLE entry_numbers (
        number TEXT PRIMARY KEY,
        flow TEXT,
        queue TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        updated_at TEXT NOT NULL,
        CHECK ((flow IS NULL) <> (queue IS NULL))
      );
    `,
  },
];
