import type { RunRecord, RunRepository, RunState } from '@playbook/engine';
import type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from '@playbook/sqlite';

/**
 * What commands use of a run history: the engine's port plus the history queries of `info` and `show`. Both
 * `@playbook/sqlite` and `@playbook/postgres` repositories have this shape.
 */
export interface HistoryRepository extends RunRepository {
  /** The state file's path, or the database URL without its password. */
  readonly path: string;
  /** False when this process cannot write the history (a read-only state file or folder): do not try. */
  readonly writable?: boolean;
  /** True when SQLite reads the state file in immutable mode: the newest changes may be missing. */
  readonly immutable?: boolean;
  /** Every workflow with runs, by name: run counts by status and the newest run. */
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** Per node of a workflow, how many runs ended in each status (a node's status is its latest attempt's). */
  nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]>;
  /** Every run of a workflow, newest first. */
  listRuns(workflowName: string): Promise<RunRecord[]>;
  /** One run with all its attempts, or undefined when there is no such run. */
  getRunWithExecutions(workflowName: string, runId: number): Promise<RunState | undefined>;
  /** Where the history is, how big it is and its schema version. */
  databaseInfo(): Promise<DatabaseInfo>;
  /** Releases the file or the connections. */
  close(): Promise<void>;
}
