// The reports' section of the YAML file (`reports:`), as a TypeBox schema;
// the service catalogue lists reportsConfigSection.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

export const ReportsSettingsSchema = Type.Object(
  {
    timeZone: Type.Optional(Type.String({ minLength: 1, description: "IANA time zone buckets are aligned in (default: the server's, from TZ)" })),
    serviceLevelSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600, description: 'answered within this many seconds counts for the service level (default 20)' })),
    shortAbandonSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'callers who hang up within this many seconds are short abandons (default 5)' })),
    queues: Type.Optional(
      Type.Record(
        Type.String({ minLength: 1 }),
        Type.Object({ serviceLevelSeconds: Type.Integer({ minimum: 1, maximum: 3600 }) }, { additionalProperties: false }),
        { description: "a queue's own service-level threshold" },
      ),
    ),
  },
  { additionalProperties: false },
);

export type ReportsSettings = Static<typeof ReportsSettingsSchema>;

export const reportsConfigSection = defineConfigSection({ key: 'reports', schema: ReportsSettingsSchema, defaults: {} });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Report time zone and thresholds. */
    reports: ReportsSettings;
  }
}
