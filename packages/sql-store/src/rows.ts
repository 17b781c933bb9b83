import type {
  AttemptRecord,
  AttemptStatus,
  RunRecord,
  RunState,
  RunStatus,
  RunTrigger,
} from '@playbook/engine';
import type { Selectable } from 'kysely';
import type { ExecutionsTable, RunAnswersTable, RunsTable } from './tables.js';

/** A `runs` row as the engine sees it. */
export function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    workflowName: row.workflow_name,
    runId: row.run_id,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as RunStatus,
    nodesOk: row.nodes_ok,
    nodesNok: row.nodes_nok,
    nodesSkipped: row.nodes_skipped,
    trigger: row.trigger as RunTrigger,
    owner:
      row.owner_host === null || row.owner_pid === null
        ? null
        : { host: row.owner_host, pid: row.owner_pid, processGroup: row.owner_process_group },
    runbookHash: row.runbook_hash,
    nodeIds: parseNodeIds(row.node_ids),
  };
}

/** An `executions` row as the engine sees it (an adapter storing `duration_ms` otherwise converts it first). */
export function toAttemptRecord(row: Selectable<ExecutionsTable>): AttemptRecord {
  return {
    workflowName: row.workflow_name,
    runId: row.run_id,
    nodeId: row.node_id,
    attempt: row.attempt,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as AttemptStatus,
    operatorDecision: row.operator_decision,
    resultText: row.result_text,
    exitCode: row.exit_code,
    exception: row.exception,
    stdout: row.stdout,
    stderr: row.stderr,
    durationMs: row.duration_ms,
  };
}

/** A run as `loadRun` returns it: its row, its attempts' rows in order, and its `run_answers` rows. */
export function toRunState(
  run: Selectable<RunsTable>,
  attempts: readonly AttemptRecord[],
  answerRows: readonly Pick<RunAnswersTable, 'node_id' | 'param' | 'value'>[],
): RunState {
  const answers: Record<string, Record<string, string>> = {};
  for (const { node_id, param, value } of answerRows) {
    answers[node_id] ??= {};
    answers[node_id][param] = value;
  }
  return { run: toRunRecord(run), attempts, answers };
}

// Runs adopted from a prototype database, or edited by hand, may hold anything here: treat it as unknown.
function parseNodeIds(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
