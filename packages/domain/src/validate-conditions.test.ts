import * as cel from '@playbook/expressions/cel';
import { describe, expect, it } from 'vitest';
import { validateRunbookDocument } from './validate-runbook.js';

// The node fields of SPEC §8.4: when, run_if, retry, cwd, expected_duration.

const meta = {
  title: 'Deploy',
  description: 'd',
  version: '0.1.0',
  author: 'Ops',
  created_at: '2025-05-03T12:08:00Z',
};
const doc = (nodes: Record<string, unknown>) => ({
  runbook: { ...meta, inputs: { env: { type: 'string', default: 'staging' } } },
  ...nodes,
});
// Sorted: within a node, issues come check by check; which comes first is not the point here.
const problems = (document: unknown) =>
  validateRunbookDocument(document, { cel })
    .issues.filter((issue) => issue.severity === 'error')
    .map(({ code, nodeId, field }) => ({ code, nodeId, field }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const sorted = <T>(items: T[]) => items.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('when, run_if, retry, cwd, expected_duration', () => {
  it('maps every field, with the retry defaults; absent ones stay absent', () => {
    const result = validateRunbookDocument(
      doc({
        build: {
          type: 'Command',
          command_name: 'make',
          when: "inputs.env == 'prod'",
          cwd: 'app/${{ inputs.env }}',
          retry: { attempts: 3, exit_codes: [75, 75, 124] },
          expected_duration: 30,
        },
        rollback: {
          type: 'Function',
          function_name: 'playbook:notify',
          depends_on: 'build',
          run_if: 'failure',
          retry: { attempts: 2, delay: 1, backoff: 2 },
        },
        plain: { type: 'Manual', prompt: 'p' },
      }),
      { cel },
    );
    expect(result.issues).toEqual([]);
    if (!result.ok) return;
    const [build, rollback, plain] = result.runbook.nodes;
    expect(build).toMatchObject({
      when: "inputs.env == 'prod'",
      cwd: 'app/${{ inputs.env }}',
      retry: { attempts: 3, delay: 0, backoff: 1, exitCodes: [75, 124] },
      expectedDuration: 30,
    });
    expect(rollback).toMatchObject({ runIf: 'failure', retry: { attempts: 2, delay: 1, backoff: 2 } });
    for (const key of ['when', 'runIf', 'retry', 'cwd', 'expectedDuration'])
      expect(plain).not.toHaveProperty(key);
  });

  it('reports every bad value at its field', () => {
    expect(
      problems(
        doc({
          a: {
            type: 'Command',
            command_name: 'true',
            when: "'yes'",
            run_if: 'sometimes',
            retry: { attempts: 1.5, delay: -1, backoff: 0.5, exit_codes: [0, 256] },
            expected_duration: 0,
          },
          b: {
            type: 'Command',
            command_name: 'true',
            retry: { attempts: -1 },
            when: 'steps.c.status == "ok"',
          },
          c: { type: 'Manual', prompt: 'p', retry: { attempts: 2 } },
          d: { type: 'Function', function_name: 'playbook:notify', retry: { attempts: 2, exit_codes: [1] } },
          e: { type: 'Command', command_name: 'true', retry: 3, when: '${{ true }}' },
          f: { type: 'Command', command_name: 'true', retry: { delay: 1 }, when: 'inputs.nope' },
        }),
      ),
    ).toEqual(
      sorted([
        { code: 'INVALID_CONDITION', nodeId: 'a', field: 'when' },
        { code: 'INVALID_VALUE', nodeId: 'a', field: 'run_if' },
        { code: 'INVALID_VALUE', nodeId: 'a', field: 'expected_duration' },
        { code: 'INVALID_RETRY', nodeId: 'a', field: 'retry.attempts' },
        { code: 'INVALID_RETRY', nodeId: 'a', field: 'retry.delay' },
        { code: 'INVALID_RETRY', nodeId: 'a', field: 'retry.backoff' },
        { code: 'INVALID_RETRY', nodeId: 'a', field: 'retry.exit_codes' },
        { code: 'INVALID_RETRY', nodeId: 'b', field: 'retry.attempts' },
        { code: 'NOT_AN_ANCESTOR', nodeId: 'b', field: 'when' },
        { code: 'INVALID_RETRY', nodeId: 'c', field: 'retry' },
        { code: 'INVALID_RETRY', nodeId: 'd', field: 'retry.exit_codes' },
        { code: 'INVALID_RETRY', nodeId: 'e', field: 'retry' },
        { code: 'INVALID_CONDITION', nodeId: 'e', field: 'when' },
        { code: 'INVALID_RETRY', nodeId: 'f', field: 'retry' },
        { code: 'EXPRESSION_TYPE', nodeId: 'f', field: 'when' },
      ]),
    );
  });

  it('takes a boolean when reading a step it depends on, and a template in cwd only on Command nodes', () => {
    expect(
      problems(
        doc({
          a: { type: 'Command', command_name: 'true' },
          b: {
            type: 'Command',
            command_name: 'true',
            depends_on: 'a',
            when: "steps.a.status == 'ok' && has(steps.a.outputs.x)",
          },
          c: { type: 'Command', command_name: 'true', cwd: '${{ inputs.missing }}' },
        }),
      ),
    ).toEqual([{ code: 'EXPRESSION_TYPE', nodeId: 'c', field: 'cwd' }]);
  });
});
