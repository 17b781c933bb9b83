import { type SchemaHooks, type SqlDialect, schemaDdl as schemaDdlOf } from '@playbook/sql-store';

/** First key of the run-id advisory locks ("play"), so they cannot collide with other users' single-key locks. */
const RUN_ID_LOCK_SPACE = 0x706c6179;

const SCHEMA: SchemaHooks = {
  durationType: 'BIGINT',
  contractNote: ', PostgreSQL types',
  // A process on another host cannot be checked: its owner renews this lease while it lives (server time).
  ownerLeaseDdl: ['ALTER TABLE runs ADD COLUMN lease_expires_at TIMESTAMPTZ'],
  // PostgreSQL has no rowid: same-instant attempts load in the order they were written by this.
  writeOrderDdl: ['ALTER TABLE executions ADD COLUMN write_order BIGINT GENERATED ALWAYS AS IDENTITY'],
};

/**
 * PostgreSQL's hooks, with owners' leases of `leaseSeconds`. Several processes write at once, each in its own
 * transaction: run-id allocation takes an advisory lock per workflow, and numbering an attempt locks its run's
 * row, both until the commit.
 */
export function postgresDialect(leaseSeconds: number): SqlDialect {
  if (!Number.isFinite(leaseSeconds) || leaseSeconds <= 0) {
    throw new RangeError(`leaseSeconds must be a positive number of seconds, not ${leaseSeconds}`);
  }
  return {
    packageName: '@playbook/postgres',
    parameter: (n) => `$${n}`,
    schema: SCHEMA,
    writeOrder: 'write_order',
    lockRun: ' FOR UPDATE',
    lockRunIds: `SELECT pg_advisory_xact_lock(${RUN_ID_LOCK_SPACE}, hashtext(?)) AS locked`,
    ownerLease: { column: 'lease_expires_at', expires: `now() + make_interval(secs => ${leaseSeconds})` },
    sessionUser: 'SELECT session_user AS db_user',
    sizeQuery: `SELECT sum(pg_total_relation_size(to_regclass(name))) AS bytes
      FROM unnest(array['runs', 'executions', 'run_answers', 'run_node_ids', 'run_reruns', 'attempt_outputs',
        'run_inputs', 'runbook_texts', 'run_sessions', 'audit_log', 'audit_unchained', 'node_status_counts',
        'run_process_groups', 'kysely_migration', 'kysely_migration_lock']) AS name`,
  };
}

/** The CREATE (and ALTER) statements of the schema this package writes, in order, for `info --ddl`. */
export function schemaDdl(): string {
  return schemaDdlOf(postgresDialect(1));
}

/** The schema's hooks alone, for the migrations. */
export const POSTGRES_SCHEMA = SCHEMA;
