// The ACD's tables. Appended to the server's migration list by the lead
// (ids from 0100 keep them apart from the foundation's). Times are epoch
// milliseconds (INTEGER): durations are computed in SQL the same way on
// SQLite and PostgreSQL. The state log and queue events are append-only:
// reports and the live monitor read them, nothing updates them.

import type { Migration } from '../../store/database.js';

export const acdMigrations: readonly Migration[] = [
  {
    id: '0100-acd-queues-agents',
    up: `
      CREATE TABLE acd_queues (
        name TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE acd_agents (
        login TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        device TEXT NOT NULL,
        skills TEXT NOT NULL,
        queues TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        state TEXT NOT NULL,
        state_reason TEXT NOT NULL,
        state_since INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    id: '0101-acd-logs',
    up: `
      CREATE TABLE acd_agent_state_log (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        reason TEXT NOT NULL,
        call_id TEXT,
        at INTEGER NOT NULL
      );
      CREATE INDEX acd_agent_state_log_login_at ON acd_agent_state_log (login, at);
      CREATE INDEX acd_agent_state_log_at ON acd_agent_state_log (at);
      CREATE TABLE acd_queue_events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        queue TEXT NOT NULL,
        type TEXT NOT NULL,
        call_id TEXT,
        entry_id TEXT,
        agent TEXT,
        detail TEXT
      );
      CREATE INDEX acd_queue_events_queue_at ON acd_queue_events (queue, at);
    `,
  },
  {
    id: '0102-acd-call-records',
    up: `
      CREATE TABLE acd_call_records (
        id TEXT PRIMARY KEY,
        direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
        from_number TEXT NOT NULL,
        to_number TEXT NOT NULL,
        customer_id TEXT,
        arrived_at INTEGER NOT NULL,
        queued_at INTEGER,
        offered_at INTEGER,
        answered_at INTEGER,
        ended_at INTEGER,
        queue TEXT,
        agent TEXT,
        outcome TEXT,
        end_cause TEXT,
        wait_ms INTEGER,
        talk_ms INTEGER,
        hold_ms INTEGER,
        wrap_up_ms INTEGER,
        live INTEGER NOT NULL
      );
      CREATE INDEX acd_call_records_arrived ON acd_call_records (arrived_at);
      CREATE INDEX acd_call_records_live ON acd_call_records (live);
      CREATE TABLE acd_call_segments (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL REFERENCES acd_call_records (id),
        seq INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('ivr', 'queue', 'agent', 'transfer', 'callback')),
        queue TEXT,
        agent TEXT,
        started_at INTEGER NOT NULL,
        offered_at INTEGER,
        answered_at INTEGER,
        ended_at INTEGER,
        outcome TEXT,
        detail TEXT,
        UNIQUE (record_id, seq)
      );
    `,
  },
  {
    // Callback requests waiting for an agent: kept so a restart does not lose a customer's place in line.
    id: '0103-acd-callback-requests',
    up: `
      CREATE TABLE acd_callback_requests (
        entry_id TEXT PRIMARY KEY,
        queue TEXT NOT NULL,
        number TEXT NOT NULL,
        trunk TEXT,
        priority INTEGER NOT NULL,
        entered_at INTEGER NOT NULL,
        required_skills TEXT NOT NULL,
        call_id TEXT NOT NULL,
        customer_id TEXT,
        customer_name TEXT,
        segment TEXT,
        attempts INTEGER NOT NULL
      );
    `,
  },
  {
    // A break or logout a supervisor forced during a call, kept so a crash or restart
    // before the call's work ends does not lose it (reconcile.ts takes it instead of ready).
    id: '0104-acd-agent-pending-state',
    up: `
      ALTER TABLE acd_agents ADD COLUMN pending_state TEXT CHECK (pending_state IN ('break', 'logged-out'));
      ALTER TABLE acd_agents ADD COLUMN pending_reason TEXT;
    `,
  },
  {
    // Callbacks scheduled for an agent at a time (a script's schedule-callback, the agent's own):
    // their list on the desktop, in due order, called from there; closed with a reason.
    id: '0105-acd-scheduled-callbacks',
    up: `
      CREATE TABLE acd_scheduled_callbacks (
        id TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        number TEXT NOT NULL,
        customer_id TEXT,
        due_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        note TEXT,
        status TEXT NOT NULL CHECK (status IN ('open', 'done', 'closed')),
        close_reason TEXT,
        attempts INTEGER NOT NULL,
        last_record TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE INDEX acd_scheduled_callbacks_agent ON acd_scheduled_callbacks (agent, status, due_at);
    `,
  },
];
