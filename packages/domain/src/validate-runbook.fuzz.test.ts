import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ASK_PLACEHOLDER } from './runbook.js';
import { validateRunbookDocument } from './validate-runbook.js';

// The validator takes whatever a TOML library (or an embedding program) hands it. Whatever that is, it returns
// a result — a runbook, or at least one error issue — and never throws.

function check(document: unknown, order?: readonly string[]): void {
  const result = validateRunbookDocument(document, order === undefined ? {} : { order });
  if (!result.ok) expect(result.issues.some((issue) => issue.severity === 'error')).toBe(true);
  for (const issue of result.issues) {
    expect(typeof issue.message).toBe('string');
    expect(issue.message.trim()).not.toBe('');
  }
  if (result.ok) {
    const ids = result.runbook.nodes.map((node) => node.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const node of result.runbook.nodes) {
      for (const dependency of node.dependsOn) expect(ids).toContain(dependency);
    }
  }
}

const anyValue = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withNullPrototype: true,
  withObjectString: true,
  withBoxedValues: true,
  withSparseArray: true,
});

const FIELDS = [
  'type',
  'name',
  'description',
  'depends_on',
  'repeatable',
  'skippable',
  'critical',
  'timeout',
  'prompt',
  'command_name',
  'function_name',
  'function_params',
  'constructor',
  '__proto__',
  'toString',
];
const fieldValue = fc.oneof(
  fc.constantFrom('Manual', 'Function', 'Command', ASK_PLACEHOLDER, '', 'a', 'b', 'runbook'),
  fc.array(fc.constantFrom('a', 'b', 'c', 'runbook', ''), { maxLength: 4 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  anyValue,
);
const nodeLike = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 8 });
const runbookTable = fc.dictionary(
  fc.constantFrom('title', 'description', 'version', 'author', 'created_at', 'extra'),
  fc.oneof(fc.string(), fc.date({ noInvalidDate: false }), anyValue),
  { maxKeys: 6 },
);
const documentLike = fc
  .tuple(
    fc.option(runbookTable, { nil: undefined }),
    fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', '1', '10', 'bad id', 'constructor'), nodeLike, {
      maxKeys: 5,
    }),
  )
  .map(([runbook, nodes]) => (runbook === undefined ? { ...nodes } : { runbook, ...nodes }));

describe('validateRunbookDocument on arbitrary values', () => {
  it('never throws on anything at all', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        check(value);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on runbook-shaped objects with wrong, missing or odd fields', () => {
    fc.assert(
      fc.property(documentLike, (document) => {
        check(document);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws when the declared order lies (missing, unknown or repeated keys)', () => {
    fc.assert(
      fc.property(
        documentLike,
        fc.array(fc.constantFrom('a', 'b', 'z', 'runbook', '__proto__'), { maxLength: 6 }),
        (document, order) => {
          check(document, order);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on a document whose tables have no prototype (what some TOML libraries produce)', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, {
      runbook: Object.assign(Object.create(null), { title: 't' }),
      a: Object.assign(Object.create(null), { type: 'Command', command_name: 'true' }),
    });
    check(bare);
  });
});
