// The campaigns' public entry: what other services may use of them (the
// service, what the reports read). Other services import from here, never
// from the campaigns' own modules.

export { campaignsService } from './service.js';
export type { CampaignsService } from './campaigns.js';
export type { CampaignReportReader } from './report-reader.js';
