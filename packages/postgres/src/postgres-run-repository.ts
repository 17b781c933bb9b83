import type {
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RunKey,
  RunOwner,
  RunRecord,
  RunRepository,
  RunState,
  RunStatus,
  StartAttemptInput,
} from '@playbook/engine';
// The records subpath alone: the engine's main entry would load the planner and the domain's schemas.
import { describeAttempt, describeRun, newAttemptRecord } from '@playbook/engine/records';
import {
  type DatabaseInfo,
  type NodeStatusCount,
  schemaVersionOf,
  summarizeWorkflows,
  tallyNodeStatuses,
  toRunRecord,
  toRunState,
  type WorkflowSummary,
} from '@playbook/sql-store';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { PlaybookDatabase } from './database.js';
import { toAttemptRecord } from './rows.js';

/** First key of the run-id advisory locks ("play"), so they cannot collide with other users' single-key locks. */
const RUN_ID_LOCK_SPACE = 0x706c6179;

/** Lease settings of a repository; see `OpenPostgresOptions`. */
export interface LeaseSettings {
  readonly leaseSeconds: number;
  readonly heartbeatMs: number;
}

/**
 * `RunRepository` on a PostgreSQL database shared by a team, plus the history queries of `info` and `show`.
 * Get one from `openPostgresRunRepository`, which checks and migrates the schema first.
 *
 * Every state change is one transaction. A run's owner on another host cannot be checked for being alive, so
 * the owner holds a lease (`lease_expires_at`, in the server's time) that this repository renews on a timer
 * for the runs it created or claimed, until they end or it is closed; `ownerLeaseExpired` lets the engine
 * recover a run whose owner stopped renewing.
 */
export class PostgresRunRepository implements RunRepository {
  readonly #db: Kysely<PlaybookDatabase>;
  readonly #url: string;
  readonly #lease: LeaseSettings;
  /** Runs this process owns and keeps the lease of, by `workflow\0runId`. */
  readonly #owned = new Map<string, { key: RunKey; owner: RunOwner }>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #renewing: Promise<void> | undefined;
  #closed = false;

  /** Use `openPostgresRunRepository`. `url` is the connection URL without its password, for messages. */
  constructor(db: Kysely<PlaybookDatabase>, url: string, lease: LeaseSettings) {
    this.#db = db;
    this.#url = url;
    this.#lease = lease;
  }

  /** The database URL, without its password. */
  get path(): string {
    return this.#url;
  }

  async createRun(input: CreateRunInput): Promise<RunRecord> {
    const row = await this.#db.transaction().execute(async (trx) => {
      // One allocator per workflow at a time, held to the commit: the next one reads this run's id.
      await sql`select pg_advisory_xact_lock(${RUN_ID_LOCK_SPACE}, hashtext(${input.workflowName}))`.execute(
        trx,
      );
      const { last } = await trx
        .selectFrom('runs')
        .select((eb) => eb.fn.max('run_id').as('last'))
        .where('workflow_name', '=', input.workflowName)
        .executeTakeFirstOrThrow();
      return trx
        .insertInto('runs')
        .values({
          workflow_name: input.workflowName,
          run_id: (last ?? 0) + 1,
          start_time: input.startTime,
          end_time: null,
          status: 'running',
          trigger: 'run',
          owner_host: input.owner.host,
          owner_pid: input.owner.pid,
          owner_process_group: input.owner.processGroup,
          lease_expires_at: this.#leaseEnd(),
          runbook_hash: input.runbookHash,
          node_ids: JSON.stringify(input.nodeIds),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    const run = toRunRecord(row);
    this.#keepLease(run, input.owner);
    return run;
  }

  async loadRun(key: RunKey): Promise<RunState | undefined> {
    const run = await this.#db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      .executeTakeFirst();
    if (run === undefined) return undefined;
    const attempts = await this.#db
      .selectFrom('executions')
      .selectAll()
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      .orderBy('start_time')
      .orderBy('write_order')
      .execute();
    const answerRows = await this.#db
      .selectFrom('run_answers')
      .select(['node_id', 'param', 'value'])
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      .orderBy('node_id')
      .orderBy('param')
      .execute();
    return toRunState(run, attempts.map(toAttemptRecord), answerRows);
  }

  async findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Promise<RunRecord | undefined> {
    if (statuses !== undefined && statuses.length === 0) return undefined;
    let query = this.#db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_name', '=', workflowName)
      .orderBy('run_id', 'desc')
      .limit(1);
    if (statuses !== undefined) query = query.where('status', 'in', statuses);
    const row = await query.executeTakeFirst();
    return row === undefined ? undefined : toRunRecord(row);
  }

  async listRunningRuns(workflowName?: string): Promise<RunRecord[]> {
    let query = this.#db
      .selectFrom('runs')
      .selectAll()
      .where('status', '=', 'running')
      // Byte order, as SQLite sorts: the database's collation might order names differently.
      .orderBy(sql`workflow_name collate "C"`)
      .orderBy('run_id');
    if (workflowName !== undefined) query = query.where('workflow_name', '=', workflowName);
    return (await query.execute()).map(toRunRecord);
  }

  async claimRun(input: ClaimRunInput): Promise<boolean> {
    const expected = input.expectedOwner;
    // One UPDATE whose WHERE is the compare: of two claims one matches (the second re-reads the row and fails).
    const result = await this.#db
      .updateTable('runs')
      .set({
        status: 'running',
        trigger: input.trigger ?? 'resume',
        end_time: input.endTime ?? null,
        owner_host: input.owner.host,
        owner_pid: input.owner.pid,
        owner_process_group: input.owner.processGroup,
        lease_expires_at: this.#leaseEnd(),
        node_ids: JSON.stringify(input.nodeIds),
        runbook_hash: input.runbookHash,
      })
      .where('workflow_name', '=', input.workflowName)
      .where('run_id', '=', input.runId)
      .where('status', '=', input.expectedStatus)
      .where(sql<boolean>`owner_host is not distinct from ${expected?.host ?? null}::text`)
      .where(sql<boolean>`owner_pid is not distinct from ${expected?.pid ?? null}::integer`)
      .where(
        sql<boolean>`owner_process_group is not distinct from ${expected?.processGroup ?? null}::integer`,
      )
      .executeTakeFirst();
    const claimed = result.numUpdatedRows === 1n;
    if (claimed) this.#keepLease(input, input.owner);
    return claimed;
  }

  async setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    const result = await this.#db
      .updateTable('runs')
      .set({ owner_process_group: processGroup })
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      // A run nobody owns has no command running: there is nothing to record.
      .where('owner_host', 'is not', null)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) await requireRun(this.#db, key);
  }

  async startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    const row = await this.#db.transaction().execute(async (trx) => {
      // Locking the run row serialises attempt numbering within the run (and checks the run exists).
      await requireRun(trx, input, true);
      const { last } = await trx
        .selectFrom('executions')
        .select((eb) => eb.fn.max('attempt').as('last'))
        .where('workflow_name', '=', input.workflowName)
        .where('run_id', '=', input.runId)
        .where('node_id', '=', input.nodeId)
        .executeTakeFirstOrThrow();
      const record = newAttemptRecord(input, (last ?? 0) + 1);
      return trx
        .insertInto('executions')
        .values({
          workflow_name: record.workflowName,
          run_id: record.runId,
          node_id: record.nodeId,
          attempt: record.attempt,
          start_time: record.startTime,
          end_time: record.endTime,
          status: record.status,
          operator_decision: record.operatorDecision,
          duration_ms: record.durationMs,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return toAttemptRecord(row);
  }

  async finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const result = await trx
        .updateTable('executions')
        .set({
          status: outcome.status,
          end_time: outcome.endTime,
          duration_ms: outcome.durationMs,
          result_text: outcome.resultText ?? null,
          exit_code: outcome.exitCode ?? null,
          exception: outcome.exception ?? null,
          stdout: outcome.stdout ?? null,
          stderr: outcome.stderr ?? null,
          // Left out, the decision given at start stays.
          ...(outcome.operatorDecision === undefined ? {} : { operator_decision: outcome.operatorDecision }),
        })
        .where('workflow_name', '=', key.workflowName)
        .where('run_id', '=', key.runId)
        .where('node_id', '=', key.nodeId)
        .where('attempt', '=', key.attempt)
        .where('status', '=', 'running')
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        const current = await trx
          .selectFrom('executions')
          .select('status')
          .where('workflow_name', '=', key.workflowName)
          .where('run_id', '=', key.runId)
          .where('node_id', '=', key.nodeId)
          .where('attempt', '=', key.attempt)
          .executeTakeFirst();
        if (current === undefined) throw new Error(`${describeAttempt(key)} does not exist`);
        throw new Error(`${describeAttempt(key)} is not running (status ${current.status})`);
      }
      // The attempt's command, if it had one, has ended: the owner record must not name its group any more.
      await trx
        .updateTable('runs')
        .set({ owner_process_group: null })
        .where('workflow_name', '=', key.workflowName)
        .where('run_id', '=', key.runId)
        .where('owner_process_group', 'is not', null)
        .execute();
    });
  }

  async finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    const result = await this.#db
      .updateTable('runs')
      .set({
        status: input.status,
        end_time: input.endTime,
        nodes_ok: input.nodesOk,
        nodes_nok: input.nodesNok,
        nodes_skipped: input.nodesSkipped,
        owner_host: null,
        owner_pid: null,
        owner_process_group: null,
        lease_expires_at: null,
      })
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      .executeTakeFirst();
    this.#dropLease(key);
    if (result.numUpdatedRows === 0n) throw new Error(`${describeRun(key)} does not exist`);
  }

  async saveAnswer(key: RunKey, nodeId: string, param: string, value: string): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      await requireRun(trx, key);
      await trx
        .insertInto('run_answers')
        .values({ workflow_name: key.workflowName, run_id: key.runId, node_id: nodeId, param, value })
        .onConflict((oc) =>
          oc.columns(['workflow_name', 'run_id', 'node_id', 'param']).doUpdateSet({ value }),
        )
        .execute();
    });
  }

  /**
   * Whether the lease of `run`'s owner has run out (by the server's clock, so hosts' clocks need not agree).
   * False when the run is no longer `running` under that owner: whoever changed it holds it now.
   */
  async ownerLeaseExpired(run: RunRecord): Promise<boolean> {
    const row = await this.#db
      .selectFrom('runs')
      .select(sql<boolean>`lease_expires_at is null or lease_expires_at < now()`.as('expired'))
      .where('workflow_name', '=', run.workflowName)
      .where('run_id', '=', run.runId)
      .where('status', '=', 'running')
      .where(sql<boolean>`owner_host is not distinct from ${run.owner?.host ?? null}::text`)
      .where(sql<boolean>`owner_pid is not distinct from ${run.owner?.pid ?? null}::integer`)
      .executeTakeFirst();
    return row?.expired === true;
  }

  /** Renews now the leases of the runs this repository owns (the timer does it every `heartbeatMs`). */
  async renewLeases(): Promise<void> {
    for (const [id, { key, owner }] of [...this.#owned]) {
      const result = await this.#db
        .updateTable('runs')
        .set({ lease_expires_at: this.#leaseEnd() })
        .where('workflow_name', '=', key.workflowName)
        .where('run_id', '=', key.runId)
        .where('status', '=', 'running')
        .where('owner_host', '=', owner.host)
        .where('owner_pid', '=', owner.pid)
        .executeTakeFirst();
      // Ended or taken over (its lease had expired): not ours to renew any more.
      if (result.numUpdatedRows === 0n) this.#owned.delete(id);
    }
    if (this.#owned.size === 0) this.#stopHeartbeat();
  }

  /** Every workflow with runs, by name: its run count by status and its newest run. */
  async listWorkflows(): Promise<WorkflowSummary[]> {
    const counts = await this.#db
      .selectFrom('runs')
      .select(['workflow_name', 'status', (eb) => eb.fn.countAll<string>().as('count')])
      .groupBy(['workflow_name', 'status'])
      .execute();
    const latest = await this.#db
      .selectFrom('runs as r')
      .selectAll('r')
      .where('r.run_id', '=', (eb) =>
        eb
          .selectFrom('runs as newest')
          .select((inner) => inner.fn.max('newest.run_id').as('run_id'))
          .whereRef('newest.workflow_name', '=', 'r.workflow_name'),
      )
      .orderBy(sql`r.workflow_name collate "C"`)
      .execute();
    return summarizeWorkflows(latest, counts);
  }

  /** Every node that has attempts in the workflow, by id, with its runs counted by its status in each. */
  async nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]> {
    const latest = await this.#db
      .selectFrom('executions as e')
      .select(['e.node_id', 'e.status', (eb) => eb.fn.countAll<string>().as('count')])
      .where('e.workflow_name', '=', workflowName)
      .where('e.attempt', '=', (eb) =>
        eb
          .selectFrom('executions as later')
          .select((inner) => inner.fn.max('later.attempt').as('attempt'))
          .whereRef('later.workflow_name', '=', 'e.workflow_name')
          .whereRef('later.run_id', '=', 'e.run_id')
          .whereRef('later.node_id', '=', 'e.node_id'),
      )
      .groupBy(['e.node_id', 'e.status'])
      .execute();
    const attempts = await this.#db
      .selectFrom('executions')
      .select(['node_id', (eb) => eb.fn.countAll<string>().as('count')])
      .where('workflow_name', '=', workflowName)
      .groupBy('node_id')
      .orderBy(sql`node_id collate "C"`)
      .execute();
    // Nodes in the order of `attempts` (every node with an attempt has a latest one, so none is missed).
    return tallyNodeStatuses([
      ...attempts.map(({ node_id, count }) => ({ node_id, status: null, runs: 0, attempts: count })),
      ...latest.map(({ node_id, status, count }) => ({ node_id, status, runs: count, attempts: 0 })),
    ]);
  }

  /** A workflow's runs, newest first. */
  async listRuns(workflowName: string): Promise<RunRecord[]> {
    const rows = await this.#db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_name', '=', workflowName)
      .orderBy('run_id', 'desc')
      .execute();
    return rows.map(toRunRecord);
  }

  /** One run with its executions in order and its remembered answers; undefined when there is none. */
  async getRunWithExecutions(workflowName: string, runId: number): Promise<RunState | undefined> {
    return this.loadRun({ workflowName, runId });
  }

  /** The database URL (no password), the size of the Playbook tables and the schema version. */
  async databaseInfo(): Promise<DatabaseInfo> {
    const { rows: sizes } = await sql<{ bytes: string | null }>`
      select sum(pg_total_relation_size(to_regclass(name))) as bytes
      from unnest(array['runs', 'executions', 'run_answers', 'kysely_migration', 'kysely_migration_lock']) as name
    `.execute(this.#db);
    const { rows: applied } = await sql<{ name: string }>`select name from kysely_migration`.execute(
      this.#db,
    );
    return {
      path: this.#url,
      sizeBytes: Number(sizes[0]?.bytes ?? 0),
      schemaVersion: schemaVersionOf(applied.map((row) => row.name)),
    };
  }

  /**
   * Stops renewing leases and closes the connections; later calls fail. Closing twice is harmless. The leases
   * of runs still `running` are left to expire: another host may then recover those runs.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeat();
    this.#owned.clear();
    await this.#renewing?.catch(() => undefined);
    await this.#db.destroy();
  }

  #leaseEnd() {
    return sql<Date>`now() + make_interval(secs => ${this.#lease.leaseSeconds})`;
  }

  #keepLease(key: RunKey, owner: RunOwner): void {
    this.#owned.set(leaseId(key), { key: { workflowName: key.workflowName, runId: key.runId }, owner });
    if (this.#heartbeat !== undefined || this.#closed) return;
    this.#heartbeat = setInterval(() => {
      if (this.#renewing !== undefined) return;
      // A failed renewal (the server briefly unreachable) is retried at the next beat; the lease has
      // `leaseSeconds` of slack for that. It must never become an unhandled rejection.
      this.#renewing = this.renewLeases()
        .catch(() => undefined)
        .finally(() => {
          this.#renewing = undefined;
        });
    }, this.#lease.heartbeatMs);
    // The timer must never be what keeps a finished CLI process alive.
    this.#heartbeat.unref();
  }

  #dropLease(key: RunKey): void {
    this.#owned.delete(leaseId(key));
    if (this.#owned.size === 0) this.#stopHeartbeat();
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}

async function requireRun(
  db: Kysely<PlaybookDatabase> | Transaction<PlaybookDatabase>,
  key: RunKey,
  lock = false,
): Promise<void> {
  let query = db
    .selectFrom('runs')
    .select('run_id')
    .where('workflow_name', '=', key.workflowName)
    .where('run_id', '=', key.runId);
  if (lock) query = query.forUpdate();
  if ((await query.executeTakeFirst()) === undefined) throw new Error(`${describeRun(key)} does not exist`);
}

function leaseId(key: RunKey): string {
  return `${key.workflowName}\0${key.runId}`;
}
