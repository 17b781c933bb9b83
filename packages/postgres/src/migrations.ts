import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import { CONTRACT_TABLES_DDL, ENGINE_STATE_DDL } from './schema-ddl.js';

async function runAll(db: Kysely<unknown>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

/**
 * Every schema version, in order. Migrations are append-only: a released one never changes, and a new schema
 * is a new entry whose name sorts after the others (Kysely orders them by name).
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_contract_tables': { up: (db) => runAll(db, CONTRACT_TABLES_DDL) },
  '0002_engine_state': { up: (db) => runAll(db, ENGINE_STATE_DDL) },
};

/** The schema version this code writes: the number of its migrations. */
export const SCHEMA_VERSION = Object.keys(MIGRATIONS).length;

/** Migrations shipped in the package itself, so installing it is all it takes (no files to copy). */
export class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { ...MIGRATIONS };
  }
}
