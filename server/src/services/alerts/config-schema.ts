// The alerts' fields of the site file: the top-level `alerts:` section (rules,
// recipients, cool-down) and the `thresholds` each queue gains for the
// wallboard's colours. The service catalogue lists alertsConfigSection.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection, type SectionProblem } from '../../core/config-section.js';

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });
const Email = Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\s@<>,;]+@[^\\s@<>,;]+$' });
const Severity = Type.Union([Type.Literal('warning'), Type.Literal('critical')], { description: 'default warning' });

const common = {
  name: Name,
  severity: Type.Optional(Severity),
  recipients: Type.Optional(Type.Array(Email, { minItems: 1, maxItems: 20, description: "who gets this rule's e-mail (default: alerts.recipients)" })),
};
const inQueue = Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'one queue (default: every queue, one alert per queue)' }));

export const AlertRuleSchema = Type.Union([
  Type.Object({ ...common, type: Type.Literal('longest-wait'), queue: inQueue, seconds: Type.Integer({ minimum: 1, maximum: 86_400, description: 'a caller waiting longer than this' }) }, { additionalProperties: false }),
  Type.Object({
    ...common, type: Type.Literal('service-level'), queue: inQueue,
    belowPercent: Type.Number({ minimum: 0, maximum: 100 }),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440, description: 'over the last this many minutes (default 15)' })),
  }, { additionalProperties: false }),
  Type.Object({ ...common, type: Type.Literal('agents-ready'), queue: inQueue, fewerThan: Type.Integer({ minimum: 1, maximum: 10_000 }) }, { additionalProperties: false }),
  Type.Object({ ...common, type: Type.Literal('trunk-down'), trunk: Type.Optional(Type.String({ minLength: 1, description: 'one trunk (default: every registering trunk)' })) }, { additionalProperties: false }),
  Type.Object({
    ...common, type: Type.Literal('dialer-abandon-rate'), campaign: Type.Optional(Type.String({ minLength: 1 })),
    abovePercent: Type.Number({ minimum: 0, maximum: 100, description: "a campaign's abandon rate over its window above this (set it just under the cap)" }),
  }, { additionalProperties: false }),
]);
export type AlertRule = Static<typeof AlertRuleSchema>;

export const AlertsSettingsSchema = Type.Object(
  {
    recipients: Type.Optional(Type.Array(Email, { maxItems: 20, description: 'who gets alert e-mail when a rule names nobody' })),
    cooldownSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, description: 'a cleared alert is not raised again within this time (default 900)' })),
    tickSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 300, description: 'how often rules are evaluated besides on events (default 10)' })),
    rules: Type.Optional(Type.Array(AlertRuleSchema, { maxItems: 200 })),
  },
  { additionalProperties: false },
);
export type AlertsSettings = Static<typeof AlertsSettingsSchema>;

/** amber and red for one figure: for figures where more is worse, red ≥ amber; where less is worse, red ≤ amber. */
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

/** Figures where a lower value is worse: their red is below their amber. */
export const LOWER_IS_WORSE: ReadonlySet<keyof QueueThresholds> = new Set(['serviceLevel', 'agentsReady']);

function ruleProblems(settings: AlertsSettings): SectionProblem[] {
  const problems: SectionProblem[] = [];
  const seen = new Set<string>();
  (settings.rules ?? []).forEach((rule, i) => {
    if (seen.has(rule.name)) problems.push({ path: `alerts.rules[${i}].name`, message: `rule name '${rule.name}' is used twice` });
    seen.add(rule.name);
  });
  return problems;
}

export const alertsConfigSection = defineConfigSection({
  key: 'alerts',
  schema: AlertsSettingsSchema,
  defaults: {},
  queueFields: { thresholds: Type.Optional(QueueThresholdsSchema) },
  problems: ruleProblems,
});

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Alert rules, their recipients and cool-down. */
    alerts: AlertsSettings;
  }
  interface QueueSettings {
    thresholds?: QueueThresholds;
  }
}
