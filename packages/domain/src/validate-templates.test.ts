import * as cel from '@playbook/expressions/cel';
import { describe, expect, it } from 'vitest';
import { validateRunbookDocument } from './validate-runbook.js';

const meta = {
  title: 'Deploy',
  description: 'd',
  version: '0.1.0',
  author: 'Ops',
  created_at: '2025-05-03T12:08:00Z',
};
const inputs = {
  env: { type: 'string', choices: ['staging', 'prod'], default: 'staging' },
  count: { type: 'integer', min: 1, max: 5, default: 2 },
  token: { type: 'string', secret: true },
};
const doc = (nodes: Record<string, unknown>, runbookInputs: unknown = inputs) => ({
  runbook: { ...meta, inputs: runbookInputs },
  ...nodes,
});
const problems = (document: unknown) =>
  validateRunbookDocument(document, { cel })
    .issues.filter((issue) => issue.severity === 'error')
    .map(({ code, nodeId, field, message }) => ({ code, nodeId, field, message }));

describe('inputs', () => {
  it('maps declared inputs in order, with defaults and rules', () => {
    const result = validateRunbookDocument(doc({ a: { type: 'Command', command_name: 'true' } }), { cel });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.runbook.inputs).toEqual([
      { name: 'env', type: 'string', secret: false, choices: ['staging', 'prod'], default: 'staging' },
      { name: 'count', type: 'integer', secret: false, min: 1, max: 5, default: 2 },
      { name: 'token', type: 'string', secret: true },
    ]);
  });

  it('a v1 runbook has no inputs property at all', () => {
    const result = validateRunbookDocument(
      { runbook: meta, a: { type: 'Command', command_name: 'true' } },
      { cel },
    );
    expect(result.ok && 'inputs' in result.runbook).toBe(false);
  });

  it('reports a default that fails its own type, choices, pattern or range, a bad regex, a short secret', () => {
    const found = problems(
      doc(
        { a: { type: 'Command', command_name: 'true' } },
        {
          a: { type: 'integer', default: 'x' },
          b: { choices: ['x', 'y'], default: 'z' },
          c: { pattern: '^[a-z]+$', default: 'ABC' },
          d: { type: 'number', max: 3, default: 4 },
          e: { pattern: '([' },
          f: { secret: true, default: 'abc' },
          'bad-name': { type: 'string' },
        },
      ),
    );
    expect(found.map((p) => [p.field, p.code])).toEqual([
      ['inputs.a.default', 'INVALID_INPUT'],
      ['inputs.b.default', 'INVALID_INPUT'],
      ['inputs.c.default', 'INVALID_INPUT'],
      ['inputs.d.default', 'INVALID_INPUT'],
      ['inputs.e.pattern', 'INVALID_INPUT'],
      ['inputs.f.default', 'INVALID_INPUT'],
      ['inputs.bad-name', 'INVALID_INPUT'],
    ]);
    expect(found[1]?.message).toBe('the default fails its own rules: "z" is not one of "x", "y"');
    expect(found[5]?.message).toContain('at least 4 characters');
  });
});

describe('templates', () => {
  it('accepts templates in the fields that take them', () => {
    const result = validateRunbookDocument(
      doc({
        a: {
          type: 'Command',
          command_name: 'deploy --env ${{ inputs.env }} -n ${{ inputs.count + 1 }}',
          env: { TOKEN: '${{ inputs.token }}' },
          description: 'to ${{ inputs.env }}',
        },
        b: { type: 'Manual', prompt: 'a was ${{ steps.a.status }}', depends_on: 'a' },
        c: {
          type: 'Function',
          function_name: 'playbook:notify',
          function_params: { message: '${{ inputs.count }}', raw: '${ask}' },
          depends_on: 'b',
        },
      }),
      { cel },
    );
    expect(result.issues).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('locates each bad template at its node and field', () => {
    const found = problems(
      doc({
        a: { type: 'Command', command_name: 'echo ${{ inputs.nope }}' },
        b: { type: 'Command', command_name: 'echo ${{ steps.c.status }}' },
        c: { type: 'Command', command_name: 'echo "${{ inputs.env }}"' },
        d: { type: 'Command', command_name: 'login ${{ inputs.token }}' },
        e: { type: 'Manual', prompt: '${{ inputs.count + "x" }}', name: 'E ${{ inputs.env }}' },
        f: { type: 'Manual', prompt: '${{ inputs.env + }}', depends_on: 'a' },
        g: { type: 'Command', command_name: 'true', env: { '1X': 'a', Y: 3 } },
        h: { type: 'Manual', prompt: '${{ steps.zz.status }} ${{ steps.h.status }}' },
      }),
    );
    expect(found.map((p) => [p.nodeId, p.field, p.code])).toEqual([
      ['a', 'command_name', 'EXPRESSION_TYPE'],
      ['b', 'command_name', 'NOT_AN_ANCESTOR'],
      ['c', 'command_name', 'TEMPLATE_IN_QUOTES'],
      ['d', 'command_name', 'SECRET_IN_COMMAND'],
      ['e', 'prompt', 'EXPRESSION_TYPE'],
      ['e', 'name', 'TEMPLATE_NOT_ALLOWED'],
      ['f', 'prompt', 'EXPRESSION_SYNTAX'],
      ['g', 'env.1X', 'INVALID_ENV'],
      ['g', 'env.Y', 'INVALID_ENV'],
      ['h', 'prompt', 'UNKNOWN_STEP'],
      ['h', 'prompt', 'NOT_AN_ANCESTOR'],
    ]);
    expect(found[0]?.message).toContain('unknown input `nope` (declared: env, count, token)');
    expect(found[2]?.message).toContain('env');
    expect(found[3]?.message).toContain('secret input `token`');
  });

  it('finds a template inside quotes on a line that also writes $${{ (a value with a quote would run as code)', () => {
    const found = problems(
      doc({
        c: {
          type: 'Command',
          command_name: 'echo "release ${{ inputs.env }}"\ncat > wf.yml <<\'E\'\nsha: $${{ github.sha }}\nE',
        },
      }),
    );
    expect(found.map((p) => [p.nodeId, p.field, p.code])).toEqual([
      ['c', 'command_name', 'TEMPLATE_IN_QUOTES'],
    ]);
  });

  it('reads a transitive ancestor; $${{ and ${HOME} are plain text', () => {
    const result = validateRunbookDocument(
      doc({
        a: { type: 'Command', command_name: 'echo ${HOME} $${{ x }}' },
        b: { type: 'Command', command_name: 'true', depends_on: 'a' },
        c: { type: 'Manual', prompt: '${{ steps.a.status }}', depends_on: 'b', name: 'n $${{ y }}' },
      }),
      { cel },
    );
    expect(result.issues).toEqual([]);
  });
});

describe('reads of step outputs', () => {
  const nodes = {
    build: { type: 'Command', command_name: 'true', outputs: ['image'], secret_outputs: ['token'] },
    approve: { type: 'Manual', prompt: 'ok?' },
    free: { type: 'Command', command_name: 'true' },
    fn: { type: 'Function', function_name: 'playbook:notify', function_params: {} },
  };
  const reader = (fields: Record<string, unknown>) =>
    doc({ ...nodes, use: { type: 'Command', depends_on: ['build', 'approve', 'free', 'fn'], ...fields } });

  it('accepts a declared output, a Manual note, and any key of a node that declares none', () => {
    expect(
      problems(
        reader({
          command_name:
            'echo ${{ steps.build.outputs.image }} ${{ steps.approve.outputs.note }} ${{ steps.free.outputs.x }} ${{ steps.fn.outputs.y }}',
          env: { T: '${{ steps.build.outputs.token }}' },
          when: 'has(steps.build.outputs.image)',
        }),
      ),
    ).toEqual([]);
  });

  it('names the step, the key, a close declared key and the position, in templates and in when', () => {
    expect(
      problems(
        reader({
          command_name: 'echo ${{ steps.build.outputs.imgae }}',
          env: { N: 'x ${{ steps.approve.outputs["notes"] }}' },
          when: 'steps.build.outputs.?digest.orValue("") == ""',
        }),
      ),
    ).toEqual([
      {
        code: 'UNKNOWN_OUTPUT',
        nodeId: 'use',
        field: 'command_name',
        message:
          '${{ steps.build.outputs.imgae }}: step `build` has no output `imgae` (did you mean `image`?); ' +
          'it declares `image`, `token` (at character 10 of the value)',
      },
      {
        code: 'UNKNOWN_OUTPUT',
        nodeId: 'use',
        field: 'env.N',
        message:
          '${{ steps.approve.outputs["notes"] }}: step `approve` has no output `notes` (did you mean `note`?); ' +
          'it declares `note` (at character 7 of the value)',
      },
      {
        code: 'UNKNOWN_OUTPUT',
        nodeId: 'use',
        field: 'when',
        message:
          '`when`: step `build` has no output `digest`; it declares `image`, `token` (at character 1 of the value)',
      },
    ]);
  });
});

describe('checks of many templates', () => {
  it('reports a bad expression at every node that has it, after more distinct ones than are kept', () => {
    const nodes: Record<string, unknown> = {};
    for (let index = 0; index < 2500; index++) {
      nodes[`n${index}`] = {
        type: 'Command',
        command_name:
          index % 1000 === 999
            ? 'echo ${{ inputs.count + "x" }} ${{ inputs.nope }}'
            : `echo \${{ inputs.count + ${index} }}`,
      };
    }
    const found = problems(doc(nodes));
    expect(found.map((p) => [p.nodeId, p.code])).toEqual([
      ['n999', 'EXPRESSION_TYPE'],
      ['n1999', 'EXPRESSION_TYPE'],
    ]);
    expect(found[0]?.message).toBe(found[1]?.message);
    expect(found[0]?.message).toBe('no such overload: int + string (at character 10 of the value)');
  });

  it('checks reads of a far ancestor from every node of a long chain, and a read that is not one', () => {
    const nodes: Record<string, unknown> = {
      n0: { type: 'Command', command_name: 'true' },
      side: { type: 'Command', command_name: 'true' },
    };
    for (let index = 1; index < 3000; index++) {
      nodes[`n${index}`] = {
        type: 'Manual',
        prompt: `\${{ steps.n0.status }} \${{ steps.n${index - 1}.status }}`,
        depends_on: `n${index - 1}`,
        ...(index === 2999 ? { description: '${{ steps.side.status }}' } : {}),
      };
    }
    const found = problems(doc(nodes));
    expect(found).toEqual([
      {
        code: 'NOT_AN_ANCESTOR',
        nodeId: 'n2999',
        field: 'description',
        message:
          '${{ steps.side.status }}: `n2999` does not depend on `side` (directly or not), so it may run before it: add it to depends_on',
      },
    ]);
  });

  it('a command line the shell lexer cannot read is not a crash', () => {
    expect(
      problems(doc({ a: { type: 'Command', command_name: "echo $${{ lit }} ${{ inputs.env }} 'q'" } })),
    ).toEqual([]);
  });
});
