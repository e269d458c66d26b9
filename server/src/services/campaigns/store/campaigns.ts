// Campaign definitions and their status; the records (numbers) each campaign
// works through, with attempts made, when the next one is due and whether an
// agent scheduled a callback.

import type { Database, SqlExecutor } from '../../../store/database.js';
import { campaignFromInput, type CampaignDefinition } from '../model.js';

export type CampaignStatus = 'stopped' | 'running' | 'paused';

export interface StoredCampaign {
  definition: CampaignDefinition;
  status: CampaignStatus;
  conservative: boolean;
}

export type RecordState = 'pending' | 'in-progress' | 'done' | 'callback';

export interface CampaignRecord {
  campaign: string;
  phone: string;
  customerId: number | undefined;
  name: string | undefined;
  timeZone: string;
  attempts: number;
  state: RecordState;
  nextDueAt: number;
  lastOutcome: string | undefined;
  callbackAt: number | undefined;
  callbackAgent: string | undefined;
  previewAgent: string | undefined;
}

interface RecordRow {
  campaign: string;
  phone: string;
  customer_id: number | null;
  name: string | null;
  time_zone: string;
  attempts: number;
  state: RecordState;
  next_due_at: number;
  last_outcome: string | null;
  callback_at: number | null;
  callback_agent: string | null;
  preview_agent: string | null;
}

const recordFromRow = (r: RecordRow): CampaignRecord => ({
  campaign: r.campaign, phone: r.phone, customerId: r.customer_id ?? undefined, name: r.name ?? undefined, timeZone: r.time_zone,
  attempts: r.attempts, state: r.state, nextDueAt: r.next_due_at, lastOutcome: r.last_outcome ?? undefined,
  callbackAt: r.callback_at ?? undefined, callbackAgent: r.callback_agent ?? undefined, previewAgent: r.preview_agent ?? undefined,
});

export class CampaignsRepository {
  constructor(private readonly db: Database) {}

  async save(def: CampaignDefinition, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO campaigns (name, definition, status, conservative, created_at, updated_at) VALUES (?, ?, 'stopped', 0, ?, ?)
       ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      [def.name, JSON.stringify(def), now, now],
    );
  }

  async get(name: string): Promise<StoredCampaign | undefined> {
    const row = await this.db.get<{ name: string; definition: string; status: CampaignStatus; conservative: number }>('SELECT * FROM campaigns WHERE name = ?', [name]);
    return row && this.#fromRow(row);
  }

  async list(): Promise<StoredCampaign[]> {
    const rows = await this.db.all<{ name: string; definition: string; status: CampaignStatus; conservative: number }>('SELECT * FROM campaigns ORDER BY name');
    return rows.map((r) => this.#fromRow(r));
  }

  async setStatus(name: string, status: CampaignStatus, conservative: boolean, now: number): Promise<void> {
    await this.db.run('UPDATE campaigns SET status = ?, conservative = ?, updated_at = ? WHERE name = ?', [status, conservative ? 1 : 0, now, name]);
  }

  async delete(name: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM campaign_records WHERE campaign = ?', [name]);
      return (await tx.run('DELETE FROM campaigns WHERE name = ?', [name])).changes > 0;
    });
  }

  #fromRow(row: { name: string; definition: string; status: CampaignStatus; conservative: number }): StoredCampaign {
    // Stored definitions go through the same checks (and defaults) as new ones.
    const stored = JSON.parse(row.definition) as CampaignDefinition;
    const { name: _name, ...input } = stored;
    return { definition: campaignFromInput(row.name, input), status: row.status, conservative: row.conservative === 1 };
  }

  // ---- records ----

  /** Add the target's numbers not yet in the campaign (existing records keep their attempts). */
  async addRecords(campaign: string, entries: readonly { phone: string; customerId: number | undefined; name: string | undefined; timeZone: string }[]): Promise<number> {
    let added = 0;
    await this.db.transaction(async (tx: SqlExecutor) => {
      for (const e of entries) {
        const r = await tx.run(
          `INSERT INTO campaign_records (campaign, phone, customer_id, name, time_zone, state) VALUES (?, ?, ?, ?, ?, 'pending')
           ON CONFLICT (campaign, phone) DO NOTHING`,
          [campaign, e.phone, e.customerId ?? null, e.name ?? null, e.timeZone],
        );
        added += r.changes;
      }
    });
    return added;
  }

  /** Records whose next attempt is due (or callbacks due), oldest due first. */
  async due(campaign: string, now: number, limit: number): Promise<CampaignRecord[]> {
    const rows = await this.db.all<RecordRow>(
      `SELECT * FROM campaign_records WHERE campaign = ? AND state = 'pending' AND next_due_at <= ? AND preview_agent IS NULL
       ORDER BY next_due_at, rowid LIMIT ?`,
      [campaign, now, limit],
    );
    return rows.map(recordFromRow);
  }

  async callbacksDue(campaign: string, now: number): Promise<CampaignRecord[]> {
    const rows = await this.db.all<RecordRow>(`SELECT * FROM campaign_records WHERE campaign = ? AND state = 'callback' AND callback_at <= ? ORDER BY callback_at`, [campaign, now]);
    return rows.map(recordFromRow);
  }

  async record(campaign: string, phone: string): Promise<CampaignRecord | undefined> {
    const row = await this.db.get<RecordRow>('SELECT * FROM campaign_records WHERE campaign = ? AND phone = ?', [campaign, phone]);
    return row && recordFromRow(row);
  }

  async records(campaign: string): Promise<CampaignRecord[]> {
    return (await this.db.all<RecordRow>('SELECT * FROM campaign_records WHERE campaign = ? ORDER BY rowid', [campaign])).map(recordFromRow);
  }

  async updateRecord(campaign: string, phone: string, patch: Partial<Pick<CampaignRecord, 'attempts' | 'state' | 'nextDueAt' | 'lastOutcome' | 'callbackAt' | 'callbackAgent' | 'previewAgent'>>, tx: SqlExecutor = this.db): Promise<void> {
    const cols: Record<string, string> = {
      attempts: 'attempts', state: 'state', nextDueAt: 'next_due_at', lastOutcome: 'last_outcome', callbackAt: 'callback_at', callbackAgent: 'callback_agent', previewAgent: 'preview_agent',
    };
    const sets: string[] = [];
    const values: (string | number | null)[] = [];
    for (const [k, v] of Object.entries(patch)) {
      const col = cols[k];
      if (!col) continue;
      sets.push(`${col} = ?`);
      values.push(v === undefined ? null : (v as string | number));
    }
    if (sets.length === 0) return;
    await tx.run(`UPDATE campaign_records SET ${sets.join(', ')} WHERE campaign = ? AND phone = ?`, [...values, campaign, phone]);
  }

  /** After a crash: records left 'in-progress' wait for their retry delay like any unknown outcome. */
  async releaseInProgress(campaign: string, nextDueAt: number): Promise<number> {
    return (await this.db.run(`UPDATE campaign_records SET state = 'pending', next_due_at = MAX(next_due_at, ?), preview_agent = NULL WHERE campaign = ? AND state = 'in-progress'`, [nextDueAt, campaign])).changes;
  }
}
