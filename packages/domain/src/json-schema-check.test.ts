import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import { describe, expect, it } from 'vitest';
import { COMMON_NODE_FIELDS, type FieldSpec, RUNBOOK_FIELDS, TYPE_FIELDS } from './file-schema.js';
import { compileCheck } from './json-schema-check.js';

const fields: [string, FieldSpec][] = [
  ...Object.entries(RUNBOOK_FIELDS),
  ...Object.entries(COMMON_NODE_FIELDS),
  ...Object.values(TYPE_FIELDS).flatMap((typeFields) => Object.entries(typeFields)),
];

// Values a TOML parser gives, and the awkward ones around each keyword's edge.
const edges: unknown[] = [
  '',
  ' ',
  'a',
  'Manual',
  'Command',
  'manual',
  'a-b_c9',
  'a b',
  'ä',
  '😀',
  0,
  -1,
  0.5,
  600,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  [],
  ['a'],
  ['a', 'a'],
  ['a', 'b'],
  ['a', 1],
  ['a b'],
  {},
  { a: 1 },
  { nested: { deep: [1] } },
  { attempts: 3 },
  { attempts: 3, delay: 5, backoff: 2, exit_codes: [75] },
  { attempts: -1 },
  { attempts: 1.5 },
  { attempts: 2, backoff: 0.5 },
  { attempts: 2, exit_codes: [0] },
  { attempts: 2, exit_codes: [256] },
  { attempts: 2, extra: 1 },
  { delay: 1 },
  new Date(0),
];

describe('compileCheck: the field schemas checked without TypeBox', () => {
  it('compiles every field schema of the file format', () => {
    for (const [, spec] of fields) expect(() => compileCheck(spec.schema)).not.toThrow();
  });

  it('agrees with TypeBox on every field schema, for edge values and any value', () => {
    for (const [name, spec] of fields) {
      const ours = compileCheck(spec.schema);
      const theirs = Compile(spec.schema as Parameters<typeof Compile>[0]);
      for (const value of edges) expect(ours(value), `${name}: ${String(value)}`).toBe(theirs.Check(value));
      fc.assert(
        fc.property(
          fc.oneof(fc.anything(), fc.array(fc.string()), fc.stringMatching(/^[A-Za-z0-9_ -]{0,4}$/)),
          (value) => ours(value) === theirs.Check(value),
        ),
        { numRuns: 300 },
      );
    }
  });

  it('refuses a keyword it does not know rather than ignoring it', () => {
    expect(() => compileCheck({ type: 'string', maxLength: 3 })).toThrow('unsupported JSON Schema keyword');
    expect(() => compileCheck({ type: 'null' })).toThrow('unsupported JSON Schema type');
  });
});
