// The few JSON Schema builders file-schema.ts needs, named and shaped like TypeBox's (`Type.String(…)`), writing
// the same plain JSON Schema objects, keywords in the same order (schema/playbook.schema.json is unchanged).
// Why not TypeBox itself: importing it (and its validator compiler) loaded ~390 kB of code on every
// `playbook validate` and `playbook run`, about a third of their start-up time; these schemas use six kinds.

/** A JSON Schema (draft-07 keywords), as plain data. */
export type JsonSchema = { readonly [keyword: string]: unknown };

/** Keywords a builder takes besides its own: annotations (description, default, title) and constraints. */
type Options = { readonly [keyword: string]: unknown };

// Properties marked optional by `Type.Optional`: left out of their object's `required`.
const optional = new WeakSet<JsonSchema>();

export const Type = {
  String: (options: Options = {}): JsonSchema => ({ type: 'string', ...options }),
  Number: (options: Options = {}): JsonSchema => ({ type: 'number', ...options }),
  Integer: (options: Options = {}): JsonSchema => ({ type: 'integer', ...options }),
  Boolean: (options: Options = {}): JsonSchema => ({ type: 'boolean', ...options }),
  Literal: (value: string, options: Options = {}): JsonSchema => ({
    type: 'string',
    const: value,
    ...options,
  }),
  Union: (schemas: readonly JsonSchema[], options: Options = {}): JsonSchema => ({
    anyOf: schemas,
    ...options,
  }),
  Array: (items: JsonSchema, options: Options = {}): JsonSchema => ({ type: 'array', items, ...options }),
  /** A table of any keys, each value anything. */
  Record: (options: Options = {}): JsonSchema => ({
    type: 'object',
    patternProperties: { '^.*$': {} },
    ...options,
  }),
  /** A table whose keys match `keyPattern`, each value matching `value`. */
  RecordOf: (keyPattern: string, value: JsonSchema, options: Options = {}): JsonSchema => ({
    type: 'object',
    patternProperties: { [keyPattern]: value },
    ...options,
  }),
  /** `schema` as a property its object may lack. */
  Optional: (schema: JsonSchema): JsonSchema => {
    const copy = { ...schema };
    optional.add(copy);
    return copy;
  },
  Object: (properties: Readonly<Record<string, JsonSchema>>, options: Options = {}): JsonSchema => {
    const required = Object.keys(properties).filter((key) => !optional.has(properties[key] as JsonSchema));
    return {
      type: 'object',
      ...(required.length === 0 ? {} : { required }),
      properties,
      ...options,
    };
  },
};
