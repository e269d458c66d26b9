// The alerts' public entry: the service, its site-file section, the events it publishes.

export { alertsService } from './service.js';
export { alertsConfigSection, type AlertRule, type AlertsSettings } from './config-schema.js';
export type { AlertRaisedEvent, AlertClearedEvent } from './events.js';
export type { AlertView } from './alerts.js';
