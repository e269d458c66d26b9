// The quality tables (ids 0810–0819). A scorecard's version goes up each time
// its criteria change; an evaluation keeps the criteria it was scored against
// (JSON), so editing or deleting a scorecard never changes a past score.
// Evaluations name the recording and its call by id, without a foreign key:
// retention and erasure never delete recording rows, and an evaluation is
// about the agent, kept when the audio is gone.

import type { Migration } from '../../store/database.js';

export const qualityMigrations: readonly Migration[] = [
  {
    id: '0810-quality',
    up: `
      CREATE TABLE quality_scorecards (
        name TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'api')),
        updated_at TEXT NOT NULL
      );
      CREATE TABLE quality_evaluations (
        id TEXT PRIMARY KEY,
        recording_id TEXT NOT NULL,
        call_id TEXT NOT NULL,
        agent TEXT,
        queue TEXT,
        call_started_at INTEGER NOT NULL,
        scorecard TEXT NOT NULL,
        scorecard_version INTEGER NOT NULL,
        scorecard_title TEXT NOT NULL,
        criteria TEXT NOT NULL,
        answers TEXT NOT NULL,
        score REAL,
        comment TEXT,
        evaluator TEXT NOT NULL,
        evaluated_at TEXT NOT NULL
      );
      CREATE INDEX quality_evaluations_recording ON quality_evaluations (recording_id);
      CREATE INDEX quality_evaluations_agent ON quality_evaluations (agent, call_started_at);
      CREATE INDEX quality_evaluations_started ON quality_evaluations (call_started_at);
    `,
  },
];
