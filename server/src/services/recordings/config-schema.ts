// The `recording` key of the site file, and the `recording` field it adds to
// each queue. Site level holds the defaults; a queue's own keys win over them.
//
//   recording:
//     policy: on-demand            # all | never | on-demand | "25%"
//     announcement: may-be-recorded   # a prompt the caller hears before the agent
//     retentionDays: 365
//     agentOptOut: false           # true: agents with `recordingOptOut: true` are never recorded
//     maxPauseSeconds: 180         # a pause longer than this resumes on its own
//     agentsMayListen: false       # agents may play their own calls' recordings
//     encryption: { keyFile: /etc/tenor/recording.keys }   # docs/recording-at-rest.md
//   queues:
//     - name: sales
//       recording: { policy: all, retentionDays: 90 }

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';

/** `all`, `never`, `on-demand`, or a sample like `"25%"` (reproducible per call id). */
export const RecordingPolicyField = Type.String({
  pattern: '^(all|never|on-demand|(100|[1-9]?[0-9])%)$',
  description: 'all | never | on-demand | a percentage of calls such as "25%"',
});

/** What a queue (or a campaign, a flow node) may set; unset keys come from the site level. */
export const RecordingPolicySchema = Type.Object(
  {
    policy: Type.Optional(RecordingPolicyField),
    /** A prompt played to the caller before the agent is connected ("this call may be recorded"), unless the call is never recorded. */
    announcement: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500 })),
    maxPauseSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86400 })),
  },
  { additionalProperties: false },
);

export const RecordingSettingsSchema = Type.Object(
  {
    ...RecordingPolicySchema.properties,
    agentOptOut: Type.Optional(Type.Boolean()),
    agentsMayListen: Type.Optional(Type.Boolean()),
    /** Encryption at rest (docs/recording-at-rest.md); validated by the vault's own checks. */
    encryption: Type.Optional(Type.Object({ keyFile: Type.String({ minLength: 1 }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export type RecordingPolicyConfig = Static<typeof RecordingPolicySchema>;
export type RecordingSettings = Static<typeof RecordingSettingsSchema>;

export const RECORDING_DEFAULTS = { policy: 'never', maxPauseSeconds: 0, agentOptOut: false, agentsMayListen: false } as const;

export const recordingConfigSection = defineConfigSection({
  key: 'recording',
  schema: RecordingSettingsSchema,
  defaults: {},
  queueFields: { recording: Type.Optional(RecordingPolicySchema) },
});

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Call recording: the site's defaults (docs/recording.md). */
    recording: RecordingSettings;
  }
  interface QueueSettings {
    /** The queue's recording policy over the site's (docs/recording.md). */
    recording?: RecordingPolicyConfig;
  }
}
