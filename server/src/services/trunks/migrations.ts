// The trunks' table (ids 0600–0609). One row per trunk in use: those of the
// site file (origin 'config', refreshed from the file at every start) and those
// created or edited through the admin API (origin 'api', kept across restarts).
// The definition is the site file's trunk fields as JSON, the password sealed
// (store.ts): Tenor must answer the carrier's digest challenge, so it cannot keep a hash.

import type { Migration } from '../../store/database.js';

export const trunkMigrations: readonly Migration[] = [
  {
    id: '0600-trunks',
    up: `
      CREATE TABLE trunks (
        name TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        updated_at TEXT NOT NULL
      );
    `,
  },
];
