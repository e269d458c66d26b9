// The campaigns' public entry: what other services may use of them. Other
// services import from here, never from the campaigns' own modules.

export type { CampaignReportReader } from './report-reader.js';
