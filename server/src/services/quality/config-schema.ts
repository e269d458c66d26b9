// The `quality` key of the site file: the scorecards supervisors fill in
// against recordings (docs/recording.md, "Quality scorecards").
//
//   quality:
//     scorecards:
//       - name: standard
//         title: Standard call review
//         queues: [sales, support]        # which queues' recordings it applies to (all when absent)
//         criteria:
//           - { id: greeting, label: Greeted the customer by name, weight: 10, kind: yes-no }
//           - { id: resolution, label: Resolved the issue, weight: 30, kind: scale, max: 5, allowNa: true }
//
// The file is authoritative for the scorecards it names (written again at
// every start); the admin API's own scorecards persist.

import { Type, type Static } from '@sinclair/typebox';
import { defineConfigSection, type SectionProblem } from '../../core/config-section.js';

const NamePattern = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
export const ScorecardName = Type.String({ minLength: 1, maxLength: 64, pattern: NamePattern });

export const CriterionSchema = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, pattern: NamePattern }),
  label: Type.String({ minLength: 1, maxLength: 200 }),
  /** Its share of the score: a criterion of weight 30 counts three times one of weight 10. */
  weight: Type.Integer({ minimum: 1, maximum: 1000 }),
  kind: Type.Union([Type.Literal('yes-no'), Type.Literal('scale')], { description: 'yes-no: yes counts fully, no not at all; scale: 0..max, counted as value/max' }),
  /** The top of a `scale` criterion (0..max); only for scale. */
  max: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  /** The evaluator may answer 'n/a': the criterion is then left out of the score. */
  allowNa: Type.Optional(Type.Boolean()),
}, { additionalProperties: false });

/** A scorecard as the site file and the admin API give it (the API takes the name from the path). */
export const ScorecardBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  queues: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64, pattern: NamePattern }), { minItems: 1, maxItems: 200 })),
  criteria: Type.Array(CriterionSchema, { minItems: 1, maxItems: 100 }),
}, { additionalProperties: false });

const FileScorecard = Type.Object({ name: ScorecardName, ...ScorecardBody.properties }, { additionalProperties: false });

export const QualitySettingsSchema = Type.Object({
  scorecards: Type.Optional(Type.Array(FileScorecard)),
}, { additionalProperties: false });

export type Criterion = Static<typeof CriterionSchema>;
export type ScorecardDefinition = Static<typeof ScorecardBody>;
export type QualitySettings = Static<typeof QualitySettingsSchema>;

/** What the schema cannot say about one scorecard, with paths under `at`: shared by the site file and the admin API. */
export function scorecardProblems(card: ScorecardDefinition, at: string): SectionProblem[] {
  const found: SectionProblem[] = [];
  const ids = new Set<string>();
  card.criteria.forEach((c, i) => {
    const path = `${at}.criteria.${i}`;
    if (ids.has(c.id)) found.push({ path: `${path}.id`, message: `criterion '${c.id}' is declared twice` });
    ids.add(c.id);
    if (c.kind === 'scale' && c.max === undefined) found.push({ path: `${path}.max`, message: 'a scale criterion needs max (answers are 0..max)' });
    if (c.kind === 'yes-no' && c.max !== undefined) found.push({ path: `${path}.max`, message: 'max is only for scale criteria' });
  });
  const queues = new Set<string>();
  (card.queues ?? []).forEach((q, i) => {
    if (queues.has(q)) found.push({ path: `${at}.queues.${i}`, message: `queue '${q}' is listed twice` });
    queues.add(q);
  });
  return found;
}

function problems(settings: QualitySettings): SectionProblem[] {
  const found: SectionProblem[] = [];
  const names = new Set<string>();
  (settings.scorecards ?? []).forEach((card, i) => {
    const at = `quality.scorecards.${i}`;
    if (names.has(card.name)) found.push({ path: `${at}.name`, message: `scorecard '${card.name}' is declared twice` });
    names.add(card.name);
    found.push(...scorecardProblems(card, at));
  });
  return found;
}

export const qualityConfigSection = defineConfigSection({ key: 'quality', schema: QualitySettingsSchema, defaults: {}, problems });

declare module '../../config/schema.js' {
  interface ServiceSettings {
    /** Quality scorecards filled in against recordings (docs/recording.md). */
    quality: QualitySettings;
  }
}
