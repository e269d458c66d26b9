// The site file's `desk` section: what the agent desktop's outbound calls
// present and use (docs/configuration.md, "desk.outbound").

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

const phoneNumber = (description: string) => Type.String({ minLength: 2, maxLength: 32, pattern: '^\\+?[0-9]+$', description });

export const DeskOutboundSchema = Type.Object(
  {
    callerId: Type.Optional(phoneNumber("number the customer sees when an agent calls from the desktop (default: acd.callerId, else the trunk's)")),
    queues: Type.Optional(Type.Record(Type.String({ minLength: 1 }), phoneNumber('caller ID of calls counted for this queue'), { description: 'caller ID per queue the call counts for, over callerId' })),
    trunk: Type.Optional(Type.String({ minLength: 1, description: "trunk the customer is dialed through (default: the engine's default trunk)" })),
    ringTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 120, description: "how long the customer's phone may ring (default 30)" })),
  },
  { additionalProperties: false },
);
export type DeskOutboundSettings = Static<typeof DeskOutboundSchema>;

export const DeskSettingsSchema = Type.Object({ outbound: Type.Optional(DeskOutboundSchema) }, { additionalProperties: false });
export type DeskSettings = Static<typeof DeskSettingsSchema>;

export const deskConfigSection = defineConfigSection({
  key: 'desk',
  schema: DeskSettingsSchema,
  defaults: {},
});

declare module '../../config/schema.js' {
  interface ServiceSettings {
    desk: DeskSettings;
  }
}
