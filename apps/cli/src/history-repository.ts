import type { RunRecord, RunRepository, RunState } from '@playbook/engine';
import type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from '@playbook/sqlite';

/**
 * What commands use of a run history: the engine's port plus the history queries of `info` and `show`. Both
 * `@playbook/sqlite` and `@playbook/postgres` repositories have this shape.
 */
export interface HistoryRepository extends RunRepository {
  /** The state file's path, or the database URL without its password. */
  readonly path: string;
  listWorkflows(): Promise<WorkflowSummary[]>;
  nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]>;
  listRuns(workflowName: string): Promise<RunRecord[]>;
  getRunWithExecutions(workflowName: string, runId: number): Promise<RunState | undefined>;
  databaseInfo(): Promise<DatabaseInfo>;
  close(): Promise<void>;
}

/** A state URL fit to print: its password replaced by `***`. */
export function redactStateUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return url.replace(/:\/\/.*@/, '://***@');
  }
}
