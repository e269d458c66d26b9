// The scripts service's own tables for proving who a self-service visitor is
// (ids 0710–0719). Times are unix milliseconds.

import type { Migration } from '../../store/database.js';

export const scriptMigrations: readonly Migration[] = [
  {
    // The link signing key's generation (a rotation bumps it, so every link made
    // before stops working) and the links withdrawn one by one.
    id: '0710-script-link-keys-and-revocations',
    up: `
      CREATE TABLE script_link_key (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        generation INTEGER NOT NULL,
        rotated_at INTEGER NOT NULL,
        rotated_by TEXT
      );
      CREATE TABLE script_link_revocations (
        link_id TEXT PRIMARY KEY,
        revoked_at INTEGER NOT NULL,
        revoked_by TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
    `,
  },
  {
    // One-time codes sent to the contact on record. The code is kept only as an
    // HMAC; a challenge exists whether or not the number is a customer's, so the
    // answer to "send me a code" never tells.
    id: '0711-self-service-codes',
    up: `
      CREATE TABLE self_service_codes (
        id TEXT PRIMARY KEY,
        script_id TEXT NOT NULL,
        customer_id INTEGER,
        code_mac TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        used_at INTEGER
      );
      CREATE INDEX self_service_codes_customer ON self_service_codes (customer_id, created_at);
    `,
  },
];
