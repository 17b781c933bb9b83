// The table and history types are every SQL adapter's: re-exported so users need not know where they live.
export type {
  DatabaseInfo,
  ExecutionsTable,
  NodeStatusCount,
  PlaybookDatabase,
  RunAnswersTable,
  RunsTable,
  WorkflowSummary,
} from '@playbook/sql-store';
export { InCodeMigrationProvider, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { OpenSqliteOptions } from './open-sqlite-run-repository.js';
export { openSqliteRunRepository } from './open-sqlite-run-repository.js';
export { schemaDdl } from './schema-ddl.js';
export { SqliteRunRepository } from './sqlite-run-repository.js';
export type { StateFileErrorCode } from './state-file-error.js';
export { StateFileError } from './state-file-error.js';
