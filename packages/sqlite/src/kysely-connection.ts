import type { PlaybookDatabase } from '@playbook/sql-store';
import type Database from 'better-sqlite3';
import { Kysely, Migrator } from 'kysely';
import { ImmediateSqliteDialect } from './immediate-sqlite-dialect.js';
import { InCodeMigrationProvider } from './migrations.js';

// Kysely is ~260 modules: loading them costs ~0.1 s and ~20 MB, and a bigger process makes every fork (each
// command a run spawns) slower. Only a migration needs it — reads and writes are prepared statements — so this
// module is imported on demand.

/** Kysely over an open connection; destroying it closes the connection. */
export function kyselyOver(database: Database.Database): Kysely<PlaybookDatabase> {
  return new Kysely<PlaybookDatabase>({ dialect: new ImmediateSqliteDialect({ database }) });
}

/** Brings the schema up to date, each migration one transaction; returns the error when one failed. */
export async function migrateToLatest(db: Kysely<PlaybookDatabase>): Promise<unknown> {
  const { error } = await new Migrator({ db, provider: new InCodeMigrationProvider() }).migrateToLatest();
  return error;
}
