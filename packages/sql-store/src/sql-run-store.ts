import type {
  ApprovalOutcome,
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  AuditHead,
  AuditLog,
  ClaimRunInput,
  CreateRunInput,
  DatabaseInfo,
  FinishRunInput,
  NodeStatusCount,
  OperatorIdentity,
  RecordApprovalInput,
  RerunRecord,
  RunHistory,
  RunKey,
  RunRecord,
  RunRepository,
  RunState,
  RunStatus,
  SessionInput,
  StartAttemptInput,
  WorkflowSummary,
} from '@playbook/engine';
import type { SqlDialect } from './dialect.js';
import type { Operation } from './operation.js';
import type { Operations } from './operations.js';
import { ReadOperations } from './read-operations.js';
import { schemaDdl } from './schema.js';
import { buildStatements, type Statements } from './statements.js';

/**
 * `RunRepository` and `RunHistory` over SQL, written once: an adapter gives its dialect and says how to run an
 * operation — as one transaction (`write`) or as plain reads (`read`). Every method is one such operation.
 *
 * The writes, which chain every change into the audit log with SHA-256, are imported by `loadWrites`, which
 * an adapter's opening for writing calls: a store that only reads (`show`, `info`) never loads them (~30 kB, a
 * sixth of what those commands load). A write to a store opened otherwise imports them first.
 */
export abstract class SqlRunStore implements RunRepository, RunHistory {
  readonly #dialect: SqlDialect;
  readonly #statements: Statements;
  readonly #reads: ReadOperations;
  #writes: Operations | undefined;
  #loadingWrites: Promise<Operations> | undefined;

  protected constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
    this.#statements = buildStatements(dialect);
    this.#reads = new ReadOperations(this.#statements);
  }

  /**
   * Imports the write operations now, so that every write starts when it is called, as it did when they were
   * always loaded (SQLite runs it at once, before any read called after it).
   */
  async loadWrites(): Promise<void> {
    this.#loadingWrites ??= import('./operations.js').then(({ Operations }) => {
      this.#writes = new Operations(this.#statements);
      return this.#writes;
    });
    await this.#loadingWrites;
  }

  /** Runs the write `operation` builds, once the writes are loaded. */
  #write<T>(operation: (writes: Operations) => Operation<T>): Promise<T> {
    const writes = this.#writes;
    if (writes !== undefined) return this.write(operation(writes));
    return this.loadWrites().then(() => this.write(operation(this.#writes as Operations)));
  }

  /** Where the history is: the state file's absolute path, or the database URL without its password. */
  abstract readonly path: string;

  /** Runs `operation` as one atomic change: all its statements or none. */
  protected abstract write<T>(operation: Operation<T>): Promise<T>;

  /** Runs `operation`, which only reads. */
  protected abstract read<T>(operation: Operation<T>): Promise<T>;

  /** Releases the connection(s); later calls fail. */
  abstract close(): Promise<void>;

  createRun(input: CreateRunInput): Promise<RunRecord> {
    return this.#write((writes) => writes.createRun(input));
  }

  loadRun(key: RunKey): Promise<RunState | undefined> {
    return this.read(this.#reads.loadRun(key));
  }

  findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Promise<RunRecord | undefined> {
    return this.read(this.#reads.findLatestRun(workflowName, statuses));
  }

  listRunningRuns(workflowName?: string): Promise<RunRecord[]> {
    return this.read(this.#reads.listRunningRuns(workflowName));
  }

  claimRun(input: ClaimRunInput): Promise<boolean> {
    return this.#write((writes) => writes.claimRun(input));
  }

  setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    return this.#write((writes) => writes.setOwnerProcessGroup(key, processGroup));
  }

  addOwnerProcessGroup(key: AttemptKey, processGroup: number): Promise<void> {
    return this.#write((writes) => writes.addOwnerProcessGroup(key, processGroup));
  }

  startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    return this.#write((writes) => writes.startAttempt(input));
  }

  finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    return this.#write((writes) => writes.finishAttempt(key, outcome));
  }

  /** The runbook text stored for `hash`, or undefined. */
  runbookText(hash: string): Promise<string | undefined> {
    return this.read(this.#reads.runbookText(hash));
  }

  /** Records an `approve` or `reject` session of a run (SPEC §10.1). */
  recordSession(key: RunKey, session: SessionInput): Promise<void> {
    return this.#write((writes) => writes.recordSession(key, session));
  }

  recordApproval(input: RecordApprovalInput): Promise<ApprovalOutcome> {
    return this.#write((writes) => writes.recordApproval(input));
  }

  recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Promise<void> {
    return this.#write((writes) => writes.recordDecision(key, decision, by));
  }

  finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    return this.#write((writes) => writes.finishRun(key, input));
  }

  saveAnswer(
    key: RunKey,
    nodeId: string,
    param: string,
    value: string,
    by?: OperatorIdentity,
  ): Promise<void> {
    return this.#write((writes) => writes.saveAnswer(key, nodeId, param, value, by));
  }

  auditLog(key: RunKey): Promise<AuditLog> {
    return this.read(this.#reads.auditLog(key));
  }

  auditHead(key: RunKey): Promise<AuditHead | undefined> {
    return this.read(this.#reads.auditHead(key));
  }

  recordRerun(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Promise<void> {
    return this.#write((writes) => writes.recordRerun(key, rerun, by));
  }

  listReruns(key: RunKey): Promise<RerunRecord[]> {
    return this.read(this.#reads.listReruns(key));
  }

  listWorkflows(): Promise<WorkflowSummary[]> {
    return this.read(this.#reads.listWorkflows());
  }

  listRuns(workflowName: string): Promise<RunRecord[]> {
    return this.read(this.#reads.listRuns(workflowName));
  }

  nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]> {
    return this.read(this.#reads.nodeStatusCounts(workflowName));
  }

  databaseInfo(): Promise<DatabaseInfo> {
    return this.read(this.#reads.databaseInfo(this.path));
  }

  schemaDdl(): string {
    return schemaDdl(this.#dialect);
  }
}
