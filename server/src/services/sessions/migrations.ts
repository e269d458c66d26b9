// The web sessions table (ids 0500–0509 are the access component's). Only a
// SHA-256 of the session id is stored: a copy of the database does not let
// anyone take over a session. Times are epoch milliseconds.

import type { Migration } from '../../store/database.js';

export const sessionMigrations: readonly Migration[] = [
  {
    id: '0500-web-sessions',
    up: `
      CREATE TABLE web_sessions (
        id_hash TEXT PRIMARY KEY,
        username TEXT NOT NULL,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL,
        user_agent TEXT,
        address TEXT
      );
      CREATE INDEX web_sessions_username ON web_sessions (username);
    `,
  },
];
