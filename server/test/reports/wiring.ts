// The reports as the tests build them on one SQLite database: reading through
// the owning services' report readers, as the reports service does, with
// voicemail and campaigns counted as installed when their tables exist.

import type { Database } from '../../src/store/database.js';
import { AcdReportReader } from '../../src/services/acd/report-reader.js';
import { CampaignReportReader } from '../../src/services/campaigns/report-reader.js';
import { VoicemailReportReader } from '../../src/services/voicemail/report-reader.js';
import type { ReportsSettings } from '../../src/services/reports/config-schema.js';
import { Reports as ServiceReports, type AcdView } from '../../src/services/reports/reports.js';

export interface TestReportsOptions {
  db: Database;
  acd: AcdView;
  settings?: ReportsSettings;
  now?: () => number;
}

export class Reports extends ServiceReports {
  constructor({ db, acd, settings, now }: TestReportsOptions) {
    super({
      acd,
      acdHistory: new AcdReportReader(db),
      voicemail: async () => ((await db.tableColumns('voicemail_messages')) ? new VoicemailReportReader(db) : undefined),
      campaigns: async () => ((await db.tableColumns('campaign_attempts')) ? new CampaignReportReader(db) : undefined),
      settings,
      now,
    });
  }
}
