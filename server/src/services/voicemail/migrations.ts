// Voicemail's tables (ids 0200–0219). Times are epoch milliseconds.
// Messages are keyed by their own id and indexed by call id: the call record
// API looks up "voicemail left on this call" there, so the ACD's tables stay
// untouched. Box settings hold what the REST API changes (an uploaded
// greeting); the rest of a box comes from the site file and the ACD.

import type { Migration } from '../../store/database.js';

export const voicemailMigrations: readonly Migration[] = [
  {
    id: '0200-voicemail-messages',
    up: `
      CREATE TABLE voicemail_messages (
        id TEXT PRIMARY KEY,
        box TEXT NOT NULL,
        call_id TEXT NOT NULL,
        caller_number TEXT NOT NULL,
        customer_id TEXT,
        duration_ms INTEGER NOT NULL,
        received_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('new', 'heard', 'handled')),
        heard_at INTEGER,
        handled_at INTEGER,
        handled_by TEXT,
        file TEXT NOT NULL,
        notified_at INTEGER,
        notify_attempts INTEGER NOT NULL DEFAULT 0,
        notify_error TEXT,
        callback_entry_id TEXT
      );
      CREATE INDEX voicemail_messages_box ON voicemail_messages (box, status, received_at);
      CREATE INDEX voicemail_messages_call ON voicemail_messages (call_id);
      CREATE INDEX voicemail_messages_received ON voicemail_messages (received_at);
    `,
  },
  {
    id: '0201-voicemail-box-settings',
    up: `
      CREATE TABLE voicemail_box_settings (
        box TEXT PRIMARY KEY,
        greeting TEXT,
        updated_at INTEGER NOT NULL
      );
    `,
  },
];
