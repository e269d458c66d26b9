// The schema's history, in order. A released migration is never edited or
// renamed: a change is a new migration appended here.

import type { Migration } from '../database.js';

export const migrations: readonly Migration[] = [
  {
    id: '0001-users',
    up: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
];
