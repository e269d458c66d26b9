// The ACD's fields of the YAML file, as TypeBox schemas: the file's `acd`
// section, and the fields each queue gains for the ACD (its strategy among
// them). The service catalogue lists acdConfigSection.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection } from '../../core/config-section.js';
import { queueSchema } from '../../config/schema.js';

const QueueName = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const DtmfKey = Type.String({ pattern: '^[0-9*#]$', description: 'one key: 0-9, * or #' });
const Seconds = (min: number, max?: number) => Type.Integer({ minimum: min, ...(max !== undefined ? { maximum: max } : {}) });

export const ExitDestinationSchema = Type.Union([
  Type.Object({ type: Type.Literal('voicemail'), box: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('queue'), queue: QueueName }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('flow'), flow: QueueName }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('hangup'), message: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
]);

/** The routing strategies a queue may name (each has a factory in strategies/). */
export const QueueStrategies = [
  'ring-all', 'longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'random', 'linear', 'skills-based',
] as const;

/** A queue's `strategy` field. */
export const QueueStrategyField = Type.Optional(Type.Union(QueueStrategies.map((s) => Type.Literal(s))));

/** The wallboard's colours for a queue's figures (docs/configuration.md). amber and red for one figure: for figures where more is worse, red ≥ amber; where less is worse, red ≤ amber. */
const Band = Type.Object({ amber: Type.Number({ minimum: 0 }), red: Type.Number({ minimum: 0 }) }, { additionalProperties: false });

export const QueueThresholdsSchema = Type.Object(
  {
    waiting: Type.Optional(Band),
    longestWait: Type.Optional(Band),
    serviceLevel: Type.Optional(Band),
    agentsReady: Type.Optional(Band),
  },
  { additionalProperties: false, description: 'wallboard colours: seconds for longestWait, percent for serviceLevel, counts otherwise' },
);
export type QueueThresholds = Static<typeof QueueThresholdsSchema>;

/** Fields a queue gains for the ACD (all optional; defaults in docs/acd.md). */
export const AcdQueueFields = {
  maxWaiting: Type.Optional(Type.Integer({ minimum: 0, description: 'callers waiting at most (0: no limit); more exit with "full"' })),
  announcements: Type.Optional(
    Type.Object(
      {
        intervalSeconds: Seconds(10, 3600),
        position: Type.Optional(Type.Boolean()),
        estimatedWait: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
  joinEmpty: Type.Optional(Type.Boolean({ description: 'accept callers when no agent is logged in (default true)' })),
  leaveWhenEmpty: Type.Optional(Type.Boolean({ description: 'callers leave when the last agent logs out (default false)' })),
  exitKey: Type.Optional(DtmfKey),
  callbackKey: Type.Optional(DtmfKey),
  exits: Type.Optional(
    Type.Object(
      {
        maxWait: Type.Optional(ExitDestinationSchema),
        exitKey: Type.Optional(ExitDestinationSchema),
        empty: Type.Optional(ExitDestinationSchema),
        full: Type.Optional(ExitDestinationSchema),
      },
      { additionalProperties: false },
    ),
  ),
  overflow: Type.Optional(Type.Object({ afterSeconds: Seconds(1), queue: QueueName }, { additionalProperties: false })),
  requiredSkills: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 1, maximum: 10 }))),
  escalation: Type.Optional(
    Type.Array(
      Type.Object(
        { afterSeconds: Seconds(1), skills: Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 10 })) },
        { additionalProperties: false },
      ),
    ),
  ),
  whisper: Type.Optional(
    Type.Object(
      { prompts: Type.Array(Type.String({ minLength: 1 })), segments: Type.Optional(Type.Record(Type.String(), Type.String({ minLength: 1 }))) },
      { additionalProperties: false },
    ),
  ),
  thresholds: Type.Optional(QueueThresholdsSchema),
  callback: Type.Optional(
    Type.Object(
      {
        attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
        retryDelaySeconds: Type.Optional(Seconds(10, 86_400)),
        ringTimeoutSeconds: Type.Optional(Seconds(5, 300)),
      },
      { additionalProperties: false },
    ),
  ),
};

export const AcdQueueFieldsSchema = Type.Object(AcdQueueFields, { additionalProperties: false });
export type AcdQueueConfigFields = Static<typeof AcdQueueFieldsSchema>;

/** Site-wide ACD settings: `acd:` in the YAML file. */
export const AcdSettingsSchema = Type.Object(
  {
    maxMissedOffers: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, description: 'unanswered offers in a row before "no answer" break (0: never; default 3)' })),
    breakReasons: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 40 }), { minItems: 1 })),
    callerId: Type.Optional(Type.String({ minLength: 1, description: "number shown on agents' external phones and persistent lines" })),
    lineLost: Type.Optional(Type.Object(
      { fallback: Type.Boolean({ description: "a caller whose agent's browser line was lost may move to the agent's device.fallback number (default false)" }) },
      { additionalProperties: false },
    )),
  },
  { additionalProperties: false },
);
export type AcdSettings = Static<typeof AcdSettingsSchema>;

const AcdQueueSchema = Type.Object({ strategy: QueueStrategyField, ...AcdQueueFields }, { additionalProperties: false });

export const acdConfigSection = defineConfigSection({
  key: 'acd',
  schema: AcdSettingsSchema,
  defaults: {},
  queueFields: AcdQueueSchema.properties,
});

/** A queue of the site file, the ACD's fields included. */
export const QueueSchema = queueSchema([acdConfigSection]);

declare module '../../config/schema.js' {
  interface ServiceSettings {
    acd: AcdSettings;
  }
  interface QueueSettings extends Static<typeof AcdQueueSchema> {}
}
