// The `voicemail` key of the site file: defaults for every box, boxes with
// their own settings, and how long messages are kept.
//
//   voicemail:
//     retentionDays: 90
//     notify: [office@example.com]      # boxes without their own addresses
//     maxSeconds: 120
//     silenceSeconds: 5
//     boxes:
//       - { name: general, notify: [reception@example.com] }
//       - { name: "queue:sales", notify: [sales-lead@example.com] }
//       - { name: billing, queue: support, language: pt-BR }

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

const Name = '[A-Za-z0-9][A-Za-z0-9_.-]*';
/** 'general', 'queue:<queue>', 'agent:<login>' or a site's own name. */
export const BOX_NAME = new RegExp(`^(?:(?:queue|agent):)?${Name}$`);

const Email = Type.String({ minLength: 3, pattern: '^[^@\\s]+@[^@\\s]+$' });
const Language = Type.Union([Type.Literal('en'), Type.Literal('pt-BR'), Type.Literal('es')]);

export const VoicemailBoxSchema = Type.Object(
  {
    name: Type.String({ pattern: BOX_NAME.source, maxLength: 80, description: "general, queue:<queue>, agent:<login>, or a name of the site's own" }),
    notify: Type.Optional(Type.Array(Email)),
    maxSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
    silenceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
    /** The queue a callback from this box goes to (queue boxes: their own queue). */
    queue: Type.Optional(Type.String({ pattern: `^${Name}$` })),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);

export const VoicemailSettingsSchema = Type.Object(
  {
    /** Messages (and their WAV files) older than this are deleted; checked at start and hourly. */
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
    /** Addresses told of new messages in boxes that name none of their own. */
    notify: Type.Optional(Type.Array(Email)),
    maxSeconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 3600 })),
    silenceSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 60 })),
    language: Type.Optional(Language),
    boxes: Type.Optional(Type.Array(VoicemailBoxSchema)),
  },
  { additionalProperties: false },
);

export type VoicemailSettings = Static<typeof VoicemailSettingsSchema>;
export type VoicemailBoxConfig = Static<typeof VoicemailBoxSchema>;

export const voicemailConfigSection = defineConfigSection({ key: 'voicemail', schema: VoicemailSettingsSchema, defaults: {} });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Voicemail boxes, notification defaults and retention. */
    voicemail: VoicemailSettings;
  }
}

export const VOICEMAIL_DEFAULTS = { retentionDays: 90, maxSeconds: 120, silenceSeconds: 5, language: 'en' } as const;
