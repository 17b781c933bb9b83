/**
 * What one SQL dialect does differently, as small named hooks: everything else — the statements, the
 * migrations, the order of operations — `@playbook/sql-store` writes once for every dialect.
 */
export interface SqlDialect {
  /** The adapter package, named in the headings of `schemaDdl()`: `@playbook/sqlite`. */
  readonly packageName: string;
  /** How the `n`-th parameter (from 1) of a statement is written: `?` in SQLite, `$1`, `$2`… in PostgreSQL. */
  parameter(n: number): string;
  /** The schema's differences. */
  readonly schema: SchemaHooks;
  /**
   * A column that grows with every insert into `executions`: attempts that started at the same instant load in
   * the order they were written. SQLite has `rowid`; PostgreSQL an identity column (`SchemaHooks.writeOrderDdl`).
   */
  readonly writeOrder: string;
  /**
   * Appended to the look-up of the run that numbers a new attempt, to lock its row until the commit (PostgreSQL:
   * ` FOR UPDATE`). Empty where the transaction holds the whole store already (SQLite's `BEGIN IMMEDIATE`).
   */
  readonly lockRun: string;
  /**
   * A statement, given the workflow name, that serialises run-id allocation per workflow until the commit
   * (PostgreSQL: an advisory lock). Absent where the transaction holds the whole store already.
   */
  readonly lockRunIds?: string;
  /** A lease the owner of a running run must renew (PostgreSQL, whose owners may be on other hosts); see `OwnerLease`. */
  readonly ownerLease?: OwnerLease;
  /**
   * One row with one column, `db_user`: the database role this store writes as (PostgreSQL: `session_user`),
   * recorded with each identity. Absent where the database has no roles.
   */
  readonly sessionUser?: string;
  /** One row with one column, `bytes`: how much space the history takes (`DatabaseInfo.sizeBytes`). */
  readonly sizeQuery: string;
}

/** The owner's lease: a column set whenever a run gets an owner and cleared when it loses it. */
export interface OwnerLease {
  /** The column: `lease_expires_at`. */
  readonly column: string;
  /** The SQL expression of a fresh lease's end: `now() + make_interval(secs => 30)`. */
  readonly expires: string;
}

/** How the schema of SPEC §3 and its adapter-owned additions differ between dialects. */
export interface SchemaHooks {
  /** Type of `executions.duration_ms`: SQLite's INTEGER holds 64 bits; PostgreSQL needs BIGINT for that. */
  readonly durationType: 'INTEGER' | 'BIGINT';
  /** Said after "Contract tables (SPEC §3)" in `schemaDdl()`: `, PostgreSQL types`; empty for none. */
  readonly contractNote: string;
  /** Statements of the second migration right after the owner's columns: `ownerLease`'s column. */
  readonly ownerLeaseDdl: readonly string[];
  /** Statements of the second migration right after `node_ids`: a `writeOrder` column where one is needed. */
  readonly writeOrderDdl: readonly string[];
}
