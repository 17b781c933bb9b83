import type {
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RunKey,
  RunOwner,
  RunRecord,
} from '@playbook/engine';
import { driveAsync, type Operation, SqlRunStore, type SqlStep } from '@playbook/sql-store';
import { CompiledQuery, type Kysely, sql } from 'kysely';
import type { PlaybookDatabase } from './database.js';
import { postgresDialect } from './postgres-dialect.js';

/** Lease settings of a repository; see `OpenPostgresOptions`. */
export interface LeaseSettings {
  readonly leaseSeconds: number;
  readonly heartbeatMs: number;
}

/**
 * `RunRepository` and `RunHistory` on a PostgreSQL database shared by a team. Get one from
 * `openPostgresRunRepository`, which checks and migrates the schema first.
 *
 * Every state change is one transaction. A run's owner on another host cannot be checked for being alive, so
 * the owner holds a lease (`lease_expires_at`, in the server's time) that this repository renews on a timer
 * for the runs it created or claimed, until they end or it is closed; `ownerLeaseExpired` lets the engine
 * recover a run whose owner stopped renewing.
 */
export class PostgresRunRepository extends SqlRunStore {
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
    super(postgresDialect(lease.leaseSeconds));
    this.#db = db;
    this.#url = url;
    this.#lease = lease;
  }

  /** The database URL, without its password. */
  get path(): string {
    return this.#url;
  }

  override async createRun(input: CreateRunInput): Promise<RunRecord> {
    const run = await super.createRun(input);
    this.#keepLease(run, input.owner);
    return run;
  }

  override async claimRun(input: ClaimRunInput): Promise<boolean> {
    const claimed = await super.claimRun(input);
    if (claimed) this.#keepLease(input, input.owner);
    return claimed;
  }

  override async finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    try {
      await super.finishRun(key, input);
    } finally {
      this.#dropLease(key);
    }
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
        .set({ lease_expires_at: sql<Date>`now() + make_interval(secs => ${this.#lease.leaseSeconds})` })
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

  protected write<T>(operation: Operation<T>): Promise<T> {
    return this.#db.transaction().execute((trx) => driveAsync(operation, (step) => execute(trx, step)));
  }

  protected read<T>(operation: Operation<T>): Promise<T> {
    return driveAsync(operation, (step) => execute(this.#db, step));
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

/** Runs one step of an operation on the pool or in a transaction. */
async function execute(db: Kysely<PlaybookDatabase>, step: SqlStep): Promise<unknown> {
  const result = await db.executeQuery<Record<string, unknown>>(
    CompiledQuery.raw(step.sql, [...step.values]),
  );
  if (step.kind === 'changes') return Number(result.numAffectedRows ?? 0n);
  return step.kind === 'row' ? result.rows[0] : result.rows;
}

function leaseId(key: RunKey): string {
  return `${key.workflowName}\0${key.runId}`;
}
