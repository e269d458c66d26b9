// The event webhooks' public entry: the service and its site-file section for
// the catalogue (services/index.ts), the signature helpers receivers and tests use.

export { eventWebhooksService } from './service.js';
export type { EventWebhooksService, SubscriptionInput } from './service.js';
export { webhooksConfigSection } from './config-schema.js';
export type { WebhooksSettings } from './config-schema.js';
export { deliverableEvents, deliverableEventNames } from './catalogue.js';
export { signatureHeader, verifySignature, SIGNATURE_HEADER, DELIVERY_HEADER, EVENT_HEADER } from './signature.js';
