export type { DatabaseInfo, NodeStatusCount, WorkflowSummary } from './history.js';
export type { DriverCount, NodeTallyRow } from './history-shaping.js';
export { summarizeWorkflows, tallyNodeStatuses } from './history-shaping.js';
export { toAttemptRecord, toRunRecord, toRunState } from './rows.js';
export { schemaVersionOf } from './schema-version.js';
export type { ExecutionsTable, PlaybookDatabase, RunAnswersTable, RunsTable } from './tables.js';
