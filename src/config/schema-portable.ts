// Rewrites a JSON Schema for generic validators: no x- keywords, no union types, local refs moved.
import type { JsonSchema } from '../registry/index.js';

type Schema = Record<string, unknown>;

/** Rewrites a `$ref` (e.g. one into a component's own definitions, which move to the root). */
export type RefMap = (ref: string) => string;

/** Keywords whose value is one schema. */
const ONE = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
/** Keywords whose value is a list of schemas. */
const LIST = ['allOf', 'anyOf', 'oneOf'];
/** Keywords whose value maps names (not keywords) to schemas. */
const MAP = ['properties', 'patternProperties', 'definitions', '$defs', 'dependencies'];

/** The keywords that apply to one type only, by type (integer shares number's). */
const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
  object: [
    'properties',
    'patternProperties',
    'additionalProperties',
    'required',
    'minProperties',
    'maxProperties',
    'propertyNames',
    'dependencies',
  ],
};
const TYPED = new Set(Object.values(TYPE_KEYWORDS).flat());

function isSchemaObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `type: [string, integer]` with `minimum` becomes `anyOf: [{ type: string }, { type: integer, minimum }]`:
 * the same values, and ajv's strict mode (which generic tools default to) refuses union types.
 */
function splitUnionType(schema: Schema): Schema {
  const { type } = schema;
  if (!Array.isArray(type)) return schema;
  if (type.length === 1) return { ...schema, type: type[0] };
  const rest = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== 'type' && !TYPED.has(key)));
  const branches = type.map((t: string) => {
    const own = TYPE_KEYWORDS[t === 'integer' ? 'number' : t] ?? [];
    return { type: t, ...Object.fromEntries(own.filter((key) => key in schema).map((key) => [key, schema[key]])) };
  });
  // An anyOf of its own stays: the type's branches join it through allOf.
  if (rest.anyOf === undefined) return { ...rest, anyOf: branches };
  return { ...rest, allOf: [...((rest.allOf as unknown[] | undefined) ?? []), { anyOf: branches }] };
}

/**
 * A copy of `schema` that generic validators in strict mode compile: distil-run's own `x-` annotations
 * (which word its messages) dropped, union types split, and every `$ref` passed through `refs`.
 * Values that are data (enum, const, default, examples) and property names are left as they are.
 */
export function portableSchema(schema: unknown, refs: RefMap = (ref) => ref): unknown {
  if (!isSchemaObject(schema)) return schema; // true / false
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) continue;
    if (key === '$ref' && typeof value === 'string') out[key] = refs(value);
    else if (ONE.includes(key)) out[key] = portableSchema(value, refs);
    else if (key === 'items') {
      out[key] = Array.isArray(value) ? value.map((v) => portableSchema(v, refs)) : portableSchema(value, refs);
    } else if (LIST.includes(key) && Array.isArray(value)) out[key] = value.map((v) => portableSchema(v, refs));
    else if (MAP.includes(key) && isSchemaObject(value)) {
      // dependencies may map a key to a list of keys: data, not a schema.
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, v]) => [name, Array.isArray(v) ? v : portableSchema(v, refs)]),
      );
    } else out[key] = value;
  }
  return splitUnionType(out);
}

/** Escapes a name for a JSON Pointer (RFC 6901). */
const pointerToken = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * A component's params schema ready to be inlined in a larger schema: its own `definitions` / `$defs`
 * (which its `$ref`s point into) move to `moved` under names starting with `prefix`, and the refs follow.
 */
export function inlinedParams(params: JsonSchema, prefix: string, moved: Record<string, unknown>): Schema {
  const local = /^#\/(definitions|\$defs)\//;
  const refs: RefMap = (ref) =>
    local.test(ref) ? `#/definitions/${pointerToken(prefix)}${ref.replace(local, '')}` : ref;
  const { definitions, $defs, ...own } = params as Schema;
  for (const group of [definitions, $defs]) {
    if (!isSchemaObject(group)) continue;
    for (const [name, schema] of Object.entries(group)) moved[`${prefix}${name}`] = portableSchema(schema, refs);
  }
  return portableSchema(own, refs) as Schema;
}
