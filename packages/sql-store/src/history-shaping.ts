import type { AttemptStatus, NodeStatusCount, RunStatus, WorkflowSummary } from '@playbook/engine';
import { compareCodePoints } from '@playbook/engine/records';
import { type RunsRow, toRunRecord } from './rows.js';

const RUN_STATUSES: readonly RunStatus[] = ['running', 'ok', 'nok', 'aborted', 'waiting'];
const ATTEMPT_STATUSES: readonly AttemptStatus[] = ['running', 'ok', 'nok', 'skipped'];

/** A count as a driver returns it: SQLite's are numbers, PostgreSQL's `count(*)` (BIGINT) are strings. */
export type DriverCount = number | string | bigint;

/**
 * `listWorkflows`' result from each workflow's newest `runs` row and the run counts grouped by workflow and
 * status, workflows by name. A status the engine does not know counts in `runCount` only.
 */
export function summarizeWorkflows(
  latestRows: readonly RunsRow[],
  counts: readonly { readonly workflow_name: string; readonly status: string; readonly count: DriverCount }[],
): WorkflowSummary[] {
  const byName = [...latestRows].sort((a, b) => compareCodePoints(a.workflow_name, b.workflow_name));
  return byName.map((row) => {
    const runsByStatus = zeroCounts(RUN_STATUSES);
    let runCount = 0;
    for (const count of counts) {
      if (count.workflow_name !== row.workflow_name) continue;
      runCount += Number(count.count);
      if (isOneOf(RUN_STATUSES, count.status)) runsByStatus[count.status] += Number(count.count);
    }
    return { workflowName: row.workflow_name, runCount, runsByStatus, latestRun: toRunRecord(row) };
  });
}

/** A piece of a node's tally: `runs` in which its latest attempt has `status` (null: none), and `attempts`. */
export interface NodeTallyRow {
  readonly node_id: string;
  readonly status: string | null;
  readonly runs: DriverCount;
  readonly attempts: DriverCount;
}

/**
 * `nodeStatusCounts`' result: the pieces added up per node, nodes by id. A status the engine does not know
 * counts in `runs` only.
 */
export function tallyNodeStatuses(rows: Iterable<NodeTallyRow>): NodeStatusCount[] {
  const byNode = new Map<
    string,
    { nodeId: string; runs: number; attempts: number; runsByStatus: Record<AttemptStatus, number> }
  >();
  for (const row of rows) {
    let entry = byNode.get(row.node_id);
    if (entry === undefined) {
      entry = { nodeId: row.node_id, runs: 0, attempts: 0, runsByStatus: zeroCounts(ATTEMPT_STATUSES) };
      byNode.set(row.node_id, entry);
    }
    entry.runs += Number(row.runs);
    entry.attempts += Number(row.attempts);
    if (row.status !== null && isOneOf(ATTEMPT_STATUSES, row.status)) {
      entry.runsByStatus[row.status] += Number(row.runs);
    }
  }
  return [...byNode.values()].sort((a, b) => compareCodePoints(a.nodeId, b.nodeId));
}

function zeroCounts<S extends string>(statuses: readonly S[]): Record<S, number> {
  return Object.fromEntries(statuses.map((status) => [status, 0])) as Record<S, number>;
}

function isOneOf<S extends string>(values: readonly S[], value: string): value is S {
  return (values as readonly string[]).includes(value);
}
