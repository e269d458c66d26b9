/**
 * The field catalogue: which business-object fields a script may read.
 *
 * A path is `root.field[.sub...]`. The host passes the catalogue that matches
 * its data model; `answer` is not in it: answers are checked against the
 * script's own questions. An entry ending in `.*` admits any sub-path, for
 * free-form data such as `customer.custom.contract_type`.
 */
export type FieldCatalogue = Readonly<Record<string, readonly string[]>>;

/**
 * The fields of Tenor's default business-object model
 * (server/models/default.yaml, docs/business-objects.md).
 */
export const DEFAULT_CATALOGUE: FieldCatalogue = {
  customer: ['name', 'phones', 'emails', 'segment', 'language', 'prospect', 'custom', 'custom.*'],
  case: ['code', 'description', 'status', 'owner', 'dueAt'],
  interaction: [
    'channel', 'direction', 'occurredAt', 'queue', 'campaign', 'agent', 'outcome',
    'durationSeconds', 'notes', 'disposition', 'recording', 'callId',
  ],
};

/** The part of a business-object model (docs/business-objects.md) a catalogue needs. */
export interface EntityModel {
  attributes: Readonly<Record<string, { type: string }>>;
}

/**
 * A catalogue from the host's business-object model: one root per entity
 * (Customer → customer), one field per attribute; a `json` attribute also
 * admits any sub-path (custom.contract_type).
 */
export function catalogueFromEntities(entities: Readonly<Record<string, EntityModel>>): FieldCatalogue {
  const catalogue: Record<string, string[]> = {};
  for (const [entity, model] of Object.entries(entities)) {
    const root = entity.charAt(0).toLowerCase() + entity.slice(1);
    catalogue[root] = Object.entries(model.attributes).flatMap(([name, attribute]) => (attribute.type === 'json' ? [name, `${name}.*`] : [name]));
  }
  return catalogue;
}

/** The root that refers to the script's own answers. */
export const ANSWER_ROOT = 'answer';

/** Whether `field` (the path after the root, joined by '.') is in the root's list. */
export function catalogueHasField(fields: readonly string[], field: string): boolean {
  return fields.some((entry) => {
    if (entry.endsWith('.*')) return field.startsWith(entry.slice(0, -1)) && field.length > entry.length - 1;
    return entry === field;
  });
}
