// The business-object model: entities with attributes, mapped onto tables and
// columns. Admins edit it as a YAML file; the storage manager migrates tables
// from it and the REST API is generated from it.

import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { readYaml, type YamlProblem } from '../../core/yaml.js';
import { TenorError } from '../../core/errors.js';

export const attributeTypes = [
  'string', 'text', 'integer', 'number', 'boolean', 'datetime', 'date', 'enum', 'json', 'string-list', 'phone-list', 'ref',
] as const;
export type AttributeType = (typeof attributeTypes)[number];

const Identifier = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]*$', maxLength: 63 });

const AttributeSchema = Type.Object(
  {
    type: Type.Union(attributeTypes.map((t) => Type.Literal(t))),
    column: Type.Optional(Identifier),
    /** Earlier column names: a column found under one of them is renamed, keeping its data. */
    renamedFrom: Type.Optional(Type.Union([Identifier, Type.Array(Identifier)])),
    required: Type.Optional(Type.Boolean()),
    default: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
    values: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    entity: Type.Optional(Identifier),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    maxLength: Type.Optional(Type.Integer({ minimum: 1 })),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const EntitySchema = Type.Object(
  {
    table: Identifier,
    plural: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]*$' })),
    /** A database other than Tenor's own, declared under `databases` (a legacy system): mapped, never migrated. */
    database: Type.Optional(Identifier),
    /** Primary-key column (default `id`). */
    key: Type.Optional(Identifier),
    attributes: Type.Record(Identifier, AttributeSchema),
  },
  { additionalProperties: false },
);

export const ModelFileSchema = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    entities: Type.Record(Identifier, EntitySchema),
    databases: Type.Optional(Type.Record(Identifier, Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false }))),
    caseSla: Type.Optional(Type.Record(Type.String(), Type.Object({ hours: Type.Number({ exclusiveMinimum: 0 }) }, { additionalProperties: false }))),
  },
  { additionalProperties: false },
);
type ModelFile = Static<typeof ModelFileSchema>;

export interface AttributeDef {
  name: string;
  type: AttributeType;
  column: string;
  renamedFrom: string[];
  required: boolean;
  default: string | number | boolean | undefined;
  values: string[] | undefined;
  /** For `ref`: the entity referred to. */
  entity: string | undefined;
  min: number | undefined;
  max: number | undefined;
  maxLength: number | undefined;
  description: string | undefined;
}

export interface EntityDef {
  name: string;
  table: string;
  /** URL segment: /api/{plural} */
  plural: string;
  key: string;
  /** undefined: Tenor's own database. */
  database: string | undefined;
  attributes: AttributeDef[];
}

export interface BusinessModel {
  version: number;
  entities: EntityDef[];
  databases: Record<string, { file: string }>;
  caseSla: Record<string, { hours: number }>;
}

export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** Read and check a model file; throws TENOR_ERR_MODEL_INVALID listing each problem with file:line:column. */
export function loadModel(file: string): BusinessModel {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TenorError('TENOR_ERR_MODEL_INVALID', [`cannot read ${file}: ${(err as Error).message}`]);
  }
  return parseModel(text, file);
}

export function parseModel(text: string, file: string): BusinessModel {
  const result = readYaml(text, ModelFileSchema, file);
  if (!result.ok) throw modelError(result.problems);
  const problems: YamlProblem[] = [];
  const model = resolve(result.data, (path, message) => problems.push({ source: result.locate(path), message }));
  if (problems.length > 0) throw modelError(problems);
  return model;
}

function modelError(problems: YamlProblem[]): TenorError {
  return new TenorError('TENOR_ERR_MODEL_INVALID', [problems.map((p) => `${p.source}: ${p.message}`).join('; ')], { details: problems });
}

function resolve(file: ModelFile, problem: (path: (string | number)[], message: string) => void): BusinessModel {
  const names = Object.keys(file.entities);
  const tables = new Map<string, string>();
  const plurals = new Map<string, string>();
  const entities: EntityDef[] = [];
  for (const [name, e] of Object.entries(file.entities)) {
    const plural = e.plural ?? `${snakeCase(name).replace(/_/g, '-')}s`;
    const tableKey = `${e.database ?? ''}/${e.table}`;
    if (tables.has(tableKey)) problem(['entities', name, 'table'], `table '${e.table}' is already used by entity '${tables.get(tableKey)}'`);
    tables.set(tableKey, name);
    if (plurals.has(plural)) problem(['entities', name], `URL name '${plural}' is already used by entity '${plurals.get(plural)}'; set 'plural'`);
    plurals.set(plural, name);
    if (e.database !== undefined && !file.databases?.[e.database]) {
      problem(['entities', name, 'database'], `database '${e.database}' is not declared under 'databases'`);
    }
    const key = e.key ?? 'id';
    const columns = new Map<string, string>([[key, '(key)']]);
    const attributes: AttributeDef[] = [];
    for (const [attrName, a] of Object.entries(e.attributes)) {
      const path = ['entities', name, 'attributes', attrName];
      const column = a.column ?? (a.type === 'ref' ? `${snakeCase(attrName)}_id` : snakeCase(attrName));
      if (columns.has(column)) problem(path, `column '${column}' is already mapped to '${columns.get(column)}'`);
      columns.set(column, attrName);
      if (a.type === 'enum' && !a.values) problem(path, `an enum needs 'values'`);
      if (a.type !== 'enum' && a.values) problem([...path, 'values'], `'values' only applies to type enum`);
      if (a.type === 'ref' && (!a.entity || !names.includes(a.entity))) {
        problem(path, a.entity ? `refers to unknown entity '${a.entity}'` : `a ref needs 'entity'`);
      }
      if (a.default !== undefined && a.values && !a.values.includes(String(a.default))) {
        problem([...path, 'default'], `default '${String(a.default)}' is not one of ${a.values.join(', ')}`);
      }
      attributes.push({
        name: attrName,
        type: a.type,
        column,
        renamedFrom: a.renamedFrom === undefined ? [] : Array.isArray(a.renamedFrom) ? a.renamedFrom : [a.renamedFrom],
        required: a.required ?? false,
        default: a.default,
        values: a.values,
        entity: a.entity,
        min: a.min,
        max: a.max,
        maxLength: a.maxLength,
        description: a.description,
      });
    }
    entities.push({ name, table: e.table, plural, key, database: e.database, attributes });
  }
  return { version: file.version, entities, databases: file.databases ?? {}, caseSla: file.caseSla ?? {} };
}
