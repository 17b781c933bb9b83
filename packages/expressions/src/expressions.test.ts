import { describe, expect, it } from 'vitest';
import { compileTemplate } from './compiled-template.js';
import { ExpressionError } from './expression-error.js';
import { createExpressionScope, type ExpressionValues } from './expression-scope.js';
import { shellQuote, templatesInShellQuotes } from './shell-words.js';
import { stepValue } from './step-value.js';
import { parseTemplate } from './template.js';

const scope = createExpressionScope({ env: 'string', count: 'integer', ratio: 'number', dry: 'boolean' });
const values: ExpressionValues = {
  inputs: { env: 'prod', count: 3, ratio: 2, dry: false },
  steps: new Map([
    ['build', stepValue('ok', { image: 'app:1', size: '42' })],
    ['db-primary', stepValue('skipped')],
  ]),
  run: { id: 7, workflow: 'Deploy', trigger: 'run', operator: 'alice' },
};
const render = (text: string, shell = false) => compileTemplate(scope, text).render(values, { shell });
const failure = (action: () => unknown): ExpressionError => {
  try {
    action();
  } catch (error) {
    if (error instanceof ExpressionError) return error;
    throw error;
  }
  throw new Error('expected an ExpressionError');
};

describe('templates', () => {
  it('renders values as SPEC §8.2 says: whole numbers without .0, lists and maps as JSON', () => {
    expect(render('${{ inputs.env }}-${{ inputs.count + 1 }}')).toBe('prod-4');
    expect(render('${{ inputs.ratio }} ${{ inputs.ratio / 4.0 }} ${{ inputs.dry }}')).toBe('2 0.5 false');
    expect(render('${{ [1, "a"] }} ${{ {"k": inputs.count} }}')).toBe('[1,"a"] {"k":3}');
    expect(render('${{ run.id }} ${{ run.workflow }} ${{ run.trigger }} ${{ run.operator }}')).toBe(
      '7 Deploy run alice',
    );
  });

  it('reads step status and outputs, including ids with a dash and guarded reads', () => {
    expect(render('${{ steps.build.outputs.image }} ${{ int(steps.build.outputs.size) * 2 }}')).toBe(
      'app:1 84',
    );
    expect(render('${{ steps["db-primary"].status }}')).toBe('skipped');
    expect(render('${{ steps["db-primary"].outputs.?x.orValue("none") }}')).toBe('none');
    expect(render('${{ has(steps.build.outputs.nope) }}')).toBe('false');
  });

  it('a missing output names the step and key', () => {
    const error = failure(() => render('${{ steps.build.outputs.nope }}'));
    expect(error.message).toContain('step `build` has no output `nope`');
  });

  it('leaves ${HOME}, {{ x }} and ${ask} alone and writes $${{ as ${{', () => {
    expect(render('echo ${HOME} {{ x }} ${ask} $${{ inputs.env }}')).toBe(
      'echo ${HOME} {{ x }} ${ask} ${{ inputs.env }}',
    );
  });

  it('finds the closing braces after a map literal and inside strings', () => {
    expect(render('${{ {"a": {"b": "}}"}}.a.b }}!')).toBe('}}!');
  });

  it('null is an error', () => {
    expect(failure(() => render('${{ null }}')).message).toContain('null');
  });

  it('a whole-value template keeps its type; a mixed one is text', () => {
    expect(compileTemplate(scope, '${{ inputs.count }}').renderValue(values)).toBe(3);
    expect(compileTemplate(scope, '${{ [inputs.dry] }}').renderValue(values)).toEqual([false]);
    expect(compileTemplate(scope, 'n=${{ inputs.count }}').renderValue(values)).toBe('n=3');
  });

  it('shell-quotes values into commands: one word, never interpreted', () => {
    const hostile = "a'b; touch X";
    const template = compileTemplate(createExpressionScope({ v: 'string' }), 'printf %s ${{ inputs.v }}');
    const rendered = template.render({ ...values, inputs: { v: hostile } }, { shell: true });
    expect(rendered).toBe(`printf %s ${shellQuote(hostile)}`);
    expect(rendered).toBe("printf %s 'a'\\''b; touch X'");
  });

  it('locates syntax, type and unknown-input errors in the template text', () => {
    const syntax = failure(() => compileTemplate(scope, 'x ${{ inputs.env + }}'));
    expect(syntax.code).toBe('EXPRESSION_SYNTAX');
    const type = failure(() => compileTemplate(scope, 'x ${{ inputs.count + 1.5 }}'));
    expect(type.code).toBe('EXPRESSION_TYPE');
    expect(type.message).toContain('int + double');
    const unknown = failure(() => compileTemplate(scope, 'x ${{ inputs.nope }}'));
    expect(unknown.message).toBe('unknown input `nope` (declared: env, count, ratio, dry)');
    expect(unknown.offset).toBe(6);
    expect(failure(() => parseTemplate('a ${{ b')).message).toContain('closing');
  });

  it('lists the steps an expression reads', () => {
    const compiled = scope.compile('steps.build.status == "ok" && steps["db-primary"].outputs.?x.hasValue()');
    expect(compiled.steps.map((step) => step.name)).toEqual(['build', 'db-primary']);
  });
});

describe('templatesInShellQuotes', () => {
  const quoted = (command: string) =>
    templatesInShellQuotes(parseTemplate(command)).map((part) =>
      part.kind === 'expression' ? part.source : '',
    );
  it('finds templates in single or double quotes, not bare or glued ones', () => {
    expect(quoted('echo ${{ inputs.a }} --x=${{ inputs.b }}')).toEqual([]);
    expect(quoted(`echo "hi \${{ inputs.a }}" '\${{ inputs.b }}' \${{ inputs.c }}`)).toEqual([
      'inputs.a',
      'inputs.b',
    ]);
  });
});
