// The history types are every SQL adapter's: re-exported so users need not know where they live.
export type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from '@playbook/engine';
export type { ExecutionsTable, PlaybookDatabase, RunAnswersTable, RunsTable } from './database.js';
export { InCodeMigrationProvider, MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
export type { OpenPostgresOptions } from './open-postgres-run-repository.js';
export { openPostgresRunRepository } from './open-postgres-run-repository.js';
export { schemaDdl } from './postgres-dialect.js';
export type { LeaseSettings } from './postgres-run-repository.js';
export { PostgresRunRepository } from './postgres-run-repository.js';
export { redactUrl } from './redact-url.js';
export type { StateDatabaseErrorCode } from './state-database-error.js';
export { StateDatabaseError } from './state-database-error.js';
