// The alerts' section of the site file: `alerts:` (rules, recipients,
// cool-down). The service catalogue lists alertsConfigSection. (A queue's
// wallboard `thresholds` are a queue field of the ACD: acd/config-schema.ts.)

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
  problems: ruleProblems,
});

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Alert rules, their recipients and cool-down. */
    alerts: AlertsSettings;
  }
}
