import { schemaVersionOf } from '@playbook/sql-store';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { namingConnectionLoss } from './connection-loss.js';
import type { PlaybookDatabase } from './database.js';
import { InCodeMigrationProvider, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { PostgresRunRepository } from './postgres-run-repository.js';
import { redactUrl } from './redact-url.js';
import { messageOf, StateDatabaseError } from './state-database-error.js';

export interface OpenPostgresOptions {
  /** Open for reading only (`info`, `show`): nothing is created, migrated or written by the opening. */
  readonly readonly?: boolean;
  /**
   * How long an owner's lease lasts without renewal, in seconds (default 30): a run whose owner's machine died
   * can be recovered by another host that long after its last renewal.
   */
  readonly leaseSeconds?: number;
  /** How often the leases of owned runs are renewed, in milliseconds (default a third of the lease). */
  readonly heartbeatMs?: number;
  /** Connections in the pool (default 4). */
  readonly maxConnections?: number;
}

const DEFAULT_LEASE_SECONDS = 30;
/** Names of the contract tables: finding one without a migration history means the schema is not ours. */
const CONTRACT_TABLES = new Set(['runs', 'executions']);

/**
 * Connects to the PostgreSQL database at `url` (`postgres://user:password@host:port/database`; put
 * `?options=-c%20search_path%3Dplaybook` to use a schema other than the default), checks that its Playbook
 * tables are ones this code knows, and brings them up to date. Throws `StateDatabaseError`.
 */
export async function openPostgresRunRepository(
  url: string,
  options: OpenPostgresOptions = {},
): Promise<PostgresRunRepository> {
  const shown = redactUrl(url);
  const leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const heartbeatMs = options.heartbeatMs ?? Math.max(10, Math.floor((leaseSeconds * 1000) / 3));
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    connectionTimeoutMillis: 10_000,
    // Idle connections must not keep a finished CLI process alive.
    allowExitOnIdle: true,
  });
  // An idle connection dropped by the server would otherwise be an unhandled 'error' event.
  pool.on('error', () => undefined);
  const db = new Kysely<PlaybookDatabase>({
    dialect: new PostgresDialect({ pool: namingConnectionLoss(pool, shown) }),
  });
  try {
    const { schema, applied, tables } = await inspect(db);
    const version = schemaVersionOf(applied);
    const unknown = applied.filter((name) => !(name in MIGRATIONS));
    if (version > SCHEMA_VERSION || unknown.length > 0) {
      throw new StateDatabaseError(
        'NEWER_SCHEMA',
        shown,
        `state database ${shown} was written by a newer Playbook (schema version ${version}, this one knows up to ${SCHEMA_VERSION}); upgrade Playbook to use it`,
      );
    }
    // No history of ours, yet a table of ours by name: someone else's, never to be altered.
    const foreign = tables.find((table) => CONTRACT_TABLES.has(table));
    if (!tables.includes('kysely_migration') && foreign !== undefined) {
      throw new StateDatabaseError(
        'NOT_A_DATABASE',
        shown,
        `state database ${shown} has a table ${foreign} but no Playbook schema history; refusing to change it (use another database or schema)`,
      );
    }
    if (version < SCHEMA_VERSION) {
      if (options.readonly === true) {
        throw new StateDatabaseError(
          'OPEN_FAILED',
          shown,
          version === 0
            ? `no run history in state database ${shown} yet (the first \`playbook run\` creates it)`
            : `state database ${shown} has schema version ${version}, older than ${SCHEMA_VERSION}: open it once for writing (run a runbook) to upgrade it`,
        );
      }
      // Kysely's Migrator takes an advisory lock: of several processes opening a new database at once, one
      // migrates and the others find it done. Its tables go in the schema the connection uses.
      const { error } = await new Migrator({
        db,
        provider: new InCodeMigrationProvider(),
        migrationTableSchema: schema,
      }).migrateToLatest();
      if (error !== undefined) {
        throw new StateDatabaseError(
          'OPEN_FAILED',
          shown,
          `cannot upgrade state database ${shown}: ${messageOf(error)}`,
          { cause: error },
        );
      }
    }
  } catch (error) {
    await db.destroy().catch(() => undefined);
    if (error instanceof StateDatabaseError && error.code !== 'QUERY_FAILED') throw error;
    // A server that cannot be reached while opening is a failed open, worded as before.
    const cause = error instanceof StateDatabaseError ? error.cause : error;
    throw new StateDatabaseError(
      'OPEN_FAILED',
      shown,
      `cannot open state database ${shown}: ${messageOf(cause)}`,
      {
        cause,
      },
    );
  }
  const repository = new PostgresRunRepository(db, shown, { leaseSeconds, heartbeatMs });
  if (options.readonly !== true) await repository.loadWrites();
  return repository;
}

/** The schema the connection writes to, the migrations applied there and its tables. Writes nothing. */
async function inspect(
  db: Kysely<PlaybookDatabase>,
): Promise<{ schema: string; applied: string[]; tables: string[] }> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema ?? null;
  if (schema === null) {
    throw new Error('no schema to use: the search_path names none that exists (create it first)');
  }
  const { rows: tableRows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables where table_schema = ${schema}
  `.execute(db);
  const tables = tableRows.map((row) => row.name);
  if (!tables.includes('kysely_migration')) return { schema, applied: [], tables };
  const { rows: applied } = await sql<{ name: string }>`
    select name from ${sql.table(`${schema}.kysely_migration`)}
  `.execute(db);
  return { schema, applied: applied.map((row) => row.name), tables };
}
