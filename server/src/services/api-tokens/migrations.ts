// The API tokens' table (ids 0820–0829). Only an HMAC-SHA-256 of each secret
// is stored, under a key kept in the data folder apart from the database
// (token-key.ts): a copy of the database alone neither shows a token nor lets
// anyone test guesses against it. Times are epoch milliseconds.

import type { Migration } from '../../store/database.js';

export const apiTokenMigrations: readonly Migration[] = [
  {
    id: '0820-api-tokens',
    up: `
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
        agent TEXT,
        secret_hash TEXT NOT NULL,
        created_by TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        revoked_at INTEGER,
        last_used_at INTEGER
      );
    `,
  },
];
