import type { SchemaHooks, SqlDialect } from './dialect.js';

/**
 * The contract tables of SPEC §3, verbatim but for the duration's type: SQLite keeps this text in
 * `sqlite_master`, so `.schema` shows the contract exactly as specified. Released text never changes (see
 * `migrationsFor`).
 */
function contractTablesDdl(hooks: SchemaHooks): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS runs (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,          -- 1, 2, 3… per workflow
  start_time    TEXT    NOT NULL,          -- UTC ISO-8601
  end_time      TEXT,
  status        TEXT    NOT NULL,          -- running | ok | nok | aborted
  nodes_ok      INTEGER NOT NULL DEFAULT 0,
  nodes_nok     INTEGER NOT NULL DEFAULT 0,
  nodes_skipped INTEGER NOT NULL DEFAULT 0,
  trigger       TEXT    NOT NULL,          -- run | resume
  PRIMARY KEY (workflow_name, run_id)
)`,
    `CREATE TABLE IF NOT EXISTS executions (
  workflow_name     TEXT    NOT NULL,
  run_id            INTEGER NOT NULL,
  node_id           TEXT    NOT NULL,
  attempt           INTEGER NOT NULL,      -- 1, 2, 3… per node within a run
  start_time        TEXT    NOT NULL,
  end_time          TEXT,
  status            TEXT    NOT NULL,      -- running | ok | nok | skipped
  operator_decision TEXT,
  result_text       TEXT,
  exit_code         INTEGER,
  exception         TEXT,
  stdout            TEXT,
  stderr            TEXT,
  duration_ms       ${hooks.durationType},
  PRIMARY KEY (workflow_name, run_id, node_id, attempt),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
  ];
}

/**
 * What the engine needs beyond the contract. Added with ALTER TABLE so that a database holding only the
 * contract tables (the original prototype's) is upgraded in place rather than refused.
 */
function engineStateDdl(hooks: SchemaHooks): string[] {
  return [
    // The process driving a running run, so another process can tell whether it is still alive.
    'ALTER TABLE runs ADD COLUMN owner_host TEXT',
    'ALTER TABLE runs ADD COLUMN owner_pid INTEGER',
    'ALTER TABLE runs ADD COLUMN owner_process_group INTEGER',
    ...hooks.ownerLeaseDdl,
    // The runbook as it was when the run started, to report a changed file on resume.
    'ALTER TABLE runs ADD COLUMN runbook_hash TEXT',
    "ALTER TABLE runs ADD COLUMN node_ids TEXT NOT NULL DEFAULT '[]'",
    ...hooks.writeOrderDdl,
    `CREATE TABLE run_answers (
  workflow_name TEXT NOT NULL,
  run_id        INTEGER NOT NULL,
  node_id       TEXT NOT NULL,
  param         TEXT NOT NULL,
  value         TEXT NOT NULL,
  PRIMARY KEY (workflow_name, run_id, node_id, param),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
    // History queries: `info` counts runs by status and nodes by status per workflow; recovery lists running runs.
    'CREATE INDEX runs_by_workflow_status ON runs (workflow_name, status)',
    'CREATE INDEX executions_by_workflow_node ON executions (workflow_name, node_id)',
  ];
}

/**
 * A run's node ids in their own table. In the `runs` row, a 200,000-node plan (a JSON text of megabytes, in
 * SQLite's overflow pages) was rewritten by every update of the row, and the row is updated twice per Command
 * attempt (its process group is recorded, then cleared): the cost of a step grew with the size of the runbook.
 */
const RUN_NODE_IDS_DDL: readonly string[] = [
  `CREATE TABLE run_node_ids (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  node_ids      TEXT    NOT NULL,          -- JSON array, plan order
  PRIMARY KEY (workflow_name, run_id),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
  `INSERT INTO run_node_ids (workflow_name, run_id, node_ids)
  SELECT workflow_name, run_id, node_ids FROM runs WHERE node_ids <> '[]'`,
  'ALTER TABLE runs DROP COLUMN node_ids',
];

/** Steps of a run run again on purpose (`resume --node … --only|--downstream`, SPEC §9.4), with the reason. */
const RUN_RERUNS_DDL: readonly string[] = [
  `CREATE TABLE run_reruns (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  time          TEXT    NOT NULL,          -- UTC ISO-8601
  node_ids      TEXT    NOT NULL,          -- JSON array, plan order
  reason        TEXT,
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
  'CREATE INDEX run_reruns_by_run ON run_reruns (workflow_name, run_id)',
];

/**
 * Step outputs (SPEC §8.3), one row per output of an attempt, in the order the step produced them (`position`).
 * A secret output's value is never stored: its row says only that it was produced (`value` NULL). A table of its own rather than a column of `executions`: the contract table
 * keeps its columns, and most attempts have no outputs at all.
 */
const ATTEMPT_OUTPUTS_DDL: readonly string[] = [
  `CREATE TABLE attempt_outputs (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  node_id       TEXT    NOT NULL,
  attempt       INTEGER NOT NULL,
  position      INTEGER NOT NULL,          -- 0, 1, 2… in the order produced
  output_key    TEXT    NOT NULL,
  value         TEXT,                      -- NULL: a secret output, never stored
  PRIMARY KEY (workflow_name, run_id, node_id, attempt, output_key),
  FOREIGN KEY (workflow_name, run_id, node_id, attempt)
    REFERENCES executions (workflow_name, run_id, node_id, attempt)
)`,
];

/**
 * The values of a run's inputs (SPEC §8.1), one row per input; secret ones are never written. A table of its
 * own: a run without inputs (every v1 runbook's) writes nothing new.
 */
const RUN_INPUTS_DDL: readonly string[] = [
  `CREATE TABLE run_inputs (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  name          TEXT    NOT NULL,
  value         TEXT    NOT NULL,          -- JSON: a string, number or boolean
  PRIMARY KEY (workflow_name, run_id, name),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
];

/**
 * Who did what (SPEC §10.1): the identity of whoever started a run and ran each attempt, what each attempt ran,
 * the runbook's text once per hash, and a row per `run`, `resume`, `approve` and `reject` session. Rows written
 * before this version keep these columns null.
 */
const IDENTITY_DDL: readonly string[] = [
  'ALTER TABLE runs ADD COLUMN operator TEXT',
  'ALTER TABLE runs ADD COLUMN os_user TEXT',
  'ALTER TABLE runs ADD COLUMN db_user TEXT',
  'ALTER TABLE executions ADD COLUMN operator TEXT',
  'ALTER TABLE executions ADD COLUMN os_user TEXT',
  'ALTER TABLE executions ADD COLUMN db_user TEXT',
  'ALTER TABLE executions ADD COLUMN command TEXT',
  'ALTER TABLE executions ADD COLUMN params TEXT',
  'ALTER TABLE executions ADD COLUMN cwd TEXT',
  'ALTER TABLE executions ADD COLUMN env_keys TEXT',
  `CREATE TABLE runbook_texts (
  runbook_hash TEXT NOT NULL PRIMARY KEY,  -- hex SHA-256 of the file's bytes
  text         TEXT NOT NULL
)`,
  `CREATE TABLE run_sessions (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,          -- 1, 2, 3… per run
  kind          TEXT    NOT NULL,          -- run | resume | approve | reject
  at            TEXT    NOT NULL,          -- UTC ISO-8601
  operator      TEXT,
  os_user       TEXT    NOT NULL,
  db_user       TEXT,
  flags         TEXT    NOT NULL,          -- JSON array
  runbook_hash  TEXT,
  PRIMARY KEY (workflow_name, run_id, seq),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
];

/**
 * Each attempt's output lines of both streams in the order they arrived, with their times (SPEC §10.1), as one
 * JSON text: the `stdout` and `stderr` columns stay as the contract has them. Rows written before have none.
 */
const OUTPUT_LINES_DDL: readonly string[] = ['ALTER TABLE executions ADD COLUMN output_lines TEXT'];

/**
 * The audit log (SPEC §10.3, docs/audit.md): entries appended with each change to a run, and the runs the
 * history held when the log was added, which are reported as unchained rather than broken.
 */
const AUDIT_LOG_DDL: readonly string[] = [
  `CREATE TABLE audit_log (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,          -- 1, 2, 3… per run
  entry         TEXT    NOT NULL,          -- RFC 8785 canonical JSON
  hash          TEXT    NOT NULL,          -- hex SHA-256 of entry
  PRIMARY KEY (workflow_name, run_id, seq),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
  `CREATE TABLE audit_unchained (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  PRIMARY KEY (workflow_name, run_id)
)`,
  'INSERT INTO audit_unchained (workflow_name, run_id) SELECT workflow_name, run_id FROM runs',
];

/**
 * What `info` shows of each node (`nodeStatusCounts`), kept as counts rather than counted: per workflow, node and
 * status, in how many runs the node's latest attempt has that status and how many attempts the node has in those
 * runs. Every attempt's start and end updates them in its own transaction, so `info` reads a few rows per
 * workflow instead of all its executions (about 100 ms per workflow of 100,000 executions). The rows written
 * before are counted once here. The index on `executions (workflow_name, node_id)` served only that count.
 */
const NODE_STATUS_COUNTS_DDL: readonly string[] = [
  `CREATE TABLE node_status_counts (
  workflow_name TEXT    NOT NULL,
  node_id       TEXT    NOT NULL,
  status        TEXT    NOT NULL,          -- the node's latest attempt's status in a run
  runs          BIGINT  NOT NULL,          -- runs in which the node has that status
  attempts      BIGINT  NOT NULL,          -- the node's attempts in those runs
  PRIMARY KEY (workflow_name, node_id, status)
)`,
  `INSERT INTO node_status_counts (workflow_name, node_id, status, runs, attempts)
  SELECT workflow_name, node_id, status, count(*), sum(attempts)
  FROM (
    SELECT workflow_name, node_id, status,
      count(*) OVER (PARTITION BY workflow_name, run_id, node_id) AS attempts,
      row_number() OVER (PARTITION BY workflow_name, run_id, node_id ORDER BY attempt DESC) AS recency
    FROM executions
  ) AS attempts_by_run
  WHERE recency = 1
  GROUP BY workflow_name, node_id, status`,
  'DROP INDEX IF EXISTS executions_by_workflow_node',
];

/**
 * The process groups of the commands a run's owner runs side by side (`--concurrency`), one per running
 * attempt: the owner record's single `owner_process_group` keeps one. A row lives from the command's start to
 * its attempt's end (removed in `finishAttempt`'s transaction), so after a crash a recovery stops every group.
 */
const RUN_PROCESS_GROUPS_DDL: readonly string[] = [
  `CREATE TABLE run_process_groups (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  node_id       TEXT    NOT NULL,
  attempt       INTEGER NOT NULL,
  process_group INTEGER NOT NULL,
  PRIMARY KEY (workflow_name, run_id, node_id, attempt),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
];

/**
 * Approval gates (SPEC §10.2, docs/approvals.md): each approval or rejection, one per person per round of a gate
 * and runbook hash — the unique index is the last word when two processes decide at the same moment.
 */
const APPROVALS_DDL: readonly string[] = [
  `CREATE TABLE approvals (
  workflow_name TEXT    NOT NULL,
  run_id        INTEGER NOT NULL,
  seq           INTEGER NOT NULL,          -- 1, 2, 3… per run
  node_id       TEXT    NOT NULL,
  round         INTEGER NOT NULL,          -- the gate's attempt number the decision is for
  who           TEXT    NOT NULL,          -- the person, without any @host
  decision      TEXT    NOT NULL,          -- approve | reject
  at            TEXT    NOT NULL,          -- UTC ISO-8601
  note          TEXT,
  operator      TEXT,
  os_user       TEXT    NOT NULL,
  db_user       TEXT,
  runbook_hash  TEXT    NOT NULL,          -- '' when the run has none
  inputs_sha256 TEXT,
  PRIMARY KEY (workflow_name, run_id, seq),
  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)
)`,
  'CREATE UNIQUE INDEX approvals_one_each ON approvals (workflow_name, run_id, node_id, round, who, runbook_hash)',
];

/**
 * Every schema version's statements, in order: the first creates the contract tables, the second the rest, the
 * third moves the node ids out of `runs`, the fourth records re-runs, the fifth adds step outputs, the sixth the
 * runs' inputs, the seventh the ordered output lines, the eighth who did what, the ninth the audit log, the
 * tenth the node status counts, the eleventh the process groups of commands running side by side, the
 * twelfth approvals.
 */
export function schemaSteps(hooks: SchemaHooks): readonly (readonly string[])[] {
  return [
    contractTablesDdl(hooks),
    engineStateDdl(hooks),
    RUN_NODE_IDS_DDL,
    RUN_RERUNS_DDL,
    ATTEMPT_OUTPUTS_DDL,
    RUN_INPUTS_DDL,
    OUTPUT_LINES_DDL,
    IDENTITY_DDL,
    AUDIT_LOG_DDL,
    NODE_STATUS_COUNTS_DDL,
    RUN_PROCESS_GROUPS_DDL,
    APPROVALS_DDL,
  ];
}

/** The CREATE (and ALTER) statements of the schema a dialect writes, in order, for `info --ddl`. */
export function schemaDdl(dialect: SqlDialect): string {
  const [contract = [], ...adapterOwned] = schemaSteps(dialect.schema);
  return [
    `-- Contract tables: the same names and columns in every adapter${dialect.schema.contractNote}`,
    ...contract.map((statement) => `${statement.replace('CREATE TABLE IF NOT EXISTS', 'CREATE TABLE')};`),
    `-- Adapter-owned columns, tables and indexes (${dialect.packageName})`,
    ...adapterOwned.flat().map((statement) => `${statement};`),
    '',
  ].join('\n');
}
