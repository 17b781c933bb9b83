import type { AttemptRecord } from '@playbook/engine';
import { toAttemptRecord as toContractAttemptRecord } from '@playbook/sql-store';
import type { Selectable } from 'kysely';
import type { ExecutionsTable } from './database.js';

/** An `executions` row as the engine sees it: the BIGINT duration, a string from `pg`, becomes a number. */
export function toAttemptRecord(row: Selectable<ExecutionsTable>): AttemptRecord {
  return toContractAttemptRecord({
    ...row,
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
  });
}
