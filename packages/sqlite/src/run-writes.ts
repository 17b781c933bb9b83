import type {
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RunKey,
  RunRecord,
  StartAttemptInput,
} from '@playbook/engine';
// The records subpath alone: the engine's main entry would load the planner and the domain's schemas.
import { describeAttempt, describeRun, newAttemptRecord } from '@playbook/engine/records';
import { type RunsTable, toRunRecord } from '@playbook/sql-store';
import type Database from 'better-sqlite3';
import type { Selectable } from 'kysely';

type Statement = Database.Statement<unknown[], unknown>;

const SQL = {
  lastRunId: 'SELECT MAX(run_id) FROM runs WHERE workflow_name = ?',
  insertRun: `INSERT INTO runs (workflow_name, run_id, start_time, end_time, status, trigger, owner_host, owner_pid,
      owner_process_group, runbook_hash, node_ids)
    VALUES (?, ?, ?, NULL, 'running', 'run', ?, ?, ?, ?, ?) RETURNING *`,
  runExists: 'SELECT 1 FROM runs WHERE workflow_name = ? AND run_id = ?',
  // `IS` compares NULLs as equal, which is what "no owner" must match.
  claimRun: `UPDATE runs SET status = 'running', trigger = ?, end_time = ?, owner_host = ?, owner_pid = ?,
      owner_process_group = ?, node_ids = ?, runbook_hash = ?
    WHERE workflow_name = ? AND run_id = ? AND status = ?
      AND owner_host IS ? AND owner_pid IS ? AND owner_process_group IS ?`,
  // A run nobody owns has no command running: there is nothing to record.
  setProcessGroup: `UPDATE runs SET owner_process_group = ?
    WHERE workflow_name = ? AND run_id = ? AND owner_host IS NOT NULL`,
  clearProcessGroup: `UPDATE runs SET owner_process_group = NULL
    WHERE workflow_name = ? AND run_id = ? AND owner_process_group IS NOT NULL`,
  // One look-up for both: whether the run exists (NULL when not) and the node's highest attempt so far.
  lastAttempt: `SELECT (SELECT 0 FROM runs WHERE workflow_name = ? AND run_id = ?)
      + COALESCE((SELECT MAX(attempt) FROM executions WHERE workflow_name = ? AND run_id = ? AND node_id = ?), 0)`,
  // No RETURNING: the row is known already, and RETURNING costs a temporary table per insert.
  insertAttempt: `INSERT INTO executions (workflow_name, run_id, node_id, attempt, start_time, end_time, status,
      operator_decision, duration_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  attemptStatus:
    'SELECT status FROM executions WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ?',
  // Only a matching (still running) attempt changes; the CASE keeps the decision given at start unless one is given.
  finishAttempt: `UPDATE executions SET status = ?, end_time = ?, duration_ms = ?, result_text = ?, exit_code = ?,
      exception = ?, stdout = ?, stderr = ?, operator_decision = CASE WHEN ? THEN ? ELSE operator_decision END
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ? AND status = 'running'`,
  finishRun: `UPDATE runs SET status = ?, end_time = ?, nodes_ok = ?, nodes_nok = ?, nodes_skipped = ?,
      owner_host = NULL, owner_pid = NULL, owner_process_group = NULL
    WHERE workflow_name = ? AND run_id = ?`,
  saveAnswer: `INSERT INTO run_answers (workflow_name, run_id, node_id, param, value) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (workflow_name, run_id, node_id, param) DO UPDATE SET value = excluded.value`,
} as const;

type StatementName = keyof typeof SQL;
/** Statements that read one value: they return it rather than a row object. */
const PLUCKED: ReadonlySet<StatementName> = new Set(['lastRunId', 'lastAttempt', 'attemptStatus']);

/**
 * The writes of `SqliteRunRepository`, as prepared better-sqlite3 statements: one runs at every attempt's start
 * and end, where building and compiling a query per call (Kysely) cost several times the write itself.
 *
 * Every method is one transaction begun IMMEDIATE, run synchronously: it takes SQLite's write lock up front, so
 * a concurrent process waits within the busy timeout instead of failing, and nothing of this process can
 * interleave with it. Statements are prepared on first use, so a read-only opening prepares none.
 */
export class RunWrites {
  readonly #database: Database.Database;
  readonly #statements = new Map<StatementName, Statement>();
  #transaction: ((fn: () => unknown) => unknown) | undefined;

  constructor(database: Database.Database) {
    this.#database = database;
  }

  createRun(input: CreateRunInput): RunRecord {
    return this.#immediate(() => {
      const last = this.#statement('lastRunId').get(input.workflowName) as number | null;
      const row = this.#statement('insertRun').get(
        input.workflowName,
        (last ?? 0) + 1,
        input.startTime,
        input.owner.host,
        input.owner.pid,
        input.owner.processGroup,
        input.runbookHash,
        JSON.stringify(input.nodeIds),
      ) as Selectable<RunsTable>;
      return toRunRecord(row);
    });
  }

  claimRun(input: ClaimRunInput): boolean {
    const expected = input.expectedOwner;
    // One UPDATE whose WHERE is the compare: of two claims one matches.
    return this.#immediate(() => {
      const { changes } = this.#statement('claimRun').run(
        input.trigger ?? 'resume',
        input.endTime ?? null,
        input.owner.host,
        input.owner.pid,
        input.owner.processGroup,
        JSON.stringify(input.nodeIds),
        input.runbookHash,
        input.workflowName,
        input.runId,
        input.expectedStatus,
        expected?.host ?? null,
        expected?.pid ?? null,
        expected?.processGroup ?? null,
      );
      return changes === 1;
    });
  }

  setOwnerProcessGroup(key: RunKey, processGroup: number | null): void {
    this.#immediate(() => {
      const { changes } = this.#statement('setProcessGroup').run(processGroup, key.workflowName, key.runId);
      // No row changed: either the run has no owner (nothing to record) or it does not exist (an error).
      if (changes === 0) this.#requireRun(key);
    });
  }

  startAttempt(input: StartAttemptInput): AttemptRecord {
    return this.#immediate(() => {
      const { workflowName, runId } = input;
      const last = this.#statement('lastAttempt').get(
        workflowName,
        runId,
        workflowName,
        runId,
        input.nodeId,
      ) as number | null;
      if (last === null) throw new Error(`${describeRun(input)} does not exist`);
      const record = newAttemptRecord(input, last + 1);
      this.#statement('insertAttempt').run(
        record.workflowName,
        record.runId,
        record.nodeId,
        record.attempt,
        record.startTime,
        record.endTime,
        record.status,
        record.operatorDecision,
        record.durationMs,
      );
      return record;
    });
  }

  finishAttempt(key: AttemptKey, outcome: AttemptOutcome): void {
    this.#immediate(() => {
      const decision = outcome.operatorDecision;
      const { changes } = this.#statement('finishAttempt').run(
        outcome.status,
        outcome.endTime,
        outcome.durationMs,
        outcome.resultText ?? null,
        outcome.exitCode ?? null,
        outcome.exception ?? null,
        outcome.stdout ?? null,
        outcome.stderr ?? null,
        // Left out, the decision given at start stays.
        decision === undefined ? 0 : 1,
        decision ?? null,
        key.workflowName,
        key.runId,
        key.nodeId,
        key.attempt,
      );
      if (changes === 0) {
        const current = this.#statement('attemptStatus').get(
          key.workflowName,
          key.runId,
          key.nodeId,
          key.attempt,
        ) as string | undefined;
        if (current === undefined) throw new Error(`${describeAttempt(key)} does not exist`);
        throw new Error(`${describeAttempt(key)} is not running (status ${current})`);
      }
      // The attempt's command, if it had one, has ended: the owner record must not name its group any more.
      this.#statement('clearProcessGroup').run(key.workflowName, key.runId);
    });
  }

  finishRun(key: RunKey, input: FinishRunInput): void {
    this.#immediate(() => {
      const { changes } = this.#statement('finishRun').run(
        input.status,
        input.endTime,
        input.nodesOk,
        input.nodesNok,
        input.nodesSkipped,
        key.workflowName,
        key.runId,
      );
      if (changes === 0) throw new Error(`${describeRun(key)} does not exist`);
    });
  }

  saveAnswer(key: RunKey, nodeId: string, param: string, value: string): void {
    this.#immediate(() => {
      this.#requireRun(key);
      this.#statement('saveAnswer').run(key.workflowName, key.runId, nodeId, param, value);
    });
  }

  #requireRun(key: RunKey): void {
    if (this.#statement('runExists').get(key.workflowName, key.runId) === undefined) {
      throw new Error(`${describeRun(key)} does not exist`);
    }
  }

  #statement(name: StatementName): Statement {
    let statement = this.#statements.get(name);
    if (statement === undefined) {
      statement = this.#database.prepare(SQL[name]);
      if (PLUCKED.has(name)) statement.pluck();
      this.#statements.set(name, statement);
    }
    return statement;
  }

  /**
   * Runs `body` in a transaction begun IMMEDIATE. better-sqlite3 rolls back on a throw only while a transaction
   * is active, so an error after which SQLite rolled back itself (a full disk) is the one the caller sees.
   */
  #immediate<T>(body: () => T): T {
    // One wrapper, built once: the function it runs comes as its argument.
    this.#transaction ??= this.#database.transaction((fn: () => unknown) => fn()).immediate;
    return this.#transaction(body) as T;
  }
}
