import type {
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RunKey,
  RunRecord,
  RunRepository,
  RunState,
  RunStatus,
  StartAttemptInput,
} from '@playbook/engine';
import {
  type DatabaseInfo,
  type NodeStatusCount,
  type PlaybookDatabase,
  type RunsTable,
  schemaVersionOf,
  summarizeWorkflows,
  tallyNodeStatuses,
  toAttemptRecord,
  toRunRecord,
  toRunState,
  type WorkflowSummary,
} from '@playbook/sql-store';
import type Database from 'better-sqlite3';
import type { Kysely, Selectable, sql } from 'kysely';
import { RunWrites } from './run-writes.js';

/**
 * `RunRepository` on one SQLite file, plus the history queries of `info` and `show`. Get one from
 * `openSqliteRunRepository`, which checks and migrates the file first.
 *
 * Every state change is one transaction begun IMMEDIATE (see `RunWrites`), so concurrent processes queue on
 * SQLite's write lock within the busy timeout rather than failing. Reads and migrations go through Kysely,
 * loaded on the first of them; `listRunningRuns`, which every `run` asks first, is a plain statement instead.
 */
export class SqliteRunRepository implements RunRepository {
  readonly #database: Database.Database;
  readonly #writes: RunWrites;
  readonly #path: string;
  /** Kysely for the reads, loaded on the first one (see `kysely-connection.ts`). */
  #reads: Promise<Reads> | undefined;
  #closed = false;

  /**
   * Whether this process may write the state file and its folder: false for a read-only open of a file that
   * is read-only to it (permissions, a read-only file system). Nothing should then try to write it.
   */
  readonly writable: boolean;
  /**
   * Whether SQLite reads the file in immutable mode, because its journal could not be opened or created (a
   * read-only folder): changes still in the WAL file are not seen, so the view may miss the newest ones.
   */
  readonly immutable: boolean;

  /**
   * Use `openSqliteRunRepository`: it checks, creates and migrates the file this expects. Writes are prepared
   * statements on `database`; reads go through Kysely over the same connection (`db`, or one made on demand).
   */
  constructor(
    database: Database.Database,
    path: string,
    db?: Kysely<PlaybookDatabase>,
    access: { readonly writable: boolean; readonly immutable: boolean } = {
      writable: true,
      immutable: false,
    },
  ) {
    this.#database = database;
    this.#writes = new RunWrites(database);
    this.#path = path;
    this.writable = access.writable;
    this.immutable = access.immutable;
    if (db !== undefined) this.#reads = import('./kysely-connection.js').then(({ sql }) => ({ db, sql }));
  }

  /** Absolute path of the state file. */
  get path(): string {
    return this.#path;
  }

  async createRun(input: CreateRunInput): Promise<RunRecord> {
    return this.#writes.createRun(input);
  }

  async loadRun(key: RunKey): Promise<RunState | undefined> {
    const { db, sql } = await this.#kysely();
    const run = await db
      .selectFrom('runs')
      .selectAll()
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      .executeTakeFirst();
    if (run === undefined) return undefined;
    const attempts = await db
      .selectFrom('executions')
      .selectAll()
      .where('workflow_name', '=', key.workflowName)
      .where('run_id', '=', key.runId)
      // rowid grows with every insert: same-instant attempts stay in the order they were written.
      .orderBy('start_time')
      .orderBy(sql`rowid`)
      .execute();
    const answerRows = await db
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
    const { db } = await this.#kysely();
    let query = db
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
    // A plain statement, not Kysely: every `run` asks this first, and most never need Kysely at all.
    const rows =
      workflowName === undefined
        ? this.#database
            .prepare("SELECT * FROM runs WHERE status = 'running' ORDER BY workflow_name, run_id")
            .all()
        : this.#database
            .prepare("SELECT * FROM runs WHERE status = 'running' AND workflow_name = ? ORDER BY run_id")
            .all(workflowName);
    return (rows as Selectable<RunsTable>[]).map(toRunRecord);
  }

  async claimRun(input: ClaimRunInput): Promise<boolean> {
    return this.#writes.claimRun(input);
  }

  async setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    this.#writes.setOwnerProcessGroup(key, processGroup);
  }

  async startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    return this.#writes.startAttempt(input);
  }

  async finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    this.#writes.finishAttempt(key, outcome);
  }

  async finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    this.#writes.finishRun(key, input);
  }

  async saveAnswer(key: RunKey, nodeId: string, param: string, value: string): Promise<void> {
    this.#writes.saveAnswer(key, nodeId, param, value);
  }

  /** Every workflow with runs, by name: its run count by status and its newest run. */
  async listWorkflows(): Promise<WorkflowSummary[]> {
    const { db } = await this.#kysely();
    const counts = await db
      .selectFrom('runs')
      .select(['workflow_name', 'status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy(['workflow_name', 'status'])
      .execute();
    const latest = await db
      .selectFrom('runs as r')
      .selectAll('r')
      .where('r.run_id', '=', (eb) =>
        eb
          .selectFrom('runs as newest')
          .select((inner) => inner.fn.max('newest.run_id').as('run_id'))
          .whereRef('newest.workflow_name', '=', 'r.workflow_name'),
      )
      .orderBy('r.workflow_name')
      .execute();
    return summarizeWorkflows(latest, counts);
  }

  /** Every node that has attempts in the workflow, by id, with its runs counted by its status in each. */
  async nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]> {
    const { db, sql } = await this.#kysely();
    // One pass along the primary key (workflow, run, node, attempt): per run and node the latest attempt's
    // status — SQLite takes a bare column from the row that holds the max() — and the number of attempts;
    // then counts per node and status. The correlated sub-query this replaces read the rows twice.
    const { rows } = await sql<{ node_id: string; status: string; runs: number; attempts: number }>`
      SELECT node_id, status, count(*) AS runs, sum(attempts) AS attempts
      FROM (
        SELECT node_id, status, max(attempt) AS attempt, count(*) AS attempts
        FROM executions
        WHERE workflow_name = ${workflowName}
        GROUP BY run_id, node_id
      )
      GROUP BY node_id, status
      ORDER BY node_id`.execute(db);
    return tallyNodeStatuses(rows);
  }

  /** A workflow's runs, newest first. */
  async listRuns(workflowName: string): Promise<RunRecord[]> {
    const { db } = await this.#kysely();
    const rows = await db
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

  /** The file's path, size and schema version. */
  async databaseInfo(): Promise<DatabaseInfo> {
    const { db, sql } = await this.#kysely();
    const { rows: pages } = await sql<{ bytes: number }>`
      select page_count * page_size as bytes from pragma_page_count(), pragma_page_size()
    `.execute(db);
    const { rows: applied } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    return {
      path: this.#path,
      sizeBytes: Number(pages[0]?.bytes ?? 0),
      schemaVersion: schemaVersionOf(applied.map((row) => row.name)),
    };
  }

  /** Closes the database; later calls fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Kysely, once made, owns the connection: destroying it closes the database.
    if (this.#reads === undefined) this.#database.close();
    else await (await this.#reads).db.destroy();
  }

  #kysely(): Promise<Reads> {
    if (this.#closed) return Promise.reject(new Error('the state file is closed'));
    this.#reads ??= import('./kysely-connection.js').then(({ kyselyOver, sql }) => ({
      db: kyselyOver(this.#database),
      sql,
    }));
    return this.#reads;
  }
}

interface Reads {
  readonly db: Kysely<PlaybookDatabase>;
  readonly sql: typeof sql;
}
