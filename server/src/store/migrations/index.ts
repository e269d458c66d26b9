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
  {
    // SIP digest needs H(user:realm:password), which scrypt hashes cannot give:
    // keep one per digest algorithm, set whenever the password is.
    id: '0002-users-sip-digest',
    up: `
      ALTER TABLE users ADD COLUMN sip_realm TEXT;
      ALTER TABLE users ADD COLUMN sip_ha1_md5 TEXT;
      ALTER TABLE users ADD COLUMN sip_ha1_sha256 TEXT;
    `,
  },
  {
    // Business objects keep phone lists as JSON; this index finds a record by any of its numbers.
    id: '0003-phone-index',
    up: `
      CREATE TABLE bo_phone_index (
        entity TEXT NOT NULL,
        record_id INTEGER NOT NULL,
        phone TEXT NOT NULL,
        PRIMARY KEY (entity, record_id, phone)
      );
      CREATE INDEX bo_phone_index_phone ON bo_phone_index (phone);
    `,
  },
  {
    // A dialogue-script run kept on the server (agent screen, web self-service):
    // its snapshot is saved after every answer, so a restart resumes it.
    id: '0004-script-sessions',
    up: `
      CREATE TABLE script_sessions (
        id TEXT PRIMARY KEY,
        script_id TEXT NOT NULL,
        script_version TEXT NOT NULL,
        channel TEXT NOT NULL,
        customer_id INTEGER,
        call_id TEXT,
        agent TEXT,
        status TEXT NOT NULL CHECK (status IN ('active', 'done')),
        outcome TEXT,
        disposition TEXT,
        interaction_id INTEGER,
        snapshot TEXT NOT NULL,
        action_log TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX script_sessions_customer ON script_sessions (customer_id);
    `,
  },
  {
    // Finding a record by number (every inbound call, every imported row) filters on
    // entity and phone together; without this index SQLite scanned all records of the
    // entity through the primary key (1.5 ms at 20k customers, 0.03 ms with it).
    id: '0005-phone-index-lookup',
    up: `CREATE INDEX bo_phone_index_lookup ON bo_phone_index (entity, phone, record_id);`,
  },
];
