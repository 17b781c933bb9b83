import type { JsonSchema } from './json-schema-builders.js';

/** Whether a value satisfies a schema. */
export type Check = (value: unknown) => boolean;

// What the field schemas of file-schema.ts use; annotations only describe. A schema with any other keyword is
// refused when compiled (a test compiles every field schema), so a new keyword cannot be silently ignored.
const ANNOTATIONS = new Set(['description', 'default', 'title']);
const KEYWORDS = new Set([
  'type',
  'const',
  'anyOf',
  'minItems',
  'minLength',
  'pattern',
  'exclusiveMinimum',
  'minimum',
  'maximum',
  'items',
  'uniqueItems',
  'patternProperties',
  'properties',
  'required',
  'additionalProperties',
]);

type Table = Record<string, unknown>;

const isObject = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const TYPES: Readonly<Record<string, Check>> = {
  string: (value) => typeof value === 'string',
  // Like JSON itself, no NaN or ±Infinity.
  number: (value) => typeof value === 'number' && Number.isFinite(value),
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  boolean: (value) => typeof value === 'boolean',
  array: Array.isArray,
  object: isObject,
};

/**
 * Compiles a field schema into one check, the keywords' meanings those of JSON Schema (and of TypeBox, which
 * a test compares it with): string lengths in code points, numbers finite, objects not arrays.
 */
export function compileCheck(schema: JsonSchema): Check {
  const checks: Check[] = [];
  for (const [keyword, argument] of Object.entries(schema)) {
    if (ANNOTATIONS.has(keyword)) continue;
    if (!KEYWORDS.has(keyword)) throw new Error(`unsupported JSON Schema keyword \`${keyword}\``);
    checks.push(keywordCheck(keyword, argument));
  }
  if (schema['additionalProperties'] === false) {
    const known = new Set(Object.keys((schema['properties'] as Record<string, JsonSchema>) ?? {}));
    checks.push((value) => !isObject(value) || Object.keys(value).every((key) => known.has(key)));
  } else if (schema['additionalProperties'] !== undefined) {
    throw new Error('unsupported JSON Schema keyword `additionalProperties` (only false)');
  }
  return (value) => checks.every((check) => check(value));
}

function keywordCheck(keyword: string, argument: unknown): Check {
  switch (keyword) {
    case 'type': {
      const check = TYPES[argument as string];
      if (check === undefined) throw new Error(`unsupported JSON Schema type \`${String(argument)}\``);
      return check;
    }
    case 'const':
      return (value) => value === argument;
    case 'anyOf': {
      const options = (argument as JsonSchema[]).map(compileCheck);
      return (value) => options.some((check) => check(value));
    }
    case 'minItems':
      return (value) => !Array.isArray(value) || value.length >= (argument as number);
    case 'minLength':
      // A code point is one or two UTF-16 units: a string of twice the length has enough without counting
      // (every command line and description is checked, so counting each one showed in profiles).
      return (value) =>
        typeof value !== 'string' ||
        value.length >= 2 * (argument as number) ||
        codePoints(value) >= (argument as number);
    case 'pattern': {
      const pattern = new RegExp(argument as string, 'u');
      return (value) => typeof value !== 'string' || pattern.test(value);
    }
    case 'exclusiveMinimum':
      return (value) => typeof value !== 'number' || value > (argument as number);
    case 'minimum':
      return (value) => typeof value !== 'number' || value >= (argument as number);
    case 'maximum':
      return (value) => typeof value !== 'number' || value <= (argument as number);
    case 'properties': {
      // Each property the object has matches its schema (absent ones are `required`'s business).
      const entries = Object.entries(argument as Record<string, JsonSchema>).map(
        ([key, property]) => [key, compileCheck(property)] as const,
      );
      return (value) =>
        !isObject(value) ||
        entries.every(([key, check]) => !Object.hasOwn(value, key) || check((value as Table)[key]));
    }
    case 'required':
      return (value) => !isObject(value) || (argument as string[]).every((key) => Object.hasOwn(value, key));
    case 'additionalProperties':
      // Only `false` is used: no keys but the listed `properties` (read from the same schema by compileCheck).
      return () => true;
    case 'items': {
      const item = compileCheck(argument as JsonSchema);
      return (value) => !Array.isArray(value) || value.every(item);
    }
    case 'uniqueItems':
      // Items of the field schemas are strings: equal means identical.
      return (value) => argument !== true || !Array.isArray(value) || new Set(value).size === value.length;
    default: {
      // patternProperties: every key that matches a pattern has a value its schema accepts.
      const entries = Object.entries(argument as Record<string, JsonSchema>).map(
        ([pattern, property]) => [new RegExp(pattern, 'u'), compileCheck(property)] as const,
      );
      return (value) =>
        !isObject(value) ||
        Object.entries(value).every(([key, item]) =>
          entries.every(([pattern, check]) => !pattern.test(key) || check(item)),
        );
    }
  }
}

function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
