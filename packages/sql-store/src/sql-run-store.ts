import type {
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
import { type Operation, Operations } from './operations.js';
import { schemaDdl } from './schema.js';
import { buildStatements } from './statements.js';

/**
 * `RunRepository` and `RunHistory` over SQL, written once: an adapter gives its dialect and says how to run an
 * operation — as one transaction (`write`) or as plain reads (`read`). Every method is one such operation.
 */
export abstract class SqlRunStore implements RunRepository, RunHistory {
  readonly #dialect: SqlDialect;
  readonly #operations: Operations;

  protected constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
    this.#operations = new Operations(buildStatements(dialect));
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
    return this.write(this.#operations.createRun(input));
  }

  loadRun(key: RunKey): Promise<RunState | undefined> {
    return this.read(this.#operations.loadRun(key));
  }

  findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Promise<RunRecord | undefined> {
    return this.read(this.#operations.findLatestRun(workflowName, statuses));
  }

  listRunningRuns(workflowName?: string): Promise<RunRecord[]> {
    return this.read(this.#operations.listRunningRuns(workflowName));
  }

  claimRun(input: ClaimRunInput): Promise<boolean> {
    return this.write(this.#operations.claimRun(input));
  }

  setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    return this.write(this.#operations.setOwnerProcessGroup(key, processGroup));
  }

  addOwnerProcessGroup(key: AttemptKey, processGroup: number): Promise<void> {
    return this.write(this.#operations.addOwnerProcessGroup(key, processGroup));
  }

  startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    return this.write(this.#operations.startAttempt(input));
  }

  finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    return this.write(this.#operations.finishAttempt(key, outcome));
  }

  /** The runbook text stored for `hash`, or undefined. */
  runbookText(hash: string): Promise<string | undefined> {
    return this.read(this.#operations.runbookText(hash));
  }

  /** Records an `approve` or `reject` session of a run (SPEC §10.1). */
  recordSession(key: RunKey, session: SessionInput): Promise<void> {
    return this.write(this.#operations.recordSession(key, session));
  }

  recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Promise<void> {
    return this.write(this.#operations.recordDecision(key, decision, by));
  }

  finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    return this.write(this.#operations.finishRun(key, input));
  }

  saveAnswer(
    key: RunKey,
    nodeId: string,
    param: string,
    value: string,
    by?: OperatorIdentity,
  ): Promise<void> {
    return this.write(this.#operations.saveAnswer(key, nodeId, param, value, by));
  }

  auditLog(key: RunKey): Promise<AuditLog> {
    return this.read(this.#operations.auditLog(key));
  }

  auditHead(key: RunKey): Promise<AuditHead | undefined> {
    return this.read(this.#operations.auditHead(key));
  }

  recordRerun(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Promise<void> {
    return this.write(this.#operations.recordRerun(key, rerun, by));
  }

  listReruns(key: RunKey): Promise<RerunRecord[]> {
    return this.read(this.#operations.listReruns(key));
  }

  listWorkflows(): Promise<WorkflowSummary[]> {
    return this.read(this.#operations.listWorkflows());
  }

  listRuns(workflowName: string): Promise<RunRecord[]> {
    return this.read(this.#operations.listRuns(workflowName));
  }

  nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]> {
    return this.read(this.#operations.nodeStatusCounts(workflowName));
  }

  databaseInfo(): Promise<DatabaseInfo> {
    return this.read(this.#operations.databaseInfo(this.path));
  }

  schemaDdl(): string {
    return schemaDdl(this.#dialect);
  }
}
