import { migrationsFor, SCHEMA_VERSION, SqlMigrationProvider } from '@playbook/sql-store';
import { POSTGRES_SCHEMA } from './postgres-dialect.js';

/** Every schema version, in order (append-only: a released migration never changes). */
export const MIGRATIONS = migrationsFor(POSTGRES_SCHEMA);

export { SCHEMA_VERSION };

/** Migrations shipped in the package itself, so installing it is all it takes (no files to copy). */
export class InCodeMigrationProvider extends SqlMigrationProvider {
  constructor() {
    super(MIGRATIONS);
  }
}
