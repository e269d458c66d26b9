// Retention of recordings: once a recording's `retain_until` has passed, its
// audio file is deleted. The row stays (the call record still says a recording
// was made, when and by whom, with its markers) but has no file any more:
// `path` and `key_id` become null and `state` becomes 'erased', so nothing
// offers to play it. Each deletion is written to the recordings' audit log as
// an 'erase' by `system:retention`.
//
// `retain_until` is an ISO time (the recording service fills it when the file
// is stored: start + the queue's retentionDays); a date alone means 00:00 UTC
// of that day. Rows without one are kept. A sweep runs when retention starts
// and then once a day; sweeps never overlap.

import type { Logger } from '../../core/logger.js';
import type { Database } from '../../store/database.js';
import type { Clock, TimerHandle } from '../acd/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const RETENTION_ACTOR = 'system:retention';

/** The vault's part retention needs (structural, so tests and callers pass a RecordingVault). */
export interface RetentionVault {
  remove(path: string): Promise<void>;
}

export interface RetentionOptions {
  db: Database;
  vault: RetentionVault;
  clock: Clock;
  logger: Logger;
}

export interface Retention {
  stop(): void;
  /** Deletes the files of recordings whose `retain_until` is at or before `now`; returns how many. */
  sweep(now?: Date): Promise<number>;
}

interface ExpiredRow {
  id: string;
  path: string;
  customer_id: string | null;
  retain_until: string;
}

/** Starts the daily retention sweep (and runs one now). */
export function startRetention(opts: RetentionOptions): Retention {
  const { db, vault, clock, logger } = opts;
  let stopped = false;
  let timer: TimerHandle | undefined;
  // Sweeps queue behind each other: the daily one and one a caller asks for never delete the same row twice.
  let queue: Promise<unknown> = Promise.resolve();

  async function sweepOnce(now: Date): Promise<number> {
    const cutoff = now.toISOString();
    // A recording still being written is never swept, whatever its date says.
    const expired = await db.all<ExpiredRow>(
      `SELECT id, path, customer_id, retain_until FROM recordings
        WHERE retain_until IS NOT NULL AND retain_until <= ? AND path IS NOT NULL AND state NOT IN ('recording', 'paused')
        ORDER BY retain_until`,
      [cutoff],
    );
    let deleted = 0;
    for (const row of expired) {
      try {
        // The file goes first: if marking the row then fails, the next sweep finds it again (removing a missing file is no error).
        await vault.remove(row.path);
        await db.transaction(async (tx) => {
          await tx.run("UPDATE recordings SET path = NULL, key_id = NULL, state = 'erased' WHERE id = ?", [row.id]);
          await tx.run('INSERT INTO recording_audit (at, user, action, recording_id, customer_id, detail) VALUES (?, ?, ?, ?, ?, ?)', [
            cutoff, RETENTION_ACTOR, 'erase', row.id, row.customer_id, `retention: kept until ${row.retain_until}`,
          ]);
        });
        deleted++;
      } catch (err) {
        logger.error({ err, recordingId: row.id }, 'a recording past its retention could not be deleted; the next sweep tries again');
      }
    }
    if (deleted > 0) logger.info({ deleted, before: cutoff }, 'recordings past their retention deleted');
    return deleted;
  }

  function sweep(now?: Date): Promise<number> {
    const run = queue.then(() => sweepOnce(now ?? new Date(clock.now())));
    queue = run.catch(() => undefined);
    return run;
  }

  function daily(): void {
    if (stopped) return;
    sweep()
      .catch((err: unknown) => logger.error({ err }, 'recording retention sweep failed'))
      .finally(() => {
        if (!stopped) timer = clock.setTimer(DAY_MS, daily);
      });
  }

  daily();
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
    sweep,
  };
}
