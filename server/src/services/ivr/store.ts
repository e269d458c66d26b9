// Flow versions in the database: append a version, point a flow at it, read
// the history. Nothing here knows the flow language; sources are kept as text
// exactly as the admin wrote them (YAML or JSON).

import type { Database } from '../../store/database.js';

export type FlowOrigin = 'file' | 'api';

export interface StoredFlowVersion {
  name: string;
  version: number;
  source: string;
  origin: FlowOrigin;
  /** The site file it was read from (origin 'file'). */
  file: string | undefined;
  savedBy: string | undefined;
  savedAt: number;
}

interface VersionRow {
  name: string;
  version: number;
  source: string;
  origin: FlowOrigin;
  file: string | null;
  saved_by: string | null;
  saved_at: number;
}

const fromRow = (r: VersionRow): StoredFlowVersion => ({
  name: r.name, version: r.version, source: r.source, origin: r.origin, file: r.file ?? undefined, savedBy: r.saved_by ?? undefined, savedAt: r.saved_at,
});

export class FlowStore {
  constructor(private readonly db: Database) {}

  /** Store a new version and make it the live one, atomically; returns its number. */
  async append(v: Omit<StoredFlowVersion, 'version'>): Promise<number> {
    return this.db.transaction(async (tx) => {
      const last = await tx.get<{ v: number | null }>('SELECT MAX(version) AS v FROM ivr_flow_versions WHERE name = ?', [v.name]);
      const version = (last?.v ?? 0) + 1;
      await tx.run(
        'INSERT INTO ivr_flow_versions (name, version, source, origin, file, saved_by, saved_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [v.name, version, v.source, v.origin, v.file ?? null, v.savedBy ?? null, v.savedAt],
      );
      await tx.run(
        'INSERT INTO ivr_flows (name, current_version, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET current_version = excluded.current_version, updated_at = excluded.updated_at',
        [v.name, version, v.savedAt],
      );
      return version;
    });
  }

  /** The live version of every flow. */
  async currentAll(): Promise<StoredFlowVersion[]> {
    const rows = await this.db.all<VersionRow>(
      'SELECT v.* FROM ivr_flows f JOIN ivr_flow_versions v ON v.name = f.name AND v.version = f.current_version ORDER BY f.name',
    );
    return rows.map(fromRow);
  }

  /** The newest version read from a site file (to tell whether the file changed while we were down). */
  async latestFromFile(name: string): Promise<StoredFlowVersion | undefined> {
    const row = await this.db.get<VersionRow>(
      "SELECT * FROM ivr_flow_versions WHERE name = ? AND origin = 'file' ORDER BY version DESC LIMIT 1",
      [name],
    );
    return row ? fromRow(row) : undefined;
  }

  /** Every version of a flow, newest first. */
  async history(name: string): Promise<StoredFlowVersion[]> {
    const rows = await this.db.all<VersionRow>('SELECT * FROM ivr_flow_versions WHERE name = ? ORDER BY version DESC', [name]);
    return rows.map(fromRow);
  }

  /** Take a flow out of service; its history goes with it (a new flow of that name starts again at version 1). */
  async remove(name: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM ivr_flows WHERE name = ?', [name]);
      await tx.run('DELETE FROM ivr_flow_versions WHERE name = ?', [name]);
    });
  }
}
