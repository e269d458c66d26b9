// The recordings' tables (ids 0800–0819). Times are ISO strings (the issue's
// seam with retention and erasure, which read them too); offsets in the file
// are milliseconds. A recording is keyed by its own random id and indexed by
// the call record's id, so the ACD's tables stay untouched.

import type { Migration } from '../../store/database.js';

export const recordingMigrations: readonly Migration[] = [
  {
    id: '0800-recordings',
    up: `
      CREATE TABLE recordings (
        id TEXT PRIMARY KEY,
        call_id TEXT NOT NULL,
        queue TEXT, campaign TEXT, agent TEXT, customer_id TEXT,
        started_at TEXT NOT NULL, ended_at TEXT,
        duration_ms INTEGER,
        path TEXT,
        key_id TEXT,
        bytes INTEGER,
        state TEXT NOT NULL,
        retain_until TEXT
      );
      CREATE INDEX recordings_call ON recordings (call_id);
      CREATE INDEX recordings_started ON recordings (started_at);
      CREATE INDEX recordings_customer ON recordings (customer_id);
      CREATE INDEX recordings_retain ON recordings (retain_until);
      CREATE TABLE recording_markers (
        recording_id TEXT NOT NULL REFERENCES recordings(id) ON DELETE CASCADE,
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        by TEXT, reason TEXT, detail TEXT
      );
      CREATE INDEX recording_markers_recording ON recording_markers (recording_id, at_ms);
      CREATE TABLE recording_audit (
        at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
        recording_id TEXT, customer_id TEXT, detail TEXT
      );
      CREATE INDEX recording_audit_recording ON recording_audit (recording_id, at);
    `,
  },
];
