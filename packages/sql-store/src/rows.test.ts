import { describe, expect, it } from 'vitest';
import { encodeOutputLog, toAttemptRecord, toRunRecord, toRunState } from './rows.js';
import { schemaVersionOf } from './schema-version.js';

const run = {
  workflow_name: 'deploy',
  run_id: 4,
  start_time: '2025-01-01T00:00:00.000Z',
  end_time: null,
  status: 'running',
  nodes_ok: 1,
  nodes_nok: 0,
  nodes_skipped: 0,
  trigger: 'resume',
  owner_host: 'host-1',
  owner_pid: 42,
  owner_process_group: null,
  runbook_hash: 'abc',
  node_ids: '["a","b"]',
};

describe('toRunRecord', () => {
  it('maps the row and its owner', () => {
    expect(toRunRecord(run)).toMatchObject({
      workflowName: 'deploy',
      runId: 4,
      trigger: 'resume',
      owner: { host: 'host-1', pid: 42, processGroup: null },
      nodeIds: ['a', 'b'],
    });
  });

  it('has no owner without host or pid, and no node ids where node_ids is not a JSON array of strings', () => {
    expect(toRunRecord({ ...run, owner_pid: null, node_ids: 'not json' })).toMatchObject({
      owner: null,
      nodeIds: [],
    });
    expect(toRunRecord({ ...run, node_ids: '["a",1,null]' }).nodeIds).toEqual(['a']);
  });
});

describe('toRunState', () => {
  it('groups the remembered answers by node', () => {
    const attempt = toAttemptRecord({
      workflow_name: 'deploy',
      run_id: 4,
      node_id: 'a',
      attempt: 1,
      start_time: run.start_time,
      end_time: run.start_time,
      status: 'ok',
      operator_decision: null,
      result_text: null,
      exit_code: 0,
      exception: null,
      stdout: 'hi',
      stderr: null,
      duration_ms: 12,
      output_lines: null,
    });
    const state = toRunState(
      run,
      [attempt],
      [
        { node_id: 'a', param: 'host', value: 'h1' },
        { node_id: 'a', param: 'user', value: 'u1' },
        { node_id: 'b', param: 'host', value: 'h2' },
      ],
    );
    expect(state.attempts).toEqual([expect.objectContaining({ nodeId: 'a', durationMs: 12, stdout: 'hi' })]);
    expect(state.answers).toEqual({ a: { host: 'h1', user: 'u1' }, b: { host: 'h2' } });
  });
});

describe('output_lines', () => {
  const row = (output_lines: string | null) => ({
    workflow_name: 'deploy',
    run_id: 1,
    node_id: 'a',
    attempt: 1,
    start_time: run.start_time,
    end_time: null,
    status: 'ok',
    operator_decision: null,
    result_text: null,
    exit_code: null,
    exception: null,
    stdout: null,
    stderr: null,
    duration_ms: null,
    output_lines,
  });

  it('reads back what encodeOutputLog wrote, and no log from a missing or hand-broken value', () => {
    const outputLog = {
      lines: [
        { stream: 'stderr', time: run.start_time, text: '["e" \\ "x"]' },
        { stream: 'stdout', time: run.start_time, text: '' },
      ],
      dropped: { afterLine: 1, lines: 3, chars: 30 },
    } as const;
    expect(toAttemptRecord(row(encodeOutputLog(outputLog))).outputLog).toEqual(outputLog);
    expect('outputLog' in toAttemptRecord(row(null))).toBe(false);
    expect('outputLog' in toAttemptRecord(row('not json'))).toBe(false);
    expect(encodeOutputLog(null)).toBeNull();
  });
});

describe('schemaVersionOf', () => {
  it('is the highest numeric prefix among the applied migrations', () => {
    expect(schemaVersionOf([])).toBe(0);
    expect(schemaVersionOf(['0001_contract_tables', '0003_future', '0002_engine_state', 'odd'])).toBe(3);
  });
});
