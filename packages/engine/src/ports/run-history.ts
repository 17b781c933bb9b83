import type { AttemptStatus, RunKey, RunRecord, RunState, RunStatus } from '@playbook/domain';
import type { AuditHead, AuditLog } from '../audit/audit-entry.js';

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

/** Where the history is and what it holds. */
export interface DatabaseInfo {
  /** Where the history is, as `RunHistory.path` says. */
  readonly path: string;
  /** Bytes the history takes on its storage (SQLite: the file's pages in use; PostgreSQL: its tables and indexes). */
  readonly sizeBytes: number;
  /** The schema version: the number of migrations applied (0 for a store without schema). */
  readonly schemaVersion: number;
}

/**
 * The read side of the run history, for `show` and `info` (and whatever else reports on past runs). Names sort
 * by code point — the byte order of their UTF-8 — whatever the storage's own collation. Adapters implement it
 * beside `RunRepository` (`@playbook/sqlite`, `@playbook/postgres`, `InMemoryRunRepository`); check yours with
 * `runHistoryContract` from `@playbook/engine/testing` (see docs/storage-adapter.md).
 */
export interface RunHistory {
  /** Where the history is, for messages: a file's path, a database URL without its password, `(in memory)`. */
  readonly path: string;
  /** Optional: false when this process may not write the history (a read-only file or folder): nothing should try. */
  readonly writable?: boolean;
  /** Optional: true when the history is read as a snapshot that may miss its newest changes (SQLite's immutable mode). */
  readonly immutable?: boolean;
  /** Every workflow that has runs, by name: its run counts by status and its newest run. */
  listWorkflows(): Promise<WorkflowSummary[]>;
  /** Every run of a workflow, newest (highest id) first; empty for a workflow without runs. */
  listRuns(workflowName: string): Promise<RunRecord[]>;
  /** One run with its attempts in order and its remembered answers, or undefined when there is no such run. */
  loadRun(key: RunKey): Promise<RunState | undefined>;
  /** Every run whose status is `running`, of one workflow or of all, by workflow name then run id. */
  listRunningRuns(workflowName?: string): Promise<RunRecord[]>;
  /** Every node of a workflow that has attempts, by id, with its runs counted by its status in each. */
  nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]>;
  /** The run's audit log in order, and whether the run predates it (SPEC §10.3); check it with `verifyRun`. */
  auditLog(key: RunKey): Promise<AuditLog>;
  /** The newest entry of the run's audit log — its head hash pins the run's history — or undefined for none. */
  auditHead(key: RunKey): Promise<AuditHead | undefined>;
  /** The runbook text stored for a content hash (SPEC §10.1), or undefined when none is. */
  runbookText(hash: string): Promise<string | undefined>;
  /** Where the history is, how big it is and its schema version. */
  databaseInfo(): Promise<DatabaseInfo>;
  /** The schema (CREATE statements) the store writes, as `info --ddl` prints it; empty for a store without one. */
  schemaDdl(): string;
  /** Releases resources (connections, files). Optional: in-memory adapters need none. */
  close?(): Promise<void>;
}
