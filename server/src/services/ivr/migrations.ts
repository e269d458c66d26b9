// The IVR's tables (ids 0300–0309). Every saved version of a flow is kept, so
// an admin can see what changed and when; `ivr_flows` says which version is
// live. Times are epoch milliseconds.

import type { Migration } from '../../store/database.js';

export const ivrMigrations: readonly Migration[] = [
  {
    id: '0300-ivr-flow-versions',
    up: `
      CREATE TABLE ivr_flow_versions (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        source TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('file', 'api')),
        file TEXT,
        saved_by TEXT,
        saved_at INTEGER NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE TABLE ivr_flows (
        name TEXT PRIMARY KEY,
        current_version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];
