// The table and history types are every SQL adapter's: re-exported so users need not know where they live.
export type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from '@playbook/engine';
export type { ExecutionsTable, PlaybookDatabase, RunAnswersTable, RunsTable } from '@playbook/sql-store';
export { InCodeMigrationProvider, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { OpenSqliteOptions } from './open-sqlite-run-repository.js';
export { openSqliteRunRepository } from './open-sqlite-run-repository.js';
export { schemaDdl } from './sqlite-dialect.js';
export { SqliteRunRepository } from './sqlite-run-repository.js';
export type { StateFileErrorCode } from './state-file-error.js';
export { StateFileError } from './state-file-error.js';
