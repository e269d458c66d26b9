// Response serialisation (fast-json-stringify, fastify's own compiler) with
// one change to the schema it compiles from: unions that fast-json-stringify
// can only serialise by validating each value against each branch with ajv on
// every response — a union of string literals (a role, an agent state) or a
// scalar-or-null (an optional date) — are handed to it as the plain type it can
// write directly: `{ type: 'string', enum }`, `{ type: ['string', 'null'] }`.
// The JSON written is the same; what is lost is only the check, on our own
// answers, that a state is one of its literals. The routes' schemas (and the
// OpenAPI document made from them) are not changed: a copy is compiled.
//
// On GET /api/auth/me (five such unions) the ajv checks were ~3 % of the
// server's busy time (docs/performance.md, "HTTP, second pass").

import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type Json = unknown;
type SchemaObject = Record<string, Json>;

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean']);
/** Keywords that make a branch more than a plain scalar to fast-json-stringify. */
const COMPOSITE_KEYWORDS = ['anyOf', 'oneOf', 'allOf', '$ref', 'if', 'not', 'properties', 'items'];

const isObject = (value: Json): value is SchemaObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNull = (branch: SchemaObject): boolean => branch.type === 'null';
const isStringLiteral = (branch: SchemaObject): boolean => typeof branch.const === 'string';
const isPlainScalar = (branch: SchemaObject): boolean =>
  typeof branch.type === 'string' && SCALAR_TYPES.has(branch.type) && branch.const === undefined && COMPOSITE_KEYWORDS.every((k) => branch[k] === undefined);

/** The union as one schema fast-json-stringify writes without validating, or undefined to leave it as it is. */
function plainUnion(branches: SchemaObject[]): SchemaObject | undefined {
  const values = branches.filter((b) => !isNull(b));
  const nullable = values.length < branches.length;
  let base: SchemaObject;
  if (values.length > 0 && values.every(isStringLiteral)) base = { type: 'string', enum: values.map((b) => b.const) };
  else if (values.length === 1 && nullable && isPlainScalar(values[0] as SchemaObject)) base = { ...(values[0] as SchemaObject) };
  else return undefined;
  return nullable ? { ...base, type: [base.type, 'null'] } : base;
}

/** A copy of a (response) schema with its literal and nullable-scalar unions made plain; everything else copied as it is. */
export function forSerialization(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(forSerialization);
  if (!isObject(schema)) return schema;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) {
    // `const`/`enum`/`default`/`examples` are values, not schemas.
    out[key] = key === 'const' || key === 'enum' || key === 'default' || key === 'examples' ? value : forSerialization(value);
  }
  const branches = out.anyOf;
  if (Array.isArray(branches) && branches.every(isObject)) {
    const plain = plainUnion(branches);
    if (plain) {
      delete out.anyOf;
      return { ...out, ...plain };
    }
  }
  return out;
}

type SerializerFactory = ReturnType<typeof SerializerSelector>;

/** fastify's `schemaController.compilersFactory.buildSerializer`: its default, compiling from `forSerialization(schema)`. */
export function buildResponseSerializers(): SerializerFactory {
  const fastifyDefault = SerializerSelector();
  return (externalSchemas, options) => {
    const compile = fastifyDefault(externalSchemas, options);
    return (route) => compile({ ...route, schema: forSerialization(route.schema) as typeof route.schema });
  };
}
