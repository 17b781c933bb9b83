import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatProblem, loadRunbook, type Problem } from '@playbook/parser';
import { describe, expect, it } from 'vitest';

const dir = fileURLToPath(new URL('./fixtures/bad/', import.meta.url));
const load = async (name: string) => {
  const result = await loadRunbook(`${dir}${name}.playbook.toml`);
  return { result, problems: result.ok ? result.warnings : result.problems };
};

interface Expected {
  ok?: boolean;
  code: string;
  message: string;
  nodeId?: string;
  field?: string;
  line: number;
  column: number;
}

// One expected (first) problem per fixture: exact message, code, node/field and 1-based position.
const cases: Record<string, Expected> = {
  'toml-missing-value': {
    code: 'TOML_SYNTAX',
    message:
      'invalid TOML: Unexpected character, expecting string, number, datetime, boolean, inline array or inline table',
    nodeId: 'build',
    line: 9,
    column: 8,
  },
  'toml-duplicate-table': {
    code: 'TOML_SYNTAX',
    message: "invalid TOML: Can't redefine existing key",
    nodeId: 'build',
    line: 12,
    column: 7,
  },
  'toml-unterminated-string': {
    code: 'TOML_SYNTAX',
    message: 'invalid TOML: Unterminated string',
    nodeId: 'build',
    line: 9,
    column: 16,
  },
  'missing-runbook-table': {
    code: 'MISSING_RUNBOOK',
    message: 'missing the [runbook] table (title, description, version, author, created_at)',
    nodeId: 'runbook',
    line: 1,
    column: 1,
  },
  'comments-only': {
    code: 'MISSING_RUNBOOK',
    message: 'missing the [runbook] table (title, description, version, author, created_at)',
    nodeId: 'runbook',
    line: 1,
    column: 1,
  },
  'runbook-missing-title': {
    code: 'MISSING_FIELD',
    message: 'missing required field `title`',
    nodeId: 'runbook',
    field: 'title',
    line: 1,
    column: 1,
  },
  'runbook-not-a-table': {
    code: 'NOT_A_TABLE',
    message: '`runbook` must be a table ([runbook]), not a string',
    nodeId: 'runbook',
    line: 1,
    column: 1,
  },
  'created-at-not-iso': {
    code: 'INVALID_DATE',
    message: '`created_at` is "yesterday", not an ISO-8601 date-time (e.g. "2025-05-03T12:08:00Z")',
    nodeId: 'runbook',
    field: 'created_at',
    line: 6,
    column: 1,
  },
  'created-at-time-only': {
    code: 'INVALID_DATE',
    message: '`created_at` is a time of day without a date',
    nodeId: 'runbook',
    field: 'created_at',
    line: 6,
    column: 1,
  },
  'created-at-number': {
    code: 'INVALID_DATE',
    message: '`created_at` must be a TOML datetime or an ISO-8601 string, not an integer',
    nodeId: 'runbook',
    field: 'created_at',
    line: 6,
    column: 3,
  },
  'node-id-with-space': {
    code: 'INVALID_NODE_ID',
    message: 'node id "deploy app" may only contain letters, digits, `_` and `-`',
    nodeId: 'deploy app',
    line: 8,
    column: 1,
  },
  'unknown-node-type': {
    code: 'UNKNOWN_NODE_TYPE',
    message: 'unknown node type "Shell" (expected Manual, Function or Command)',
    nodeId: 'build',
    field: 'type',
    line: 9,
    column: 1,
  },
  'missing-node-type': {
    code: 'MISSING_FIELD',
    message: 'missing required field `type` (Manual, Function or Command)',
    nodeId: 'build',
    field: 'type',
    line: 8,
    column: 1,
  },
  'manual-missing-prompt': {
    code: 'MISSING_FIELD',
    message: 'missing required field `prompt` for a Manual node',
    nodeId: 'approve',
    field: 'prompt',
    line: 8,
    column: 1,
  },
  'function-missing-function-name': {
    code: 'MISSING_FIELD',
    message: 'missing required field `function_name` for a Function node',
    nodeId: 'notify',
    field: 'function_name',
    line: 8,
    column: 1,
  },
  'command-missing-command-name': {
    code: 'MISSING_FIELD',
    message: 'missing required field `command_name` for a Command node',
    nodeId: 'build',
    field: 'command_name',
    line: 8,
    column: 1,
  },
  'critical-not-boolean': {
    code: 'INVALID_VALUE',
    message: '`critical` must be true or false, not a string ("yes")',
    nodeId: 'build',
    field: 'critical',
    line: 11,
    column: 1,
  },
  'timeout-not-positive': {
    code: 'INVALID_VALUE',
    message: '`timeout` must be a positive number of seconds, not 0',
    nodeId: 'build',
    field: 'timeout',
    line: 11,
    column: 1,
  },
  'function-params-not-table': {
    code: 'INVALID_VALUE',
    message: '`function_params` must be a table, not a string ("channel=#ops")',
    nodeId: 'notify',
    field: 'function_params',
    line: 11,
    column: 1,
  },
  'depends-on-unknown-node': {
    code: 'UNKNOWN_DEPENDENCY',
    message: 'depends on `biuld`, which is not a node of this runbook (did you mean `build`?)',
    nodeId: 'deploy',
    field: 'depends_on',
    line: 15,
    column: 1,
  },
  'depends-on-itself': {
    code: 'SELF_DEPENDENCY',
    message: '`build` depends on itself',
    nodeId: 'build',
    field: 'depends_on',
    line: 11,
    column: 1,
  },
  'depends-on-runbook': {
    code: 'UNKNOWN_DEPENDENCY',
    message: 'depends on `runbook`, which is the metadata table, not a node',
    nodeId: 'build',
    field: 'depends_on',
    line: 11,
    column: 1,
  },
  'depends-on-not-strings': {
    code: 'INVALID_VALUE',
    message: '`depends_on` must be a node id or a list of node ids, not an array holding an integer',
    nodeId: 'deploy',
    field: 'depends_on',
    line: 15,
    column: 1,
  },
  'dependency-cycle': {
    code: 'CYCLE',
    message: 'dependency cycle: a → c → b → a (each depends on the next)',
    nodeId: 'a',
    field: 'depends_on',
    line: 11,
    column: 1,
  },
  'critical-and-skippable': {
    code: 'CRITICAL_SKIPPABLE',
    message: 'a critical node can never be skipped: remove `skippable` or `critical`',
    nodeId: 'build',
    field: 'skippable',
    line: 12,
    column: 1,
  },
  'top-level-scalar': {
    code: 'NOT_A_TABLE',
    message: 'top-level key `stray` must be a node table ([stray]), not an integer',
    nodeId: 'stray',
    line: 1,
    column: 1,
  },
  'bom-then-bad': {
    code: 'NOT_A_TABLE',
    message: 'top-level key `stray` must be a node table ([stray]), not an integer',
    nodeId: 'stray',
    line: 1,
    column: 3,
  },
  'array-of-tables': {
    code: 'NOT_A_TABLE',
    message: 'top-level key `step` must be a node table ([step]), not an array',
    nodeId: 'step',
    line: 8,
    column: 1,
  },
  'dotted-key-node': {
    code: 'MISSING_FIELD',
    message: 'missing required field `command_name` for a Command node',
    nodeId: 'build',
    field: 'command_name',
    line: 2,
    column: 1,
  },
  'inline-table-node': {
    code: 'INVALID_VALUE',
    message: '`timeout` must be a positive number of seconds, not -5',
    nodeId: 'deploy',
    field: 'timeout',
    line: 1,
    column: 60,
  },
  empty: {
    code: 'EMPTY_FILE',
    message: 'the file is empty: a runbook needs a [runbook] table and at least one node',
    line: 1,
    column: 1,
  },
  'not-utf8': {
    code: 'NOT_UTF8',
    message: 'the file is not valid UTF-8 text (byte 0xe9 at offset 207)',
    line: 10,
    column: 25,
  },
  'several-problems': {
    code: 'MISSING_FIELD',
    message: 'missing required field `description`',
    nodeId: 'runbook',
    field: 'description',
    line: 1,
    column: 1,
  },
  'unknown-key-warning': {
    ok: true,
    code: 'UNKNOWN_KEY',
    message: 'unknown key `depnds_on` in node `build` (did you mean `depends_on`?)',
    nodeId: 'build',
    field: 'depnds_on',
    line: 11,
    column: 1,
  },
  'field-for-another-type': {
    ok: true,
    code: 'FIELD_NOT_FOR_TYPE',
    message: '`command_name` is not used by Manual nodes (it belongs to Command nodes)',
    nodeId: 'approve',
    field: 'command_name',
    line: 11,
    column: 1,
  },
  'node-after-runbook-as-dotted-key': {
    ok: true,
    code: 'NO_NODES',
    message: 'the runbook has no nodes: add a table such as [first-step]',
    nodeId: 'runbook',
    line: 1,
    column: 1,
  },
};

describe('bad fixtures', () => {
  it('has an expectation for every fixture file (and a fixture for every expectation)', () => {
    const files = readdirSync(dir)
      .filter((name) => name.endsWith('.playbook.toml'))
      .map((name) => name.replace(/\.playbook\.toml$/, ''))
      .sort();
    expect(files).toEqual(Object.keys(cases).sort());
    expect(files.length).toBeGreaterThanOrEqual(22);
  });

  for (const [name, expected] of Object.entries(cases)) {
    it(`${name}: ${expected.code}`, async () => {
      const { result, problems } = await load(name);
      expect(result.ok).toBe(expected.ok ?? false);
      const { ok: _ok, ...want } = expected;
      const first = problems[0];
      expect(first).toBeDefined();
      const { severity: _severity, file, ...got } = first as Problem;
      expect(got).toEqual(want);
      expect(file).toBe(`${dir}${name}.playbook.toml`);
    });
  }
});

describe('a file with several problems', () => {
  it('reports all of them at once, in file order, with positions', async () => {
    const { result, problems } = await load('several-problems');
    expect(result.ok).toBe(false);
    expect(problems.map((p) => formatProblem({ ...p, file: 'several.playbook.toml' }))).toEqual([
      'several.playbook.toml:1:1: error: [runbook.description] missing required field `description`',
      'several.playbook.toml:3:1: error: [runbook.version] `version` must be a string, not 2',
      'several.playbook.toml:5:1: error: [runbook.created_at] `created_at` is "not a date", not an ISO-8601 date-time (e.g. "2025-05-03T12:08:00Z")',
      'several.playbook.toml:6:1: warning: [runbook.owner] unknown key `owner` in [runbook]',
      'several.playbook.toml:12:1: error: [build.skippable] a critical node can never be skipped: remove `skippable` or `critical`',
      'several.playbook.toml:13:1: warning: [build.timout] unknown key `timout` in node `build` (did you mean `timeout`?)',
      'several.playbook.toml:15:1: error: [test.command_name] missing required field `command_name` for a Command node',
      'several.playbook.toml:17:1: error: [test.depends_on] dependency cycle: test → deploy → test (each depends on the next)',
      'several.playbook.toml:22:1: error: [deploy.depends_on] depends on `ghost`, which is not a node of this runbook',
    ]);
  });
});
