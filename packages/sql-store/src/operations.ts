import type {
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  ClaimRunInput,
  CreateRunInput,
  DatabaseInfo,
  FinishRunInput,
  NodeStatusCount,
  RerunRecord,
  RunKey,
  RunRecord,
  RunState,
  RunStatus,
  StartAttemptInput,
  WorkflowSummary,
} from '@playbook/engine';
// The records subpath alone: the engine's main entry would load the planner and the domain's schemas.
import {
  attemptNotFound,
  attemptNotRunning,
  compareCodePoints,
  newAttemptRecord,
  runNotFound,
} from '@playbook/engine/records';
import {
  type DriverCount,
  type NodeTallyRow,
  summarizeWorkflows,
  tallyNodeStatuses,
} from './history-shaping.js';
import {
  type AttemptRow,
  encodeOutputLog,
  type OutputRow,
  orderAttempts,
  type RunsRow,
  toRunRecord,
  toRunState,
  withOutputs,
} from './rows.js';
import { schemaVersionOf } from './schema-version.js';
import { STATUS_SLOTS, type Statements } from './statements.js';

/**
 * One statement for an executor to run, and what it wants back: `row` the first row (undefined for none),
 * `rows` all of them, `changes` how many rows the statement changed.
 */
export type SqlStep =
  | { readonly kind: 'row' | 'rows'; readonly sql: string; readonly values: readonly unknown[] }
  | { readonly kind: 'changes'; readonly sql: string; readonly values: readonly unknown[] };

/**
 * A repository method written once for every dialect: it yields the statements to run, one at a time, and gets
 * each one's result back. SQLite drives it synchronously inside one `BEGIN IMMEDIATE` transaction; PostgreSQL
 * awaits each step inside a transaction of its pool. The adapter decides how; the operation only what.
 */
export type Operation<T> = Generator<SqlStep, T, unknown>;

const row = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'row', sql, values });
const rows = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'rows', sql, values });
const changes = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'changes', sql, values });

/** Runs an operation whose steps an executor answers synchronously. */
export function driveSync<T>(operation: Operation<T>, execute: (step: SqlStep) => unknown): T {
  let next = operation.next();
  while (next.done !== true) next = operation.next(execute(next.value));
  return next.value;
}

/** Runs an operation whose steps an executor answers asynchronously. */
export async function driveAsync<T>(
  operation: Operation<T>,
  execute: (step: SqlStep) => Promise<unknown>,
): Promise<T> {
  let next = operation.next();
  while (next.done !== true) next = operation.next(await execute(next.value));
  return next.value;
}

/** The operations of `SqlRunStore`, over one dialect's statements. */
export class Operations {
  readonly #sql: Statements;

  constructor(statements: Statements) {
    this.#sql = statements;
  }

  *createRun(input: CreateRunInput): Operation<RunRecord> {
    const { workflowName } = input;
    if (this.#sql.lockRunIds !== undefined) yield row(this.#sql.lockRunIds, workflowName);
    const last = (yield row(this.#sql.lastRunId, workflowName)) as { last: DriverCount | null };
    const runId = Number(last.last ?? 0) + 1;
    const inserted = (yield row(
      this.#sql.insertRun,
      workflowName,
      runId,
      input.startTime,
      input.owner.host,
      input.owner.pid,
      input.owner.processGroup,
      input.runbookHash,
    )) as Omit<RunsRow, 'node_ids'>;
    yield changes(this.#sql.saveNodeIds, workflowName, runId, JSON.stringify(input.nodeIds));
    for (const [name, value] of Object.entries(input.inputs ?? {})) {
      yield changes(this.#sql.saveInput, workflowName, runId, name, JSON.stringify(value));
    }
    return { ...toRunRecord({ ...inserted, node_ids: '[]' }), nodeIds: [...input.nodeIds] };
  }

  *claimRun(input: ClaimRunInput): Operation<boolean> {
    const expected = input.expectedOwner;
    const changed = yield changes(
      this.#sql.claimRun,
      input.trigger ?? 'resume',
      input.endTime ?? null,
      input.owner.host,
      input.owner.pid,
      input.owner.processGroup,
      input.runbookHash,
      input.workflowName,
      input.runId,
      input.expectedStatus,
      expected?.host ?? null,
      expected?.pid ?? null,
      expected?.processGroup ?? null,
    );
    if (changed !== 1) return false;
    yield changes(this.#sql.saveNodeIds, input.workflowName, input.runId, JSON.stringify(input.nodeIds));
    return true;
  }

  *setOwnerProcessGroup(key: RunKey, processGroup: number | null): Operation<void> {
    const changed = yield changes(this.#sql.setProcessGroup, processGroup, key.workflowName, key.runId);
    // No row changed: either the run has no owner (nothing to record) or it does not exist (an error).
    if (changed === 0) yield* this.#requireRun(key);
  }

  *startAttempt(input: StartAttemptInput): Operation<AttemptRecord> {
    const { workflowName, runId } = input;
    const found = (yield row(
      this.#sql.lastAttempt,
      workflowName,
      runId,
      workflowName,
      runId,
      input.nodeId,
    )) as {
      last: DriverCount | null;
    };
    if (found.last === null) throw runNotFound(input);
    const record = newAttemptRecord(input, Number(found.last) + 1);
    yield changes(
      this.#sql.insertAttempt,
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
  }

  *finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Operation<void> {
    const decision = outcome.operatorDecision;
    const changed = yield changes(
      this.#sql.finishAttempt,
      outcome.status,
      outcome.endTime,
      outcome.durationMs,
      outcome.resultText ?? null,
      outcome.exitCode ?? null,
      outcome.exception ?? null,
      outcome.stdout ?? null,
      outcome.stderr ?? null,
      encodeOutputLog(outcome.outputLog ?? null),
      // Left out, the decision given at start stays.
      decision === undefined ? 0 : 1,
      decision ?? null,
      key.workflowName,
      key.runId,
      key.nodeId,
      key.attempt,
    );
    if (changed === 0) {
      const status = yield* this.#requireAttempt(key);
      throw attemptNotRunning(key, status);
    }
    // In the same transaction as the outcome: an attempt is never seen ended without its outputs.
    const outputs: [string, string | null][] = [
      ...Object.entries(outcome.outputs ?? {}),
      ...(outcome.secretOutputs ?? []).map((secret): [string, null] => [secret, null]),
    ];
    for (const [position, [outputKey, value]] of outputs.entries()) {
      yield changes(
        this.#sql.insertOutput,
        key.workflowName,
        key.runId,
        key.nodeId,
        key.attempt,
        position,
        outputKey,
        value,
      );
    }
    // The attempt's command, if it had one, has ended: the owner record must not name its group any more.
    yield changes(this.#sql.clearProcessGroup, key.workflowName, key.runId);
  }

  *recordDecision(key: AttemptKey, decision: string): Operation<void> {
    const { workflowName, runId, nodeId, attempt } = key;
    const changed = yield changes(this.#sql.recordDecision, decision, workflowName, runId, nodeId, attempt);
    // No row changed: the attempt has a decision already (kept), or it does not exist (an error).
    if (changed === 0) yield* this.#requireAttempt(key);
  }

  *finishRun(key: RunKey, input: FinishRunInput): Operation<void> {
    const changed = yield changes(
      this.#sql.finishRun,
      input.status,
      input.endTime,
      input.nodesOk,
      input.nodesNok,
      input.nodesSkipped,
      key.workflowName,
      key.runId,
    );
    if (changed === 0) throw runNotFound(key);
  }

  *saveAnswer(key: RunKey, nodeId: string, param: string, value: string): Operation<void> {
    yield* this.#requireRun(key);
    yield changes(this.#sql.saveAnswer, key.workflowName, key.runId, nodeId, param, value);
  }

  *recordRerun(key: RunKey, rerun: RerunRecord): Operation<void> {
    yield* this.#requireRun(key);
    yield changes(
      this.#sql.insertRerun,
      key.workflowName,
      key.runId,
      rerun.time,
      JSON.stringify(rerun.nodeIds),
      rerun.reason,
    );
  }

  *listReruns(key: RunKey): Operation<RerunRecord[]> {
    yield* this.#requireRun(key);
    const found = (yield rows(this.#sql.selectReruns, key.workflowName, key.runId)) as {
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
    const run = (yield row(this.#sql.selectRun, key.workflowName, key.runId)) as RunsRow | undefined;
    if (run === undefined) return undefined;
    const attempts = (yield rows(this.#sql.selectAttempts, key.workflowName, key.runId)) as AttemptRow[];
    const answers = (yield rows(this.#sql.selectAnswers, key.workflowName, key.runId)) as AnswerRow[];
    const outputs = (yield rows(this.#sql.selectOutputs, key.workflowName, key.runId)) as OutputRow[];
    const inputs = (yield rows(this.#sql.selectInputs, key.workflowName, key.runId)) as InputRow[];
    return toRunState(run, withOutputs(orderAttempts(attempts), outputs), answers, inputs);
  }

  *findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Operation<RunRecord | undefined> {
    if (statuses !== undefined && statuses.length === 0) return undefined;
    const found = (yield statuses === undefined
      ? row(this.#sql.latestRun, workflowName)
      : row(this.#sql.latestRunAmong, workflowName, ...padStatuses(statuses))) as RunsRow | undefined;
    return found === undefined ? undefined : toRunRecord(found);
  }

  *listRunningRuns(workflowName?: string): Operation<RunRecord[]> {
    const found = (yield workflowName === undefined
      ? rows(this.#sql.runningRuns)
      : rows(this.#sql.runningRunsOf, workflowName)) as RunsRow[];
    const records = found.map(toRunRecord);
    if (workflowName === undefined) {
      records.sort((a, b) => compareCodePoints(a.workflowName, b.workflowName) || a.runId - b.runId);
    }
    return records;
  }

  *listRuns(workflowName: string): Operation<RunRecord[]> {
    return ((yield rows(this.#sql.runsOf, workflowName)) as RunsRow[]).map(toRunRecord);
  }

  *listWorkflows(): Operation<WorkflowSummary[]> {
    const counts = (yield rows(this.#sql.runCounts)) as RunCountRow[];
    const latest = (yield rows(this.#sql.latestRuns)) as RunsRow[];
    return summarizeWorkflows(latest, counts);
  }

  *nodeStatusCounts(workflowName: string): Operation<NodeStatusCount[]> {
    return tallyNodeStatuses((yield rows(this.#sql.nodeTally, workflowName)) as NodeTallyRow[]);
  }

  /** What `databaseInfo` reads; the adapter adds where the history is. */
  *databaseInfo(path: string): Operation<DatabaseInfo> {
    const size = (yield row(this.#sql.sizeBytes)) as { bytes: DriverCount | null } | undefined;
    const applied = (yield rows(this.#sql.appliedMigrations)) as { name: string }[];
    return {
      path,
      sizeBytes: Number(size?.bytes ?? 0),
      schemaVersion: schemaVersionOf(applied.map((migration) => migration.name)),
    };
  }

  *#requireRun(key: RunKey): Operation<void> {
    if ((yield row(this.#sql.runExists, key.workflowName, key.runId)) === undefined) {
      throw runNotFound(key);
    }
  }

  /** The attempt's status; throws `ATTEMPT_NOT_FOUND`, or `RUN_NOT_FOUND` when its run does not exist either. */
  *#requireAttempt(key: AttemptKey): Operation<string> {
    const { workflowName, runId, nodeId, attempt } = key;
    const found = (yield row(this.#sql.attemptStatus, workflowName, runId, nodeId, attempt)) as
      | { status: string }
      | undefined;
    if (found !== undefined) return found.status;
    yield* this.#requireRun(key);
    throw attemptNotFound(key);
  }
}

interface InputRow {
  readonly name: string;
  readonly value: string;
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
