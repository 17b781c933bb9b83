import type {
  ApprovalRecord,
  AttemptRecord,
  AttemptStatus,
  OperatorIdentity,
  OutputLog,
  OutputLogLine,
  RunRecord,
  RunState,
  RunStatus,
  RunTrigger,
  SessionKind,
  SessionRecord,
  StoredInputValue,
  WhatRan,
} from '@playbook/engine';
import { compareCodePoints } from '@playbook/engine/records';
import type { Selectable } from 'kysely';
import type { DriverCount } from './history-shaping.js';
import type {
  ApprovalsTable,
  AttemptOutputsTable,
  ExecutionsTable,
  RunAnswersTable,
  RunInputsTable,
  RunSessionsTable,
  RunsTable,
} from './tables.js';

/** Columns of schema version 8: a row built by hand (a test, another tool) may leave them out. */
type Version8<T> = { [K in keyof T]?: T[K] | undefined };
type RunsV8 = 'operator' | 'os_user' | 'db_user';
type ExecutionsV8 = RunsV8 | 'command' | 'params' | 'cwd' | 'env_keys';

/** A `runs` row as a driver returns it (adapters' extra columns are ignored). */
export type RunsRow = Omit<Selectable<RunsTable>, RunsV8> & Version8<Pick<RunsTable, RunsV8>>;

/** An `executions` row as a driver returns it: PostgreSQL's BIGINT `duration_ms` comes as a string. */
export type AttemptRow = Omit<Selectable<ExecutionsTable>, 'duration_ms' | ExecutionsV8> &
  Version8<Pick<ExecutionsTable, ExecutionsV8>> & {
    readonly duration_ms: DriverCount | null;
  };

/** A `run_sessions` row as a driver returns it. */
export type RunSessionsRow = Selectable<RunSessionsTable>;

/** A `runs` row as the engine sees it. */
export function toRunRecord(row: RunsRow): RunRecord {
  return {
    workflowName: row.workflow_name,
    runId: row.run_id,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as RunStatus,
    nodesOk: row.nodes_ok,
    nodesNok: row.nodes_nok,
    nodesSkipped: row.nodes_skipped,
    trigger: row.trigger as RunTrigger,
    owner:
      row.owner_host === null || row.owner_pid === null
        ? null
        : { host: row.owner_host, pid: row.owner_pid, processGroup: row.owner_process_group },
    runbookHash: row.runbook_hash,
    nodeIds: parseNodeIds(row.node_ids),
    ...present('startedBy', identityOf(row)),
  };
}

/**
 * `{ [name]: value }`, or nothing for null: records of rows written before schema version 4 (or without an
 * identity given) look as they always did.
 */
function present<K extends string, V>(name: K, value: V | null): { [P in K]?: V } {
  return (value === null ? {} : { [name]: value }) as { [P in K]?: V };
}

/** The identity columns of a row; null when it has none (written before they were recorded). */
function identityOf(row: {
  readonly operator?: string | null | undefined;
  readonly os_user?: string | null | undefined;
  readonly db_user?: string | null | undefined;
}): OperatorIdentity | null {
  if (row.os_user === undefined || row.os_user === null) return null;
  return { operator: row.operator ?? null, osUser: row.os_user, dbUser: row.db_user ?? null };
}

/** What an attempt ran, from its row; null when nothing was recorded. */
function whatRanOf(row: AttemptRow): WhatRan | null {
  const { command = null, params = null, cwd = null, env_keys = null } = row;
  if (command === null && params === null && cwd === null && env_keys === null) return null;
  return { command, params, cwd, envKeys: parseStrings(env_keys ?? '[]') };
}

/** A `run_sessions` row as the engine sees it. */
export function toSessionRecord(row: RunSessionsRow): SessionRecord {
  return {
    seq: Number(row.seq),
    kind: row.kind as SessionKind,
    at: row.at,
    by: identityOf(row) ?? { operator: row.operator, osUser: row.os_user, dbUser: row.db_user },
    flags: parseStrings(row.flags),
    runbookHash: row.runbook_hash,
  };
}

/** An `approvals` row as a driver returns it. */
export type ApprovalsRow = Selectable<ApprovalsTable>;

/** An `approvals` row as the engine sees it. */
export function toApprovalRecord(row: ApprovalsRow): ApprovalRecord {
  return {
    seq: Number(row.seq),
    nodeId: row.node_id,
    round: Number(row.round),
    who: row.who,
    decision: row.decision === 'reject' ? 'reject' : 'approve',
    at: row.at,
    note: row.note,
    by: { operator: row.operator, osUser: row.os_user, dbUser: row.db_user },
    runbookHash: row.runbook_hash === '' ? null : row.runbook_hash,
    inputsSha256: row.inputs_sha256,
  };
}

/** An `executions` row as the engine sees it. */
export function toAttemptRecord(row: AttemptRow): AttemptRecord {
  return {
    workflowName: row.workflow_name,
    runId: row.run_id,
    nodeId: row.node_id,
    attempt: row.attempt,
    startTime: row.start_time,
    endTime: row.end_time,
    status: row.status as AttemptStatus,
    operatorDecision: row.operator_decision,
    resultText: row.result_text,
    exitCode: row.exit_code,
    exception: row.exception,
    stdout: row.stdout,
    stderr: row.stderr,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    ...outputLogOf(row.output_lines ?? null),
    ...present('by', identityOf(row)),
    ...present('ran', whatRanOf(row)),
  };
}

/** An attempt's output log as stored in `output_lines`: one JSON text, each line `[stream, time, text]`. */
export function encodeOutputLog(log: OutputLog | null): string | null {
  if (log === null) return null;
  return JSON.stringify({
    lines: log.lines.map((line) => [line.stream === 'stderr' ? 'e' : 'o', line.time, line.text]),
    dropped: log.dropped,
  });
}

// Only rows that have a log get the field: older rows, and attempts that printed nothing, read as before.
function outputLogOf(text: string | null): { outputLog?: OutputLog } {
  if (text === null) return {};
  try {
    const value = JSON.parse(text) as { lines?: unknown; dropped?: OutputLog['dropped'] };
    if (!Array.isArray(value.lines)) return {};
    const lines: OutputLogLine[] = [];
    for (const line of value.lines as unknown[]) {
      if (!Array.isArray(line)) continue;
      const [stream, time, body] = line as unknown[];
      if (typeof time !== 'string' || typeof body !== 'string') continue;
      lines.push({ stream: stream === 'e' ? 'stderr' : 'stdout', time, text: body });
    }
    return { outputLog: { lines, dropped: value.dropped ?? null } };
  } catch {
    // A row edited by hand: the columns still hold the output.
    return {};
  }
}

/**
 * A run's `executions` rows, given in the order they were written, as the port orders attempts: by start time,
 * same-instant ones in the order written. Sorted here (a stable sort, by code point) rather than by the
 * database, whose collation of text might differ.
 */
export function orderAttempts(rows: readonly AttemptRow[]): AttemptRecord[] {
  return rows.map(toAttemptRecord).sort((a, b) => compareCodePoints(a.startTime, b.startTime));
}

/** An `attempt_outputs` row as `loadRun` reads it. */
export type OutputRow = Pick<
  Selectable<AttemptOutputsTable>,
  'node_id' | 'attempt' | 'position' | 'output_key' | 'value'
>;

/**
 * The attempts, each with its outputs and its secret outputs' keys in the order produced; an attempt without
 * either gets no such field.
 */
export function withOutputs(attempts: AttemptRecord[], outputRows: readonly OutputRow[]): AttemptRecord[] {
  if (outputRows.length === 0) return attempts;
  const byAttempt = new Map<string, OutputRow[]>();
  for (const output of outputRows) {
    const id = attemptId(output.node_id, Number(output.attempt));
    let list = byAttempt.get(id);
    if (list === undefined) {
      list = [];
      byAttempt.set(id, list);
    }
    list.push(output);
  }
  return attempts.map((attempt) => {
    const list = byAttempt.get(attemptId(attempt.nodeId, attempt.attempt));
    if (list === undefined) return attempt;
    list.sort((a, b) => Number(a.position) - Number(b.position));
    const plain: [string, string][] = [];
    const secret: string[] = [];
    for (const row of list) {
      if (row.value === null) secret.push(row.output_key);
      else plain.push([row.output_key, row.value]);
    }
    // fromEntries, not assignment: a key `__proto__` must stay a key.
    const outputs = plain.length === 0 ? {} : { outputs: Object.fromEntries(plain) };
    return { ...attempt, ...outputs, ...(secret.length === 0 ? {} : { secretOutputs: secret }) };
  });
}

function attemptId(nodeId: string, attempt: number): string {
  return `${attempt}:${nodeId}`;
}

/** A run as `loadRun` returns it: its row, its attempts in order, and its `run_answers` rows (any order). */
export function toRunState(
  run: RunsRow,
  attempts: readonly AttemptRecord[],
  answerRows: readonly Pick<RunAnswersTable, 'node_id' | 'param' | 'value'>[],
  inputRows: readonly Pick<RunInputsTable, 'name' | 'value'>[] = [],
): RunState {
  const sorted = [...answerRows].sort(
    (a, b) => compareCodePoints(a.node_id, b.node_id) || compareCodePoints(a.param, b.param),
  );
  const answers: Record<string, Record<string, string>> = {};
  for (const { node_id, param, value } of sorted) {
    answers[node_id] ??= {};
    answers[node_id][param] = value;
  }
  const state = { run: toRunRecord(run), attempts, answers };
  if (inputRows.length === 0) return state;
  // By name: the rows come in whatever order the database keeps them.
  const inputs: Record<string, StoredInputValue> = {};
  for (const { name, value } of [...inputRows].sort((a, b) => compareCodePoints(a.name, b.name))) {
    const parsed = parseInputValue(value);
    if (parsed !== undefined) inputs[name] = parsed;
  }
  return { ...state, inputs };
}

// A row edited by hand may hold anything: what is not a string, number, boolean or null (a secret) is left out.
function parseInputValue(text: string): StoredInputValue | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

// Runs adopted from a prototype database, or edited by hand, may hold anything here: treat it as unknown.
function parseNodeIds(text: string): string[] {
  return parseStrings(text);
}

/** A JSON array of strings; anything else (a hand-edited row) as the strings it holds, or none. */
function parseStrings(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}
