import type {
  AuditHead,
  AuditLog,
  DatabaseInfo,
  NodeStatusCount,
  RerunRecord,
  RunKey,
  RunRecord,
  RunState,
  RunStatus,
  WorkflowSummary,
} from '@playbook/engine';
import { compareCodePoints, runNotFound } from '@playbook/engine/records';
import {
  type DriverCount,
  type NodeTallyRow,
  summarizeWorkflows,
  tallyNodeStatuses,
} from './history-shaping.js';
import { type Operation, row, rows } from './operation.js';
import {
  type ApprovalsRow,
  type AttemptRow,
  type OutputRow,
  orderAttempts,
  type RunSessionsRow,
  type RunsRow,
  toApprovalRecord,
  toRunRecord,
  toRunState,
  toSessionRecord,
  withOutputs,
} from './rows.js';
import { schemaVersionOf } from './schema-version.js';
import { STATUS_SLOTS, type Statements } from './statements.js';

/**
 * The reads of `SqlRunStore`, over one dialect's statements. Apart from the writes (`Operations`), which chain
 * each change into the audit log: `show` and `info` only read, and need neither the chaining nor SHA-256.
 */
export class ReadOperations {
  protected readonly sql: Statements;

  constructor(statements: Statements) {
    this.sql = statements;
  }

  *runbookText(hash: string): Operation<string | undefined> {
    const found = (yield row(this.sql.selectRunbookText, hash)) as { text: string } | undefined;
    return found?.text;
  }

  /** The run's audit log, in order, and whether the run predates it (SPEC §10.3). */
  *auditLog(key: RunKey): Operation<AuditLog> {
    const entries = (yield rows(this.sql.selectAuditLog, key.workflowName, key.runId)) as AuditRow[];
    const unchained = (yield row(this.sql.isUnchained, key.workflowName, key.runId)) !== undefined;
    return {
      entries: entries.map((entry) => ({ seq: Number(entry.seq), entry: entry.entry, hash: entry.hash })),
      unchained,
    };
  }

  /** The newest entry of the run's audit log, or undefined when it has none. */
  *auditHead(key: RunKey): Operation<AuditHead | undefined> {
    const head = (yield row(this.sql.auditHead, key.workflowName, key.runId)) as AuditRow | undefined;
    return head === undefined ? undefined : { seq: Number(head.seq), hash: head.hash };
  }

  *listReruns(key: RunKey): Operation<RerunRecord[]> {
    yield* this.requireRun(key);
    const found = (yield rows(this.sql.selectReruns, key.workflowName, key.runId)) as {
      time: string;
      node_ids: string;
      reason: string | null;
    }[];
    return found.map((rerun) => ({
      time: rerun.time,
      nodeIds: JSON.parse(rerun.node_ids) as string[],
      reason: rerun.reason,
    }));
  }

  *loadRun(key: RunKey): Operation<RunState | undefined> {
    const run = (yield row(this.sql.selectRun, key.workflowName, key.runId)) as RunsRow | undefined;
    if (run === undefined) return undefined;
    const attempts = (yield rows(this.sql.selectAttempts, key.workflowName, key.runId)) as AttemptRow[];
    const answers = (yield rows(this.sql.selectAnswers, key.workflowName, key.runId)) as AnswerRow[];
    const outputs = (yield rows(this.sql.selectOutputs, key.workflowName, key.runId)) as OutputRow[];
    const inputs = (yield rows(this.sql.selectInputs, key.workflowName, key.runId)) as InputRow[];
    const sessions = (yield rows(this.sql.selectSessions, key.workflowName, key.runId)) as RunSessionsRow[];
    const groups = (yield rows(this.sql.selectProcessGroups, key.workflowName, key.runId)) as {
      process_group: DriverCount;
    }[];
    const approvals = (yield rows(this.sql.selectApprovals, key.workflowName, key.runId)) as ApprovalsRow[];
    const state = toRunState(run, withOutputs(orderAttempts(attempts), outputs), answers, inputs);
    return {
      ...state,
      ...(sessions.length === 0 ? {} : { sessions: sessions.map(toSessionRecord) }),
      ...(groups.length === 0 ? {} : { processGroups: groups.map((group) => Number(group.process_group)) }),
      ...(approvals.length === 0 ? {} : { approvals: approvals.map(toApprovalRecord) }),
    };
  }

  *findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Operation<RunRecord | undefined> {
    if (statuses !== undefined && statuses.length === 0) return undefined;
    const found = (yield statuses === undefined
      ? row(this.sql.latestRun, workflowName)
      : row(this.sql.latestRunAmong, workflowName, ...padStatuses(statuses))) as RunsRow | undefined;
    return found === undefined ? undefined : toRunRecord(found);
  }

  *listRunningRuns(workflowName?: string): Operation<RunRecord[]> {
    const found = (yield workflowName === undefined
      ? rows(this.sql.runningRuns)
      : rows(this.sql.runningRunsOf, workflowName)) as RunsRow[];
    const records = found.map(toRunRecord);
    if (workflowName === undefined) {
      records.sort((a, b) => compareCodePoints(a.workflowName, b.workflowName) || a.runId - b.runId);
    }
    return records;
  }

  *listRuns(workflowName: string): Operation<RunRecord[]> {
    return ((yield rows(this.sql.runsOf, workflowName)) as RunsRow[]).map(toRunRecord);
  }

  *listWorkflows(): Operation<WorkflowSummary[]> {
    const counts = (yield rows(this.sql.runCounts)) as RunCountRow[];
    const latest = (yield rows(this.sql.latestRuns)) as RunsRow[];
    return summarizeWorkflows(latest, counts);
  }

  *nodeStatusCounts(workflowName: string): Operation<NodeStatusCount[]> {
    return tallyNodeStatuses((yield rows(this.sql.nodeTally, workflowName)) as NodeTallyRow[]);
  }

  /** What `databaseInfo` reads; the adapter adds where the history is. */
  *databaseInfo(path: string): Operation<DatabaseInfo> {
    const size = (yield row(this.sql.sizeBytes)) as { bytes: DriverCount | null } | undefined;
    const applied = (yield rows(this.sql.appliedMigrations)) as { name: string }[];
    return {
      path,
      sizeBytes: Number(size?.bytes ?? 0),
      schemaVersion: schemaVersionOf(applied.map((migration) => migration.name)),
    };
  }

  protected *requireRun(key: RunKey): Operation<void> {
    if ((yield row(this.sql.runExists, key.workflowName, key.runId)) === undefined) {
      throw runNotFound(key);
    }
  }
}

interface InputRow {
  readonly name: string;
  readonly value: string;
}

interface AuditRow {
  readonly seq: DriverCount;
  readonly entry: string;
  readonly hash: string;
}

interface AnswerRow {
  readonly node_id: string;
  readonly param: string;
  readonly value: string;
}

interface RunCountRow {
  readonly workflow_name: string;
  readonly status: string;
  readonly count: DriverCount;
}

/** `statuses` as exactly `STATUS_SLOTS` values, repeating the first: one prepared statement serves every list. */
function padStatuses(statuses: readonly RunStatus[]): RunStatus[] {
  const distinct = [...new Set(statuses)];
  if (distinct.length > STATUS_SLOTS)
    throw new Error(`at most ${STATUS_SLOTS} statuses can be looked for at once`);
  const first = distinct[0] ?? 'running';
  return Array.from({ length: STATUS_SLOTS }, (_, i) => distinct[i] ?? first);
}
