import type { Generated } from 'kysely';

/**
 * `runs`: the SPEC §3 columns, then the adapter-owned ones every SQL adapter adds (its second migration).
 * An adapter with more columns extends this interface.
 */
export interface RunsTable {
  workflow_name: string;
  run_id: number;
  start_time: string;
  end_time: string | null;
  status: string;
  nodes_ok: Generated<number>;
  nodes_nok: Generated<number>;
  nodes_skipped: Generated<number>;
  trigger: string;
  owner_host: string | null;
  owner_pid: number | null;
  owner_process_group: number | null;
  runbook_hash: string | null;
  /** JSON array of node ids in plan order. */
  node_ids: Generated<string>;
  // Schema version 8 (SPEC §10.1): who started the run.
  operator: string | null;
  os_user: string | null;
  db_user: string | null;
}

/** `executions`: the SPEC §3 columns, the adapter-owned `output_lines`, then who ran the attempt and what it ran (SPEC §10.1). */
export interface ExecutionsTable {
  workflow_name: string;
  run_id: number;
  node_id: string;
  attempt: number;
  start_time: string;
  end_time: string | null;
  status: string;
  operator_decision: string | null;
  result_text: string | null;
  exit_code: number | null;
  exception: string | null;
  stdout: string | null;
  stderr: string | null;
  duration_ms: number | null;
  /** The attempt's ordered, timed output lines as JSON (`encodeOutputLog`); null for none or an older row. */
  output_lines: string | null;
  // Schema version 8 (SPEC §10.1): who ran the attempt and what it ran.
  operator: string | null;
  os_user: string | null;
  db_user: string | null;
  command: string | null;
  params: string | null;
  cwd: string | null;
  /** JSON array of names. */
  env_keys: string | null;
}

/** `runbook_texts`: each runbook's text, once per hash. */
export interface RunbookTextsTable {
  runbook_hash: string;
  text: string;
}

/** `run_sessions`: each `run`, `resume`, `approve` and `reject` of a run. */
export interface RunSessionsTable {
  workflow_name: string;
  run_id: number;
  seq: number;
  kind: string;
  at: string;
  operator: string | null;
  os_user: string;
  db_user: string | null;
  /** JSON array. */
  flags: string;
  runbook_hash: string | null;
}

/** `approvals` (adapter-owned): each approval or rejection of a gate (SPEC §10.2). */
export interface ApprovalsTable {
  workflow_name: string;
  run_id: number;
  seq: number;
  node_id: string;
  round: number;
  who: string;
  decision: string;
  at: string;
  note: string | null;
  operator: string | null;
  os_user: string;
  db_user: string | null;
  /** '' for a run without a hash (a unique index needs a value). */
  runbook_hash: string;
  inputs_sha256: string | null;
}

/** `run_answers` (adapter-owned): `${ask}` answers remembered for a run and its resumes. */
export interface RunAnswersTable {
  workflow_name: string;
  run_id: number;
  node_id: string;
  param: string;
  value: string;
}

/** `run_reruns` (adapter-owned): steps of a run run again on purpose, with the reason (SPEC §9.4). */
export interface RunRerunsTable {
  workflow_name: string;
  run_id: number;
  time: string;
  node_ids: string;
  reason: string | null;
}

/** `attempt_outputs` (adapter-owned): each attempt's step outputs, secret ones never. */
export interface AttemptOutputsTable {
  workflow_name: string;
  run_id: number;
  node_id: string;
  attempt: number;
  position: number;
  output_key: string;
  /** Null for a secret output: produced, never stored. */
  value: string | null;
}

/** `run_inputs` (adapter-owned): a run's input values, JSON-encoded; never a secret one. */
export interface RunInputsTable {
  workflow_name: string;
  run_id: number;
  name: string;
  value: string;
}

/** The typed view Kysely checks queries against. */
export interface PlaybookDatabase {
  runs: RunsTable;
  executions: ExecutionsTable;
  run_answers: RunAnswersTable;
  run_reruns: RunRerunsTable;
  attempt_outputs: AttemptOutputsTable;
  run_inputs: RunInputsTable;
  runbook_texts: RunbookTextsTable;
  run_sessions: RunSessionsTable;
  approvals: ApprovalsTable;
}
