import type { SqlDialect } from './dialect.js';

// Every statement of the SQL adapters, written once. They are plain text with `?` parameters, not Kysely
// builders: SQLite prepares them once and runs them at each attempt's start and end without loading Kysely
// (~260 modules, ~0.1 s and ~20 MB for every `playbook run`, and a bigger process makes each fork slower).

/** The writes and reads of `SqlRunStore`, in one dialect. */
export interface Statements {
  readonly lastRunId: string;
  readonly lockRunIds: string | undefined;
  readonly insertRun: string;
  readonly saveNodeIds: string;
  readonly runExists: string;
  readonly claimRun: string;
  readonly setProcessGroup: string;
  readonly clearProcessGroup: string;
  readonly addProcessGroup: string;
  readonly removeProcessGroup: string;
  readonly selectProcessGroups: string;
  readonly lastAttempt: string;
  readonly insertAttempt: string;
  readonly attemptStatus: string;
  readonly finishAttempt: string;
  readonly recordDecision: string;
  readonly finishRun: string;
  readonly saveAnswer: string;
  readonly insertOutput: string;
  readonly selectRun: string;
  readonly selectAttempts: string;
  readonly selectAnswers: string;
  readonly insertRerun: string;
  readonly selectReruns: string;
  readonly selectOutputs: string;
  readonly saveInput: string;
  readonly selectInputs: string;
  readonly latestRun: string;
  readonly latestRunAmong: string;
  readonly runningRuns: string;
  readonly runningRunsOf: string;
  readonly runsOf: string;
  readonly runCounts: string;
  readonly latestRuns: string;
  readonly nodeTally: string;
  readonly nodeInRun: string;
  readonly addNodeCounts: string;
  readonly appliedMigrations: string;
  readonly sizeBytes: string;
  readonly sessionUser: string | undefined;
  readonly insertSession: string;
  readonly lastSession: string;
  readonly lockRunRow: string;
  readonly auditHead: string;
  readonly insertAuditEntry: string;
  readonly selectAuditLog: string;
  readonly isUnchained: string;
  readonly saveRunbookText: string;
  readonly selectSessions: string;
  readonly selectRunbookText: string;
  readonly runStatus: string;
  readonly lastApproval: string;
  readonly findApproval: string;
  readonly insertApproval: string;
  readonly countApprovals: string;
  readonly selectApprovals: string;
}

/** How many statuses `latestRunAmong` takes (room for statuses to come); shorter lists repeat their first. */
export const STATUS_SLOTS = 8;

/**
 * A run's columns, with its node ids (which live in `run_node_ids`, see RUN_NODE_IDS_DDL) as `node_ids`, `[]`
 * for a run that has none; `table` is the name or alias of `runs` in the statement.
 */
function runColumns(table: string): string {
  return `${table}.*, COALESCE((SELECT n.node_ids FROM run_node_ids AS n
      WHERE n.workflow_name = ${table}.workflow_name AND n.run_id = ${table}.run_id), '[]') AS node_ids`;
}
const RUN = runColumns('runs');

/** Every statement in `dialect`, its parameters written the dialect's way. */
export function buildStatements(dialect: SqlDialect): Statements {
  const lease = dialect.ownerLease;
  const take = lease === undefined ? '' : `, ${lease.column} = ${lease.expires}`;
  const release = lease === undefined ? '' : `, ${lease.column} = NULL`;
  const statuses = Array.from({ length: STATUS_SLOTS }, () => '?').join(', ');
  const text: Statements = {
    lastRunId: 'SELECT MAX(run_id) AS last FROM runs WHERE workflow_name = ?',
    lockRunIds: dialect.lockRunIds,
    insertRun: `INSERT INTO runs (workflow_name, run_id, start_time, end_time, status, trigger, owner_host, owner_pid,
      owner_process_group, runbook_hash, operator, os_user, db_user${lease === undefined ? '' : `, ${lease.column}`})
    VALUES (?, ?, ?, NULL, 'running', 'run', ?, ?, ?, ?, ?, ?, ?${lease === undefined ? '' : `, ${lease.expires}`})
    RETURNING *`,
    // Apart from the run's row, which is updated at every Command attempt (see RUN_NODE_IDS_DDL).
    saveNodeIds: `INSERT INTO run_node_ids (workflow_name, run_id, node_ids) VALUES (?, ?, ?)
    ON CONFLICT (workflow_name, run_id) DO UPDATE SET node_ids = excluded.node_ids`,
    runExists: 'SELECT 1 AS found FROM runs WHERE workflow_name = ? AND run_id = ?',
    // One UPDATE whose WHERE is the compare: of two claims one matches. NULL owners compare equal.
    claimRun: `UPDATE runs SET status = 'running', trigger = ?, end_time = ?, owner_host = ?, owner_pid = ?,
      owner_process_group = ?, runbook_hash = ?${take}
    WHERE workflow_name = ? AND run_id = ? AND status = ? AND owner_host IS NOT DISTINCT FROM ?
      AND owner_pid IS NOT DISTINCT FROM ? AND owner_process_group IS NOT DISTINCT FROM ?`,
    // A run nobody owns has no command running: there is nothing to record.
    setProcessGroup: `UPDATE runs SET owner_process_group = ?
    WHERE workflow_name = ? AND run_id = ? AND owner_host IS NOT NULL`,
    clearProcessGroup: `UPDATE runs SET owner_process_group = NULL
    WHERE workflow_name = ? AND run_id = ? AND owner_process_group IS NOT NULL`,
    // Only under an attempt still running: a group recorded after its attempt ended would outlive it.
    addProcessGroup: `INSERT INTO run_process_groups (workflow_name, run_id, node_id, attempt, process_group)
    SELECT workflow_name, run_id, node_id, attempt, ? FROM executions
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ? AND status = 'running'
    ON CONFLICT (workflow_name, run_id, node_id, attempt) DO UPDATE SET process_group = excluded.process_group`,
    removeProcessGroup: `DELETE FROM run_process_groups
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ?`,
    selectProcessGroups: `SELECT process_group FROM run_process_groups
    WHERE workflow_name = ? AND run_id = ? ORDER BY node_id, attempt`,
    // One look-up for both: whether the run exists (NULL when not) and the node's highest attempt so far.
    lastAttempt: `SELECT (SELECT 0 FROM runs WHERE workflow_name = ? AND run_id = ?${dialect.lockRun})
      + COALESCE((SELECT MAX(attempt) FROM executions WHERE workflow_name = ? AND run_id = ? AND node_id = ?), 0)
      AS last`,
    // No RETURNING: the row is known already, and RETURNING costs SQLite a temporary table per insert.
    insertAttempt: `INSERT INTO executions (workflow_name, run_id, node_id, attempt, start_time, end_time, status,
      operator_decision, duration_ms, operator, os_user, db_user)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    attemptStatus:
      'SELECT status FROM executions WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ?',
    // Only a matching (still running) attempt changes; the CASE keeps the decision given at start unless one is given.
    finishAttempt: `UPDATE executions SET status = ?, end_time = ?, duration_ms = ?, result_text = ?, exit_code = ?,
      exception = ?, stdout = ?, stderr = ?, output_lines = ?, command = ?, params = ?, cwd = ?, env_keys = ?,
      operator_decision = CASE WHEN ? = 1 THEN ? ELSE operator_decision END
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ? AND status = 'running'`,
    // Only an attempt without a decision changes: one already given is kept.
    recordDecision: `UPDATE executions SET operator_decision = ?
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND attempt = ? AND operator_decision IS NULL`,
    finishRun: `UPDATE runs SET status = ?, end_time = ?, nodes_ok = ?, nodes_nok = ?, nodes_skipped = ?,
      owner_host = NULL, owner_pid = NULL, owner_process_group = NULL${release}
    WHERE workflow_name = ? AND run_id = ?`,
    saveAnswer: `INSERT INTO run_answers (workflow_name, run_id, node_id, param, value) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (workflow_name, run_id, node_id, param) DO UPDATE SET value = excluded.value`,
    insertOutput: `INSERT INTO attempt_outputs (workflow_name, run_id, node_id, attempt, position, output_key, value)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,

    selectRun: `SELECT ${RUN} FROM runs WHERE workflow_name = ? AND run_id = ?`,
    // In the order written; the caller orders them by start time (see `orderAttempts`).
    selectAttempts: `SELECT * FROM executions WHERE workflow_name = ? AND run_id = ? ORDER BY ${dialect.writeOrder}`,
    selectAnswers: 'SELECT node_id, param, value FROM run_answers WHERE workflow_name = ? AND run_id = ?',
    insertRerun:
      'INSERT INTO run_reruns (workflow_name, run_id, time, node_ids, reason) VALUES (?, ?, ?, ?, ?)',
    selectReruns:
      'SELECT time, node_ids, reason FROM run_reruns WHERE workflow_name = ? AND run_id = ? ORDER BY time',
    // Any order: the caller puts each attempt's outputs in their `position` order.
    selectOutputs: `SELECT node_id, attempt, position, output_key, value FROM attempt_outputs
    WHERE workflow_name = ? AND run_id = ?`,
    saveInput: 'INSERT INTO run_inputs (workflow_name, run_id, name, value) VALUES (?, ?, ?, ?)',
    selectInputs: 'SELECT name, value FROM run_inputs WHERE workflow_name = ? AND run_id = ?',
    latestRun: `SELECT ${RUN} FROM runs WHERE workflow_name = ? ORDER BY run_id DESC LIMIT 1`,
    latestRunAmong: `SELECT ${RUN} FROM runs WHERE workflow_name = ? AND status IN (${statuses})
    ORDER BY run_id DESC LIMIT 1`,
    // Names are ordered by the caller, by code point, whatever the database's collation.
    runningRuns: `SELECT ${RUN} FROM runs WHERE status = 'running'`,
    runningRunsOf: `SELECT ${RUN} FROM runs WHERE status = 'running' AND workflow_name = ? ORDER BY run_id`,
    runsOf: `SELECT ${RUN} FROM runs WHERE workflow_name = ? ORDER BY run_id DESC`,
    runCounts: 'SELECT workflow_name, status, count(*) AS count FROM runs GROUP BY workflow_name, status',
    latestRuns: `SELECT ${runColumns('r')} FROM runs AS r
    WHERE r.run_id = (SELECT MAX(newest.run_id) FROM runs AS newest WHERE newest.workflow_name = r.workflow_name)`,
    // Kept up to date by every attempt's start and end (see NODE_STATUS_COUNTS_DDL); rows moved to 0 stay.
    nodeTally: `SELECT node_id, status, runs, attempts FROM node_status_counts
    WHERE workflow_name = ? AND runs <> 0`,
    // How many attempts a node has in a run and the number of its latest, along the primary key.
    nodeInRun: `SELECT count(*) AS attempts, MAX(attempt) AS last FROM executions
    WHERE workflow_name = ? AND run_id = ? AND node_id = ?`,
    addNodeCounts: `INSERT INTO node_status_counts (workflow_name, node_id, status, runs, attempts)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (workflow_name, node_id, status) DO UPDATE
    SET runs = node_status_counts.runs + excluded.runs, attempts = node_status_counts.attempts + excluded.attempts`,
    appliedMigrations: 'SELECT name FROM kysely_migration',
    sizeBytes: dialect.sizeQuery,
    sessionUser: dialect.sessionUser,
    // Numbered under the run's row lock (its insert, or `lockRunRow`), so numbers never collide.
    insertSession: `INSERT INTO run_sessions (workflow_name, run_id, seq, kind, at, operator, os_user, db_user, flags,
      runbook_hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    lastSession: 'SELECT MAX(seq) AS last FROM run_sessions WHERE workflow_name = ? AND run_id = ?',
    auditHead: `SELECT seq, hash FROM audit_log WHERE workflow_name = ? AND run_id = ? ORDER BY seq DESC LIMIT 1`,
    insertAuditEntry:
      'INSERT INTO audit_log (workflow_name, run_id, seq, entry, hash) VALUES (?, ?, ?, ?, ?)',
    selectAuditLog:
      'SELECT seq, entry, hash FROM audit_log WHERE workflow_name = ? AND run_id = ? ORDER BY seq',
    isUnchained: 'SELECT 1 AS found FROM audit_unchained WHERE workflow_name = ? AND run_id = ?',
    lockRunRow: `SELECT 1 AS found FROM runs WHERE workflow_name = ? AND run_id = ?${dialect.lockRun}`,
    saveRunbookText: `INSERT INTO runbook_texts (runbook_hash, text) VALUES (?, ?)
    ON CONFLICT (runbook_hash) DO NOTHING`,
    selectSessions: 'SELECT * FROM run_sessions WHERE workflow_name = ? AND run_id = ? ORDER BY seq',
    selectRunbookText: 'SELECT text FROM runbook_texts WHERE runbook_hash = ?',
    runStatus: 'SELECT status, runbook_hash FROM runs WHERE workflow_name = ? AND run_id = ?',
    lastApproval: 'SELECT MAX(seq) AS last FROM approvals WHERE workflow_name = ? AND run_id = ?',
    findApproval: `SELECT decision FROM approvals
    WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND round = ? AND who = ? AND runbook_hash = ?`,
    insertApproval: `INSERT INTO approvals (workflow_name, run_id, seq, node_id, round, who, decision, at, note,
      operator, os_user, db_user, runbook_hash, inputs_sha256)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    countApprovals: `SELECT who FROM approvals WHERE workflow_name = ? AND run_id = ? AND node_id = ? AND round = ?
      AND runbook_hash = ? AND decision = 'approve' ORDER BY seq`,
    selectApprovals: 'SELECT * FROM approvals WHERE workflow_name = ? AND run_id = ? ORDER BY seq',
  };
  const rendered: Record<string, string | undefined> = {};
  for (const [name, statement] of Object.entries(text)) {
    rendered[name] = statement === undefined ? undefined : withParameters(statement, dialect);
  }
  return rendered as unknown as Statements;
}

/** `?` → the dialect's parameters, numbered in order. No statement has a `?` in a string literal. */
function withParameters(statement: string, dialect: SqlDialect): string {
  let n = 0;
  return statement.replace(/\?/g, () => dialect.parameter(++n));
}
