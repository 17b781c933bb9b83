import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTemplate, compileTemplate } from './compiled-template.js';
import { ExpressionError } from './expression-error.js';
import { createExpressionScope, type ExpressionFacts } from './expression-scope.js';
import { referenceFacts } from './reference-facts.js';
import { parseTemplate } from './template.js';

const types = { env: 'string', count: 'integer', ratio: 'number', dry: 'boolean' } as const;
const scope = createExpressionScope(types);

/** What `fn` gives, as plain data: the facts, or the error's code, message and offset. */
function outcome(fn: () => ExpressionFacts): unknown {
  try {
    const { source, type, inputs, steps, run, outputs } = fn();
    return { source, type, inputs: [...inputs], steps: [...steps], run: [...run], outputs: [...outputs] };
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    return { code: error.code, message: error.message, offset: error.offset };
  }
}

describe('check: the facts of an expression without keeping it', () => {
  // Segments that make plain references, near misses and CEL's own words.
  const segment = fc.constantFrom(
    'inputs',
    'steps',
    'run',
    'env',
    'count',
    'ratio',
    'dry',
    'nope',
    'id',
    'workflow',
    'trigger',
    'operator',
    'status',
    'outputs',
    'image',
    'build',
    '_x1',
    'in',
    'true',
    'null',
    'while',
  );
  // Mostly rooted at a variable, so that the shortcut's cases come up often.
  const dotted = fc.oneof(
    fc
      .tuple(fc.constantFrom('inputs', 'steps', 'run'), fc.array(segment, { minLength: 1, maxLength: 3 }))
      .map(([root, names]) => [root, ...names].join('.')),
    fc.array(segment, { minLength: 1, maxLength: 5 }).map((names) => names.join('.')),
  );

  it('gives what compile gives (facts or the same error) for any dotted name, with or without the shortcut', () => {
    fc.assert(
      fc.property(dotted, (source) => {
        expect(outcome(() => scope.check(source))).toEqual(outcome(() => scope.compile(source)));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers without the CEL parser only for a declared name read the plain way', () => {
    const shortcut = (source: string) => referenceFacts(source, types) !== undefined;
    expect(
      [
        'inputs.env',
        'inputs.count',
        'run.id',
        'run.operator',
        'steps.build.status',
        'steps.build.outputs.image',
        'steps._b2.outputs.x_1',
      ].every(shortcut),
    ).toBe(true);
    expect(
      [
        'inputs.nope',
        'inputs.env.x',
        'run.nope',
        'steps.build',
        'steps.build.outputs',
        'steps.build.nope',
        'steps.in.status',
        'steps.build.outputs.true',
        'steps["build"].status',
        'steps.build.status == "ok"',
        'inputs. env',
        'x.env',
        'inputs',
      ].some(shortcut),
    ).toBe(false);
    expect(outcome(() => scope.check('steps.build.outputs.image'))).toEqual({
      source: 'steps.build.outputs.image',
      type: 'string',
      inputs: [],
      steps: [{ name: 'build', offset: 0 }],
      run: [],
      outputs: [{ step: 'build', key: 'image', offset: 0 }],
    });
  });

  it('checks other expressions with the CEL library, as compile does', () => {
    for (const source of [
      'inputs.count + 1',
      'inputs.count + 1.5',
      'steps.build.status == "ok" && steps["db-primary"].outputs.?x.hasValue()',
      'inputs.env +',
      'has(steps.build.outputs.image) ? 1 : run.id',
      'inputs.nope',
    ]) {
      expect(outcome(() => scope.check(source))).toEqual(outcome(() => scope.compile(source)));
    }
  });
});

describe('checkTemplate', () => {
  it('finds the same expressions and offsets as compileTemplate, and fails at the same place', () => {
    const texts = [
      'deploy ${{ inputs.env }} -n ${{ inputs.count + 1 }}',
      'line one\n  line two ${{   steps.build.outputs.image }}\nthree ${{ run.id }}',
      'a\nb\nc ${{ inputs.count + "x" }}',
      'x ${{ inputs.nope }}',
      'x\n${{ inputs.env + }}',
      '$${{ literal }} ${{ inputs.dry }}',
    ];
    // The sources and offsets found, or the error's code, message and offset.
    const found = (expressions: () => readonly { expression: ExpressionFacts; offset: number }[]) => {
      try {
        return expressions().map(({ expression, offset }) => ({ source: expression.source, offset }));
      } catch (error) {
        if (!(error instanceof ExpressionError)) throw error;
        return { code: error.code, message: error.message, offset: error.offset };
      }
    };
    for (const text of texts) {
      const checked = found(() => checkTemplate(scope, parseTemplate(text)));
      const compiled = found(() => compileTemplate(scope, text).expressions);
      expect(checked).toEqual(compiled);
    }
  });
});
