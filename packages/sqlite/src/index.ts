export type { ExecutionsTable, PlaybookDatabase, RunAnswersTable, RunsTable } from './database.js';
export type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from './history.js';
export { InCodeMigrationProvider, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { OpenSqliteOptions } from './open-sqlite-run-repository.js';
export { openSqliteRunRepository } from './open-sqlite-run-repository.js';
export { schemaDdl } from './schema-ddl.js';
export { SqliteRunRepository } from './sqlite-run-repository.js';
export type { StateFileErrorCode } from './state-file-error.js';
export { StateFileError } from './state-file-error.js';
