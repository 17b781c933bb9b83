import * as cel from '@playbook/expressions/cel';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from './parse-runbook.js';
import { formatProblem } from './problem.js';

const meta = (createdAt: string) =>
  `[runbook]\ntitle = "t"\ndescription = "d"\nversion = "1"\nauthor = "a"\ncreated_at = ${createdAt}\n`;
const node = '\n[a]\ntype = "Manual"\nprompt = "p"\n';

describe('parseRunbook', () => {
  it('normalises TOML datetimes and ISO strings for created_at to UTC', () => {
    const createdAt = (literal: string) => {
      const result = parseRunbook(meta(literal) + node, 'x.playbook.toml');
      return result.ok ? result.runbook.meta.createdAt : result.problems;
    };
    expect(createdAt('2025-05-03T14:08:00+02:00')).toBe('2025-05-03T12:08:00.000Z');
    expect(createdAt('2025-05-03 12:08:00Z')).toBe('2025-05-03T12:08:00.000Z');
    expect(createdAt('2025-05-03T12:08:00')).toBe('2025-05-03T12:08:00.000Z');
    expect(createdAt('2025-05-03')).toBe('2025-05-03T00:00:00.000Z');
    expect(createdAt('"2025-05-03T12:08:00-05:00"')).toBe('2025-05-03T17:08:00.000Z');
  });

  it('reports TOML syntax errors with 1-based positions (the library counts from 0)', () => {
    const result = parseRunbook('[runbook]\ntitle = "t\n', 'x.playbook.toml');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([
      {
        severity: 'error',
        code: 'TOML_SYNTAX',
        message: 'invalid TOML: Unterminated string',
        file: 'x.playbook.toml',
        nodeId: 'runbook',
        line: 2,
        column: 11,
      },
    ]);
  });

  it('a non-ASCII bare key is named, and a broken [header] is not put in the table before it', () => {
    const problems = (text: string) => {
      const result = parseRunbook(text, 'x.playbook.toml');
      return result.ok ? [] : result.problems.map((p) => formatProblem(p));
    };
    // It was `[runbook] invalid TOML: Empty bare keys are not allowed`: the wrong table, and no word of why.
    expect(problems(`${meta('2025-05-03')}\n[étape]\ntype = "Manual"\nprompt = "p"\n`)).toEqual([
      'x.playbook.toml:8:2: error: invalid TOML: Empty bare keys are not allowed (`étape` is not a bare key: bare keys and node ids are ASCII letters, digits, _ and -)',
    ]);
    expect(problems(`${meta('2025-05-03')}${node}nämlich = 1\n`)).toEqual([
      'x.playbook.toml:11:2: error: [a] invalid TOML: Invalid character, expected "=" (`nämlich` is not a bare key: bare keys and node ids are ASCII letters, digits, _ and -)',
    ]);
  });

  it('locates a template error in a multi-line command at its field, and at its character in the value', () => {
    const text =
      meta('2025-05-03') +
      '\n[runbook.inputs.env]\ndefault = "prod"\n' +
      '\n[a]\ntype = "Command"\ncommand_name = """\necho start\n  deploy ${{ inputs.env }} "${{ inputs.env }}"\n"""\n' +
      '\n[b]\ntype = "Command"\ndepends_on = ["a"]\ncommand_name = """\necho one\necho ${{ inputs.nope }}"""\n';
    const result = parseRunbook(text, 'x.playbook.toml', { cel });
    expect(!result.ok && result.problems.map(formatProblem)).toEqual([
      'x.playbook.toml:13:1: error: [a.command_name] the template ${{ inputs.env }} is inside shell quotes: a ' +
        'value cannot be inserted there safely; pass it through `env` (env = { VALUE = "${{ inputs.env }}" }) ' +
        'and write "$VALUE"',
      'x.playbook.toml:21:1: error: [b.command_name] unknown input `nope` (declared: env) (at character 19 of ' +
        'the value)',
    ]);
  });

  it('a whitespace-only text is an empty file', () => {
    const result = parseRunbook('\uFEFF \n\t\n', 'x.playbook.toml');
    expect(!result.ok && result.problems[0]?.code).toBe('EMPTY_FILE');
  });
});

describe('formatProblem', () => {
  it('prints one line with position, severity, node and field', () => {
    expect(
      formatProblem({
        severity: 'error',
        code: 'CYCLE',
        message: 'dependency cycle: a → b → a',
        file: 'x.playbook.toml',
        nodeId: 'a',
        field: 'depends_on',
        line: 3,
        column: 1,
      }),
    ).toBe('x.playbook.toml:3:1: error: [a.depends_on] dependency cycle: a → b → a');
    expect(
      formatProblem({
        severity: 'warning',
        code: 'NO_NODES',
        message: 'no nodes',
        file: 'f',
        nodeId: 'runbook',
      }),
    ).toBe('f: warning: [runbook] no nodes');
    expect(
      formatProblem({ severity: 'error', code: 'FILE_NOT_FOUND', message: 'file not found', file: 'f' }),
    ).toBe('f: error: file not found');
  });
});
