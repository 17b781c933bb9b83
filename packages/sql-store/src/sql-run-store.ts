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
import type { Operation } from './operation.js';
import type { Operations } from './operations.js';
import { ReadOperations } from './read-operations.js';
import { schemaDdl } from './schema.js';
import { buildStatements, type Statements } from './statements.js';

/**
 * `RunRepository` and `RunHistory` over SQL, written once: an adapter gives its dialect and says how to run an
 * operation — as one transaction (`write`) or as plain reads (`read`). Every method is one such operation.
 *
 * The writes, which chain every change into the audit log with SHA-256, are imported at the first write: a
 * store that only reads (`show`, `info`) never loads them (~30 kB, a tenth of what those commands load).
 */
export abstract class SqlRunStore implements RunRepository, RunHistory {
  readonly #dialect: SqlDialect;
  readonly #statements: Statements;
  readonly #reads: ReadOperations;
  #writes: Promise<Operations> | undefined;

  protected constructor(dialect: SqlDialect) {
    this.#dialect = dialect;
    this.#statements = buildStatements(dialect);
    this.#reads = new ReadOperations(this.#statements);
  }

  /** The write operations, imported once. */
  #writer(): Promise<Operations> {
    this.#writes ??= import('./operations.js').then(({ Operations }) => new Operations(this.#statements));
    return this.#writes;
  }

  /** Where the history is: the state file's absolute path, or the database URL without its password. */
  abstract readonly path: string;

  /** Runs `operation` as one atomic change: all its statements or none. */
  protected abstract write<T>(operation: Operation<T>): Promise<T>;

  /** Runs `operation`, which only reads. */
  protected abstract read<T>(operation: Operation<T>): Promise<T>;

  /** Releases the connection(s); later calls fail. */
  abstract close(): Promise<void>;

  async createRun(input: CreateRunInput): Promise<RunRecord> {
    return this.write((await this.#writer()).createRun(input));
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

  async claimRun(input: ClaimRunInput): Promise<boolean> {
    return this.write((await this.#writer()).claimRun(input));
  }

  async setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    return this.write((await this.#writer()).setOwnerProcessGroup(key, processGroup));
  }

  async addOwnerProcessGroup(key: AttemptKey, processGroup: number): Promise<void> {
    return this.write((await this.#writer()).addOwnerProcessGroup(key, processGroup));
  }

  async startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    return this.write((await this.#writer()).startAttempt(input));
  }

  async finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    return this.write((await this.#writer()).finishAttempt(key, outcome));
  }

  /** The runbook text stored for `hash`, or undefined. */
  runbookText(hash: string): Promise<string | undefined> {
    return this.read(this.#reads.runbookText(hash));
  }

  /** Records an `approve` or `reject` session of a run (SPEC §10.1). */
  async recordSession(key: RunKey, session: SessionInput): Promise<void> {
    return this.write((await this.#writer()).recordSession(key, session));
  }

  async recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Promise<void> {
    return this.write((await this.#writer()).recordDecision(key, decision, by));
  }

  async finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    return this.write((await this.#writer()).finishRun(key, input));
  }

  async saveAnswer(
    key: RunKey,
    nodeId: string,
    param: string,
    value: string,
    by?: OperatorIdentity,
  ): Promise<void> {
    return this.write((await this.#writer()).saveAnswer(key, nodeId, param, value, by));
  }

  auditLog(key: RunKey): Promise<AuditLog> {
    return this.read(this.#reads.auditLog(key));
  }

  auditHead(key: RunKey): Promise<AuditHead | undefined> {
    return this.read(this.#reads.auditHead(key));
  }

  async recordRerun(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Promise<void> {
    return this.write((await this.#writer()).recordRerun(key, rerun, by));
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
