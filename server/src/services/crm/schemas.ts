// JSON schemas generated from the model: what the REST API accepts and returns
// for each entity, and what the repository checks for callers other than HTTP.

import { FormatRegistry, Type, type TSchema, type TObject } from '@sinclair/typebox';

// TypeBox checks formats only once they are registered (fastify's ajv knows them already).
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)));
}
if (!FormatRegistry.Has('date')) {
  FormatRegistry.Set('date', (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)));
}
import type { AttributeDef, EntityDef } from './model.js';

function attributeSchema(attr: AttributeDef): TSchema {
  const description = attr.description !== undefined ? { description: attr.description } : {};
  switch (attr.type) {
    case 'string':
    case 'text':
      return Type.String({ ...description, ...(attr.maxLength !== undefined ? { maxLength: attr.maxLength } : {}) });
    case 'integer':
    case 'ref':
      return Type.Integer({ ...description, ...(attr.min !== undefined ? { minimum: attr.min } : {}), ...(attr.max !== undefined ? { maximum: attr.max } : {}) });
    case 'number':
      return Type.Number({ ...description, ...(attr.min !== undefined ? { minimum: attr.min } : {}), ...(attr.max !== undefined ? { maximum: attr.max } : {}) });
    case 'boolean':
      return Type.Boolean(description);
    case 'datetime':
      return Type.String({ ...description, format: 'date-time' });
    case 'date':
      return Type.String({ ...description, format: 'date' });
    case 'enum':
      return Type.Union((attr.values ?? []).map((v) => Type.Literal(v)), description);
    case 'json':
      return Type.Unknown(description);
    case 'string-list':
      return Type.Array(Type.String(), description);
    case 'phone-list':
      return Type.Array(Type.String({ minLength: 3, maxLength: 32 }), { ...description, description: attr.description ?? 'phone numbers; stored in E.164' });
  }
}

const nullable = (schema: TSchema): TSchema => Type.Union([schema, Type.Null()]);

/** Body of POST: required attributes must be present. */
export function createSchema(entity: EntityDef): TObject {
  const props: Record<string, TSchema> = {};
  for (const a of entity.attributes) props[a.name] = a.required ? attributeSchema(a) : Type.Optional(nullable(attributeSchema(a)));
  return Type.Object(props, { additionalProperties: false });
}

/** Body of PATCH: any subset; required attributes cannot be cleared. */
export function patchSchema(entity: EntityDef): TObject {
  const props: Record<string, TSchema> = {};
  for (const a of entity.attributes) props[a.name] = Type.Optional(a.required ? attributeSchema(a) : nullable(attributeSchema(a)));
  return Type.Object(props, { additionalProperties: false, minProperties: 1 });
}

/** A stored record as the API returns it. */
export function recordSchema(entity: EntityDef): TObject {
  const props: Record<string, TSchema> = { id: Type.Integer() };
  for (const a of entity.attributes) props[a.name] = Type.Optional(nullable(attributeSchema(a)));
  if (entity.database === undefined) {
    props['createdAt'] = Type.String({ format: 'date-time' });
    props['updatedAt'] = Type.String({ format: 'date-time' });
  }
  return Type.Object(props, { title: entity.name });
}
