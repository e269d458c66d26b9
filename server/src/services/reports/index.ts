// The reports' public entry: the service definition, and the wall-clock
// arithmetic in a time zone that others reuse (the campaigns' live figures).
// Other services import from here, never from the reports' own modules.

export { reportsService } from './service.js';
export { reportsConfigSection } from './config-schema.js';
export type { Reports } from './reports.js';
export { checkTimeZone, instantOf, isoInZone, wallOf } from './time-zone.js';
// quality (Q): the quality report (services/quality) uses the same periods, buckets, rounding and CSV.
export { intervals, presets, spanIndex } from './buckets.js';
export { csvLines } from './csv.js';
export { round2 } from './figures.js';
export { parseReportRequest, type ReportQuery, type ReportRequest } from './query.js';
