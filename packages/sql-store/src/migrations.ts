import type { Kysely, Migration, MigrationProvider } from 'kysely';
import type { SchemaHooks } from './dialect.js';
import { schemaSteps } from './schema.js';

/** The migrations' names, in order: the schema version is how many of them a database has applied. */
const MIGRATION_NAMES = [
  '0001_contract_tables',
  '0002_engine_state',
  '0003_run_node_ids',
  '0004_run_reruns',
  '0005_attempt_outputs',
  '0006_run_inputs',
  '0007_output_lines',
  '0008_identity',
  '0009_audit_log',
  '0010_node_status_counts',
  '0011_run_process_groups',
  '0012_approvals',
] as const;

/** The schema version this code writes: the number of its migrations. */
export const SCHEMA_VERSION = MIGRATION_NAMES.length;

/**
 * Every schema version of a dialect, in order. Migrations are append-only: a released one never changes, and a
 * new schema is a new entry whose name sorts after the others (Kysely orders them by name).
 */
export function migrationsFor(hooks: SchemaHooks): Readonly<Record<string, Migration>> {
  const steps = schemaSteps(hooks);
  return Object.fromEntries(
    MIGRATION_NAMES.map((name, index) => [
      name,
      { up: (db: Kysely<unknown>) => runAll(db, steps[index] ?? []) },
    ]),
  );
}

async function runAll(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  // Imported here, not at the top: the migrations are looked at on every opening, Kysely loaded only to migrate.
  const { sql } = await import('kysely');
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/** Migrations shipped in the package itself, so installing it is all it takes (no files to copy). */
export class SqlMigrationProvider implements MigrationProvider {
  readonly #migrations: Readonly<Record<string, Migration>>;

  constructor(migrations: Readonly<Record<string, Migration>>) {
    this.#migrations = migrations;
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...this.#migrations };
  }
}
