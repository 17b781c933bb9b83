import type {
  ExecutionsTable as ContractExecutionsTable,
  RunsTable as ContractRunsTable,
  RunAnswersTable,
} from '@playbook/sql-store';
import type { Generated } from 'kysely';

export type { RunAnswersTable };

/** `runs`: the columns every SQL adapter has (`@playbook/sql-store`), plus the owner's lease. */
export interface RunsTable extends ContractRunsTable {
  /** Until when the owner's process counts as alive without renewing (server time); null without owner. */
  lease_expires_at: Date | null;
}

/** `executions`: the SPEC §3 columns, `duration_ms` as PostgreSQL returns it, plus the order of writing. */
export interface ExecutionsTable extends Omit<ContractExecutionsTable, 'duration_ms'> {
  /** BIGINT: `pg` hands 64-bit integers back as strings. */
  duration_ms: string | number | null;
  /** Grows with every insert: same-instant attempts load in the order they were written. */
  write_order: Generated<string>;
}

/** The typed view Kysely checks the lease queries against. */
export interface PlaybookDatabase {
  runs: RunsTable;
  executions: ExecutionsTable;
  run_answers: RunAnswersTable;
}
