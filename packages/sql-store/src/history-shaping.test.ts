import { describe, expect, it } from 'vitest';
import { summarizeWorkflows, tallyNodeStatuses } from './history-shaping.js';
import type { RunsRow } from './rows.js';

function runRow(workflowName: string, runId: number, status: string): RunsRow {
  return {
    workflow_name: workflowName,
    run_id: runId,
    start_time: '2025-01-01T00:00:00.000Z',
    end_time: null,
    status,
    nodes_ok: 0,
    nodes_nok: 0,
    nodes_skipped: 0,
    trigger: 'run',
    owner_host: null,
    owner_pid: null,
    owner_process_group: null,
    runbook_hash: null,
    node_ids: '["a"]',
  };
}

describe('summarizeWorkflows', () => {
  it('counts each workflow’s runs by status, workflows by name, whatever type the driver gives counts in', () => {
    const summaries = summarizeWorkflows(
      [runRow('deploy', 2, 'running'), runRow('build', 3, 'ok')],
      [
        { workflow_name: 'build', status: 'ok', count: 2 },
        { workflow_name: 'build', status: 'nok', count: '1' },
        { workflow_name: 'deploy', status: 'running', count: 1n },
        { workflow_name: 'deploy', status: 'legacy', count: 1 },
      ],
    );
    expect(
      summaries.map(({ workflowName, runCount, runsByStatus }) => ({ workflowName, runCount, runsByStatus })),
    ).toEqual([
      {
        workflowName: 'build',
        runCount: 3,
        runsByStatus: { running: 0, ok: 2, nok: 1, aborted: 0, waiting: 0 },
      },
      // A status the engine does not know counts in the total only.
      {
        workflowName: 'deploy',
        runCount: 2,
        runsByStatus: { running: 1, ok: 0, nok: 0, aborted: 0, waiting: 0 },
      },
    ]);
    expect(summaries[0]?.latestRun).toMatchObject({
      workflowName: 'build',
      runId: 3,
      status: 'ok',
      nodeIds: ['a'],
    });
  });
});

describe('tallyNodeStatuses', () => {
  it('adds pieces up per node, nodes by id', () => {
    expect(
      tallyNodeStatuses([
        { node_id: 'b', status: null, runs: 0, attempts: '3' },
        { node_id: 'a', status: 'ok', runs: 2, attempts: 2 },
        { node_id: 'b', status: 'nok', runs: '1', attempts: 0 },
        { node_id: 'b', status: 'skipped', runs: 1, attempts: 0 },
        { node_id: 'a', status: 'unknown', runs: 1, attempts: 1 },
      ]),
    ).toEqual([
      { nodeId: 'a', runs: 3, attempts: 3, runsByStatus: { running: 0, ok: 2, nok: 0, skipped: 0 } },
      { nodeId: 'b', runs: 2, attempts: 3, runsByStatus: { running: 0, ok: 0, nok: 1, skipped: 1 } },
    ]);
  });
});
