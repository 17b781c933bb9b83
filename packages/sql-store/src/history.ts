import type { AttemptStatus, RunRecord, RunStatus } from '@playbook/engine';

// One set of shapes for every SQL adapter, so `info` and `show` read any of them alike.

/** One workflow in the history: how many runs it has, by status, and its newest run. */
export interface WorkflowSummary {
  readonly workflowName: string;
  readonly runCount: number;
  /** Every status is present, with 0 when no run has it. */
  readonly runsByStatus: Readonly<Record<RunStatus, number>>;
  /** The run with the highest id. */
  readonly latestRun: RunRecord;
}

/** One node of a workflow across its runs, counted by the node's status in each run (its latest attempt's). */
export interface NodeStatusCount {
  readonly nodeId: string;
  /** Runs in which the node has at least one attempt. */
  readonly runs: number;
  /** Attempts of the node across all runs. */
  readonly attempts: number;
  /** Runs by the node's status in them; every status is present, with 0 when none. */
  readonly runsByStatus: Readonly<Record<AttemptStatus, number>>;
}

/** Where the state database is and what it holds. */
export interface DatabaseInfo {
  /** SQLite: the state file's absolute path. PostgreSQL: the database URL without its password. */
  readonly path: string;
  /**
   * SQLite: bytes in use (page count × page size), including changes still in the write-ahead log.
   * PostgreSQL: bytes the Playbook tables and their indexes take.
   */
  readonly sizeBytes: number;
  /** The schema version: the number of migrations applied. */
  readonly schemaVersion: number;
}
