// What the reports read of the campaigns: which calls were placed for a
// campaign (to filter the other reports by campaign). The SQL over
// `campaign_attempts` lives here, with its owner.

import type { Database } from '../../store/database.js';

export class CampaignReportReader {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Ids of the calls placed for the campaign, whatever their outcome. */
  async callIds(campaign: string): Promise<Set<string>> {
    const rows = await this.#db.all<{ call_id: string }>('SELECT call_id FROM campaign_attempts WHERE campaign = ? AND call_id IS NOT NULL', [campaign]);
    return new Set(rows.map((r) => r.call_id));
  }
}
