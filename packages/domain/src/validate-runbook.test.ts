import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import { RunbookFileSchema } from './file-schema.js';
import { ASK_PLACEHOLDER, ASK_SECRET_PLACEHOLDER } from './runbook.js';
import { validateRunbookDocument } from './validate-runbook.js';

const meta = {
  title: 'Deploy',
  description: 'Blue/green deployment',
  version: '0.1.0',
  author: 'Ops Team',
  created_at: '2025-05-03T12:08:00Z',
};
const doc = (nodes: Record<string, unknown>, runbook: unknown = meta) => ({ runbook, ...nodes });
const issuesOf = (document: unknown) =>
  validateRunbookDocument(document).issues.map(({ code, nodeId, field, severity }) => ({
    code,
    nodeId,
    field,
    severity,
  }));

describe('validateRunbookDocument: mapping', () => {
  it('maps the file format to the camelCase Runbook with defaults', () => {
    const result = validateRunbookDocument(
      doc({
        build: { type: 'Command', command_name: 'make', critical: true, name: 'Build', timeout: 600 },
        approve: { type: 'Manual', prompt: 'Go?', depends_on: 'build', description: 'Look first' },
        notify: {
          type: 'Function',
          function_name: './ops.mjs#notify',
          depends_on: ['approve'],
          skippable: true,
        },
      }),
    );
    expect(result).toEqual({
      ok: true,
      issues: [],
      runbook: {
        meta: {
          title: 'Deploy',
          description: 'Blue/green deployment',
          version: '0.1.0',
          author: 'Ops Team',
          createdAt: '2025-05-03T12:08:00.000Z',
        },
        nodes: [
          {
            id: 'build',
            type: 'Command',
            name: 'Build',
            commandName: 'make',
            dependsOn: [],
            repeatable: false,
            skippable: false,
            critical: true,
            timeout: 600,
          },
          {
            id: 'approve',
            type: 'Manual',
            name: 'approve',
            prompt: 'Go?',
            description: 'Look first',
            dependsOn: ['build'],
            repeatable: false,
            skippable: false,
            critical: false,
          },
          {
            id: 'notify',
            type: 'Function',
            name: 'notify',
            functionName: './ops.mjs#notify',
            functionParams: {},
            dependsOn: ['approve'],
            repeatable: false,
            skippable: true,
            critical: false,
          },
        ],
      },
    });
  });

  it('keeps the declared order given by the parser, even for integer-like ids', () => {
    const document = doc({ step: { type: 'Manual', prompt: 'a' }, 10: { type: 'Manual', prompt: 'b' } });
    expect(Object.keys(document)).toEqual(['10', 'runbook', 'step']);
    const result = validateRunbookDocument(document, { order: ['runbook', 'step', '10'] });
    expect(result.ok && result.runbook.nodes.map((node) => node.id)).toEqual(['step', '10']);
  });

  it('keeps the ask placeholders (plain and secret) as they are written, for the engine to ask', () => {
    const params = { channel: '#ops', message: ASK_PLACEHOLDER, token: ASK_SECRET_PLACEHOLDER };
    const result = validateRunbookDocument(
      doc({ notify: { type: 'Function', function_name: './ops.mjs#notify', function_params: params } }),
    );
    expect(result.issues).toEqual([]);
    const node = result.ok ? result.runbook.nodes[0] : undefined;
    expect(node?.type === 'Function' && node.functionParams).toEqual(params);
    expect(
      Value.Check(RunbookFileSchema, {
        runbook: meta,
        notify: { type: 'Function', function_name: 'x#y', function_params: params },
      }),
    ).toBe(true);
  });

  it('returns warnings with a valid runbook', () => {
    const result = validateRunbookDocument(doc({ a: { type: 'Manual', prompt: 'p', timout: 5 } }));
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([
      {
        severity: 'warning',
        code: 'UNKNOWN_KEY',
        message: 'unknown key `timout` in node `a` (did you mean `timeout`?)',
        nodeId: 'a',
        field: 'timout',
      },
    ]);
  });
});

describe('validateRunbookDocument: problems', () => {
  it('reports a missing [runbook] table', () => {
    expect(validateRunbookDocument({ a: { type: 'Manual', prompt: 'p' } }).issues).toEqual([
      {
        severity: 'error',
        code: 'MISSING_RUNBOOK',
        message: 'missing the [runbook] table (title, description, version, author, created_at)',
        nodeId: 'runbook',
      },
    ]);
  });

  it('reports every missing or wrong [runbook] field', () => {
    const result = validateRunbookDocument(
      doc({ a: { type: 'Manual', prompt: 'p' } }, { title: '', version: 1 }),
    );
    expect(result.issues.map((issue) => [issue.field, issue.code, issue.message])).toEqual([
      ['title', 'INVALID_VALUE', '`title` must be a non-empty string, not an empty string'],
      ['description', 'MISSING_FIELD', 'missing required field `description`'],
      ['version', 'INVALID_VALUE', '`version` must be a string, not 1'],
      ['author', 'MISSING_FIELD', 'missing required field `author`'],
      ['created_at', 'MISSING_FIELD', 'missing required field `created_at`'],
    ]);
  });

  it('reports node problems of every kind, all at once', () => {
    const result = validateRunbookDocument(
      doc({
        'bad id': { type: 'Manual', prompt: 'p' },
        shell: { type: 'command', command_name: 'ls' },
        notype: { prompt: 'p', colour: 'red' },
        manual: { type: 'Manual', command_name: 'ls', timeout: -1, critical: true, skippable: true },
        fn: { type: 'Function', function_params: 'x', depends_on: ['ghost', 'fn', 'runbook', 5] },
        scalar: 3,
      }),
    );
    expect(result.ok).toBe(false);
    expect(result.issues.map(({ code, nodeId, field }) => `${code} ${nodeId}.${field}`)).toEqual([
      'INVALID_NODE_ID bad id.undefined',
      'UNKNOWN_NODE_TYPE shell.type',
      'MISSING_FIELD notype.type',
      'UNKNOWN_KEY notype.colour',
      'INVALID_VALUE manual.timeout',
      'MISSING_FIELD manual.prompt',
      'FIELD_NOT_FOR_TYPE manual.command_name',
      'CRITICAL_SKIPPABLE manual.skippable',
      'INVALID_VALUE fn.depends_on',
      'MISSING_FIELD fn.function_name',
      'INVALID_VALUE fn.function_params',
      'UNKNOWN_DEPENDENCY fn.depends_on',
      'SELF_DEPENDENCY fn.depends_on',
      'UNKNOWN_DEPENDENCY fn.depends_on',
      'NOT_A_TABLE scalar.undefined',
    ]);
    const message = (code: string) => result.issues.find((issue) => issue.code === code)?.message;
    expect(message('UNKNOWN_NODE_TYPE')).toBe(
      'unknown node type "command" (expected Manual, Function or Command; did you mean "Command"?)',
    );
    expect(message('INVALID_NODE_ID')).toBe('node id "bad id" may only contain letters, digits, `_` and `-`');
    expect(message('CRITICAL_SKIPPABLE')).toBe(
      'a critical node can never be skipped: remove `skippable` or `critical`',
    );
    expect(message('INVALID_VALUE')).toBe('`timeout` must be a positive number of seconds, not -1');
    expect(message('FIELD_NOT_FOR_TYPE')).toBe(
      '`command_name` is not used by Manual nodes (it belongs to Command nodes)',
    );
    expect(result.issues.filter((issue) => issue.nodeId === 'fn').map((issue) => issue.message)).toEqual([
      '`depends_on` must be a node id or a list of node ids, not an array holding an integer',
      'missing required field `function_name` for a Function node',
      '`function_params` must be a table, not a string ("x")',
      'depends on `ghost`, which is not a node of this runbook',
      '`fn` depends on itself',
      'depends on `runbook`, which is the metadata table, not a node',
    ]);
    expect(message('NOT_A_TABLE')).toBe(
      'top-level key `scalar` must be a node table ([scalar]), not an integer',
    );
  });

  it('reports unknown dependencies with a suggestion, and cycles as a path', () => {
    const result = validateRunbookDocument(
      doc({
        build: { type: 'Command', command_name: 'make', depends_on: ['deploy'] },
        test: { type: 'Command', command_name: 'make test', depends_on: ['build', 'biuld'] },
        deploy: { type: 'Command', command_name: 'make deploy', depends_on: 'test' },
      }),
    );
    expect(result.issues.map((issue) => [issue.code, issue.nodeId, issue.field, issue.message])).toEqual([
      [
        'CYCLE',
        'build',
        'depends_on',
        'dependency cycle: build → deploy → test → build (each depends on the next)',
      ],
      [
        'UNKNOWN_DEPENDENCY',
        'test',
        'depends_on',
        'depends on `biuld`, which is not a node of this runbook (did you mean `build`?)',
      ],
    ]);
  });

  it('warns about a duplicated dependency and a runbook without nodes', () => {
    expect(
      issuesOf(
        doc({
          a: { type: 'Manual', prompt: 'p' },
          b: { type: 'Manual', prompt: 'q', depends_on: ['a', 'a'] },
        }),
      ),
    ).toEqual([{ code: 'DUPLICATE_DEPENDENCY', nodeId: 'b', field: 'depends_on', severity: 'warning' }]);
    expect(issuesOf(doc({}))).toEqual([
      { code: 'NO_NODES', nodeId: 'runbook', field: undefined, severity: 'warning' },
    ]);
  });

  it('rejects a document that is not a table', () => {
    expect(validateRunbookDocument([1, 2]).issues[0]?.message).toBe(
      'a runbook document must be a table, not an array',
    );
  });
});

describe('validateRunbookDocument: scale', () => {
  // Generous time limits: these are not timed (bench/ is), only guarded against a stack overflow or a hang.
  it('validates a 200,000-node chain and a 200,000-edge fan-in without overflowing the stack', {
    timeout: 120_000,
  }, () => {
    const count = 200_000;
    const chain: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      chain[`n${i}`] = {
        type: 'Command',
        command_name: 'true',
        ...(i > 0 ? { depends_on: [`n${i - 1}`] } : {}),
      };
    }
    const result = validateRunbookDocument(doc(chain));
    expect(result.ok && result.runbook.nodes.length).toBe(count);

    const fanIn: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) fanIn[`n${i}`] = { type: 'Command', command_name: 'true' };
    fanIn['join'] = { type: 'Command', command_name: 'true', depends_on: Object.keys(fanIn) };
    expect(validateRunbookDocument(doc(fanIn)).ok).toBe(true);
  });
});
