// The campaigns' tables (ids 0400–0419). Times are epoch milliseconds.
// An attempt row is written with status 'dialing' *before* its INVITE leaves,
// so after a crash we know every number that may have been called.

import type { Migration } from '../../store/database.js';

export const campaignMigrations: readonly Migration[] = [
  {
    id: '0400-campaign-lists',
    up: `
      CREATE TABLE campaign_lists (
        name TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE campaign_list_entries (
        list TEXT NOT NULL REFERENCES campaign_lists(name) ON DELETE CASCADE,
        phone TEXT NOT NULL,
        customer_id INTEGER,
        name TEXT,
        time_zone TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (list, phone)
      );
      CREATE TABLE campaign_dnc (
        phone TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        reason TEXT,
        added_at INTEGER NOT NULL
      );
    `,
  },
  {
    id: '0401-campaigns',
    up: `
      CREATE TABLE campaigns (
        name TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('stopped', 'running', 'paused')),
        conservative INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE campaign_records (
        campaign TEXT NOT NULL REFERENCES campaigns(name) ON DELETE CASCADE,
        phone TEXT NOT NULL,
        customer_id INTEGER,
        name TEXT,
        time_zone TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'in-progress', 'done', 'callback')),
        next_due_at INTEGER NOT NULL DEFAULT 0,
        last_outcome TEXT,
        callback_at INTEGER,
        callback_agent TEXT,
        preview_agent TEXT,
        PRIMARY KEY (campaign, phone)
      );
      CREATE INDEX campaign_records_due ON campaign_records (campaign, state, next_due_at);
      CREATE TABLE campaign_attempts (
        id TEXT PRIMARY KEY,
        campaign TEXT NOT NULL,
        phone TEXT NOT NULL,
        customer_id INTEGER,
        attempt INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('dialing', 'ended')),
        outcome TEXT,
        amd TEXT,
        agent TEXT,
        disposition TEXT,
        call_id TEXT,
        identification_played INTEGER NOT NULL DEFAULT 0,
        started_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER,
        duration_ms INTEGER,
        talk_ms INTEGER
      );
      CREATE INDEX campaign_attempts_by_campaign ON campaign_attempts (campaign, started_at);
      CREATE INDEX campaign_attempts_by_phone ON campaign_attempts (phone, outcome, started_at);
    `,
  },
];
