// The metrics' public entry: the service definition and its site-file section
// for the catalogue (services/index.ts), and what others may read of it.

export { metricsService } from './service.js';
export type { MetricsService } from './service.js';
export { metricsConfigSection } from './config-schema.js';
export type { MetricsSettings } from './config-schema.js';
