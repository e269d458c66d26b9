// `tenor recordings rekey`: after a new key is made current, older recordings
// are encrypted again with it (plain ones for the first time), so an old key
// can leave the key file. Each file is replaced only once its new version is
// complete, and its row is moved to the new file and key before a plain
// original is deleted: the recordings stay playable while this runs beside a
// live server.

import type { Database } from '../../store/database.js';
import type { RecordingVault } from './vault.js';

export interface RekeyReport {
  keyId: string;
  rekeyed: number;
  alreadyCurrent: number;
  failed: { id: string; error: string }[];
}

interface StoredRow {
  id: string;
  path: string;
  key_id: string | null;
}

export async function rekeyRecordings(db: Database, vault: Pick<RecordingVault, 'currentKeyId' | 'rekey' | 'remove'>, progress?: (line: string) => void): Promise<RekeyReport> {
  const keyId = vault.currentKeyId;
  if (keyId === null) throw new Error('no key file is configured (recording.encryption.keyFile in the site file): there is no key to encrypt with');
  const report: RekeyReport = { keyId, rekeyed: 0, alreadyCurrent: 0, failed: [] };
  if ((await db.tableColumns('recordings')) === undefined) return report;
  const rows = await db.all<StoredRow>(
    "SELECT id, path, key_id FROM recordings WHERE path IS NOT NULL AND state = 'stored' AND (key_id IS NULL OR key_id <> ?) ORDER BY started_at",
    [keyId],
  );
  for (const row of rows) {
    try {
      const moved = await vault.rekey(row.path);
      if (!moved) {
        // The file was already on the current key (a run stopped before its row was updated).
        await db.run('UPDATE recordings SET key_id = ? WHERE id = ? AND path = ?', [keyId, row.id, row.path]);
        report.alreadyCurrent++;
        continue;
      }
      await db.run('UPDATE recordings SET path = ?, key_id = ? WHERE id = ? AND path = ?', [moved.path, moved.keyId, row.id, row.path]);
      if (moved.path !== row.path) await vault.remove(row.path);
      report.rekeyed++;
      progress?.(`${row.id}: ${row.key_id ?? 'plain'} -> ${moved.keyId}`);
    } catch (err) {
      report.failed.push({ id: row.id, error: (err as Error).message });
    }
  }
  return report;
}
