// The webhooks' section of the site file (`webhooks:`): the subscriptions the
// file declares and how deliveries are retried. The file's subscriptions are
// authoritative for the ids they name (written again at every start), as
// trunks and entry numbers are (docs/administration.md).

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection, type SectionProblem } from '../../core/config-section.js';
import { unknownEvents } from './catalogue.js';

export const SubscriptionId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
export const WebhookUrl = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://', description: 'http:// or https:// URL the events are POSTed to' });
export const WebhookSecret = Type.String({ minLength: 16, maxLength: 200, description: 'HMAC key, at least 16 characters' });

const FileSubscription = Type.Object({
  id: SubscriptionId,
  url: WebhookUrl,
  events: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /** The signing secret itself, or where to read it: an environment variable, or a file (relative to the site file). Exactly one. */
  secret: Type.Optional(WebhookSecret),
  secretEnv: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z_][A-Za-z0-9_]*$' })),
  secretFile: Type.Optional(Type.String({ minLength: 1 })),
  enabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

export const WebhooksSettingsSchema = Type.Object({
  subscriptions: Type.Optional(Type.Array(FileSubscription)),
  delivery: Type.Optional(Type.Object({
    /** Attempts before a delivery goes to the dead-letter list (default 8). */
    attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    /** The first retry's delay; each next one doubles, with jitter (default 5000 ms). */
    retryBaseMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 3_600_000 })),
    /** The longest delay between two attempts (default 1 hour). */
    retryMaxMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400_000 })),
    /** How long one attempt may take before it counts as failed (default 10 s). */
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 120 })),
    /** Deliveries in flight at once per subscription (default 2): a hanging receiver holds up only its own. */
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
  }, { additionalProperties: false })),
}, { additionalProperties: false });

export type WebhooksSettings = Static<typeof WebhooksSettingsSchema>;
export type FileSubscriptionConfig = Static<typeof FileSubscription>;

export interface DeliverySettings {
  attempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
  concurrency: number;
}

export function deliverySettings(settings: WebhooksSettings): DeliverySettings {
  const d = settings.delivery ?? {};
  return {
    attempts: d.attempts ?? 8,
    retryBaseMs: d.retryBaseMs ?? 5_000,
    retryMaxMs: d.retryMaxMs ?? 3_600_000,
    timeoutMs: (d.timeoutSeconds ?? 10) * 1000,
    concurrency: d.concurrency ?? 2,
  };
}

function problems(settings: WebhooksSettings): SectionProblem[] {
  const found: SectionProblem[] = [];
  const seen = new Set<string>();
  (settings.subscriptions ?? []).forEach((s, i) => {
    const at = `webhooks.subscriptions.${i}`;
    if (seen.has(s.id)) found.push({ path: `${at}.id`, message: `subscription '${s.id}' is declared twice` });
    seen.add(s.id);
    const sources = [s.secret, s.secretEnv, s.secretFile].filter((v) => v !== undefined).length;
    if (sources !== 1) found.push({ path: at, message: 'give exactly one of secret, secretEnv and secretFile (deliveries are always signed)' });
    for (const p of unknownEvents(s.events)) found.push({ path: `${at}.events.${p.index}`, message: p.message });
  });
  return found;
}

export const webhooksConfigSection = defineConfigSection({ key: 'webhooks', schema: WebhooksSettingsSchema, defaults: {}, problems });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Outbound event webhooks: subscriptions and delivery retries (docs/webhooks.md). */
    webhooks: WebhooksSettings;
  }
}
