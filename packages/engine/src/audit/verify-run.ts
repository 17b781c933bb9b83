import type { RunKey, RunState } from '@playbook/domain';
import type { RerunRecord } from '../ports/run-repository.js';
import {
  type AuditActor,
  type AuditHead,
  type AuditLog,
  answerColumns,
  approvalColumns,
  attemptColumns,
  rerunColumns,
  runColumns,
  sessionColumns,
  sha256Hex,
} from './audit-entry.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';

/** What `verifyRun` found. */
export type RunVerdict =
  /** The chain is whole and the tables hold exactly what it says. */
  | { readonly status: 'intact'; readonly entries: number; readonly head: AuditHead }
  /** The run was written before the audit log existed and has not changed since. */
  | { readonly status: 'unchained' }
  /** The first entry or row found changed, inserted or removed; `head` is the newest entry as stored, if any. */
  | {
      readonly status: 'broken';
      readonly entries: number;
      readonly head: AuditHead | null;
      readonly problem: string;
    };

type Columns = { [column: string]: JsonValue };

/** A row as the log says it should be, and the entry that last wrote it. */
interface Expected {
  columns: Columns;
  seq: number;
}

/** The run as the log rebuilds it. */
interface Replayed {
  run: Expected | undefined;
  readonly attempts: Map<string, Expected>;
  readonly answers: Map<string, Expected>;
  readonly sessions: Map<string, Expected>;
  readonly approvals: Map<string, Expected>;
  readonly reruns: Expected[];
  /** Whether the log starts from a snapshot: re-runs recorded before the log existed are not in it. */
  fromSnapshot: boolean;
}

/**
 * Checks a run against its audit log (SPEC §10.3): recomputes each entry's hash and the chain of `prev` hashes,
 * then replays the entries and compares what they say with the run's rows. Names the first entry, or else the
 * first row, that was changed, inserted or removed. `reruns` (`listReruns`, where the store has it) are
 * compared too; left out, only the chain vouches for them. `state` undefined: the run's row is missing (a run id
 * below the workflow's newest, or one whose audit log remains), which is a removal.
 */
export function verifyRun(
  key: RunKey,
  log: AuditLog,
  state: RunState | undefined,
  reruns?: readonly RerunRecord[],
): RunVerdict {
  const { entries } = log;
  const last = entries[entries.length - 1];
  const head = last === undefined ? null : { seq: last.seq, hash: last.hash };
  // No runs row for a run id below the workflow's newest: ids are given in order without gaps, so it was deleted.
  if (state === undefined) {
    const first = entries[0];
    return first === undefined
      ? broken(0, null, 'the run was removed: its runs row and its audit log are gone')
      : broken(entries.length, head, `the runs row was removed (audit entry ${first.seq} wrote it)`);
  }
  if (entries.length === 0) {
    if (log.unchained) return { status: 'unchained' };
    return broken(0, null, 'the run has no audit entries: its log was removed');
  }
  const replayed: Replayed = {
    run: undefined,
    attempts: new Map(),
    answers: new Map(),
    sessions: new Map(),
    approvals: new Map(),
    reruns: [],
    fromSnapshot: false,
  };
  let previous: string | null = null;
  for (let index = 0; index < entries.length; index++) {
    const stored = entries[index];
    if (stored === undefined) break;
    const seq = index + 1;
    if (stored.seq !== seq) {
      return broken(
        entries.length,
        head,
        stored.seq > seq
          ? `audit entry ${seq} was removed`
          : `audit entry ${stored.seq} was inserted out of order`,
      );
    }
    if (sha256Hex(stored.entry) !== stored.hash) {
      return broken(entries.length, head, `audit entry ${seq} was changed: its text no longer has its hash`);
    }
    const parsed = parseEntry(stored.entry);
    if (parsed === undefined || canonicalJson(parsed as unknown as JsonValue) !== stored.entry) {
      return broken(entries.length, head, `audit entry ${seq} is not a canonical JSON entry`);
    }
    if (parsed.workflow !== key.workflowName || parsed.run !== key.runId || parsed.seq !== seq) {
      return broken(entries.length, head, `audit entry ${seq} belongs to another run or place`);
    }
    if (parsed.prev !== previous) {
      return broken(
        entries.length,
        head,
        `audit entry ${seq} does not follow entry ${seq - 1}: an entry before it was changed, inserted or removed`,
      );
    }
    const problem = apply(replayed, parsed, seq);
    if (problem !== undefined) return broken(entries.length, head, `audit entry ${seq}: ${problem}`);
    previous = stored.hash;
  }
  const mismatch = compare(replayed, state) ?? compareReruns(replayed, reruns);
  if (mismatch !== undefined) return broken(entries.length, head, mismatch);
  return { status: 'intact', entries: entries.length, head: head as AuditHead };
}

function broken(entries: number, head: AuditHead | null, problem: string): RunVerdict {
  return { status: 'broken', entries, head, problem };
}

interface ParsedEntry {
  readonly v: number;
  readonly workflow: string;
  readonly run: number;
  readonly seq: number;
  readonly prev: string | null;
  readonly kind: string;
  readonly by: AuditActor | null;
  readonly data: Columns;
}

function parseEntry(text: string): ParsedEntry | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const data = (value as { data?: unknown }).data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
    return value as ParsedEntry;
  } catch {
    return undefined;
  }
}

/** Applies one entry to the replayed run; says why it cannot be applied. */
function apply(replayed: Replayed, entry: ParsedEntry, seq: number): string | undefined {
  const { data } = entry;
  const identity = {
    operator: entry.by?.operator ?? null,
    os_user: entry.by?.os_user ?? null,
    db_user: entry.by?.db_user ?? null,
  };
  switch (entry.kind) {
    case 'snapshot': {
      replayed.fromSnapshot = true;
      replayed.run = { columns: { ...(data.run as Columns) }, seq };
      for (const row of (data.attempts as Columns[]) ?? [])
        replayed.attempts.set(attemptId(row), { columns: { ...row }, seq });
      for (const row of (data.answers as Columns[]) ?? [])
        replayed.answers.set(answerId(row), { columns: { ...row }, seq });
      for (const row of (data.sessions as Columns[]) ?? [])
        replayed.sessions.set(String(row.seq), { columns: { ...row }, seq });
      return undefined;
    }
    case 'run-created':
      replayed.run = {
        columns: { ...data, end_time: null, nodes_ok: 0, nodes_nok: 0, nodes_skipped: 0, ...identity },
        seq,
      };
      return undefined;
    case 'run-claimed':
    case 'run-finished':
      if (replayed.run === undefined) return 'it changes a run no entry created';
      replayed.run = { columns: { ...replayed.run.columns, ...data }, seq };
      return undefined;
    case 'attempt-started':
      replayed.attempts.set(attemptId(data), {
        columns: {
          ...data,
          result_text_sha256: null,
          exit_code: null,
          exception_sha256: null,
          stdout_sha256: null,
          stderr_sha256: null,
          ...identity,
          command_sha256: null,
          params_sha256: null,
          cwd: null,
          env_keys: null,
          outputs_sha256: null,
          output_lines_sha256: null,
        },
        seq,
      });
      return undefined;
    case 'attempt-ended':
    case 'decision': {
      const id = attemptId(data);
      const current = replayed.attempts.get(id);
      if (current === undefined) return `it changes attempt ${describeAttempt(data)}, which no entry started`;
      replayed.attempts.set(id, { columns: { ...current.columns, ...data }, seq });
      return undefined;
    }
    case 'answer':
      replayed.answers.set(answerId(data), { columns: { ...data }, seq });
      return undefined;
    case 'session':
      replayed.sessions.set(String(data.seq), { columns: { ...data, ...identity }, seq });
      return undefined;
    case 'approval':
      replayed.approvals.set(String(data.seq), { columns: { ...data, ...identity }, seq });
      return undefined;
    case 'rerun':
      replayed.reruns.push({ columns: { ...data }, seq });
      return undefined;
    default:
      return `unknown kind "${entry.kind}"`;
  }
}

/** The first difference between the replayed run and its rows, or undefined. */
function compare(replayed: Replayed, state: RunState): string | undefined {
  if (replayed.run !== undefined) {
    const field = firstDifference(replayed.run.columns, runColumns(state.run, state.inputs));
    if (field !== undefined) return changed('the runs row', field, replayed.run);
  }
  const attempts = new Map(state.attempts.map((attempt) => [attemptId(attemptColumns(attempt)), attempt]));
  for (const [id, attempt] of attempts) {
    const columns = attemptColumns(attempt);
    const expected = replayed.attempts.get(id);
    const name = `executions row ${describeAttempt(columns)}`;
    if (expected === undefined) return `${name} was inserted: no audit entry wrote it`;
    const field = firstDifference(expected.columns, columns);
    if (field !== undefined) return changed(name, field, expected);
  }
  for (const [id, expected] of replayed.attempts) {
    if (!attempts.has(id)) {
      return `executions row ${describeAttempt(expected.columns)} was removed (audit entry ${expected.seq} wrote it)`;
    }
  }
  const answers = new Map<string, Columns>();
  for (const [nodeId, params] of Object.entries(state.answers)) {
    for (const [param, value] of Object.entries(params)) {
      const columns = answerColumns(nodeId, param, value);
      answers.set(answerId(columns), columns);
    }
  }
  const rows = [
    ['run_answers', replayed.answers, answers],
    [
      'run_sessions',
      replayed.sessions,
      new Map((state.sessions ?? []).map((session) => [String(session.seq), sessionColumns(session)])),
    ],
    [
      'approvals',
      replayed.approvals,
      new Map((state.approvals ?? []).map((approval) => [String(approval.seq), approvalColumns(approval)])),
    ],
  ] as const;
  for (const [table, expectedRows, actualRows] of rows) {
    for (const [id, columns] of actualRows) {
      const expected = expectedRows.get(id);
      if (expected === undefined)
        return `${table} row ${id.replace('\0', '.')} was inserted: no audit entry wrote it`;
      const field = firstDifference(expected.columns, columns);
      if (field !== undefined) return changed(`${table} row ${id.replace('\0', '.')}`, field, expected);
    }
    for (const [id, expected] of expectedRows) {
      if (!actualRows.has(id)) {
        return `${table} row ${id.replace('\0', '.')} was removed (audit entry ${expected.seq} wrote it)`;
      }
    }
  }
  return undefined;
}

/** The first re-run row that differs from what the log recorded, in order; undefined when none or not given. */
function compareReruns(replayed: Replayed, all: readonly RerunRecord[] | undefined): string | undefined {
  if (all === undefined) return undefined;
  const expected = replayed.reruns;
  // A run chained from a snapshot may have re-runs from before the log: only the newest are the log's.
  const reruns =
    replayed.fromSnapshot && all.length > expected.length ? all.slice(all.length - expected.length) : all;
  for (let index = 0; index < Math.max(expected.length, reruns.length); index++) {
    const want = expected[index];
    const have = reruns[index];
    if (want === undefined) return `run_reruns row ${index + 1} was inserted: no audit entry wrote it`;
    if (have === undefined)
      return `run_reruns row ${index + 1} was removed (audit entry ${want.seq} wrote it)`;
    const field = firstDifference(want.columns, rerunColumns(have));
    if (field !== undefined) return changed(`run_reruns row ${index + 1}`, field, want);
  }
  return undefined;
}

/** The first column (in the log's order) whose value differs from the row's. */
function firstDifference(expected: Columns, actual: Columns): string | undefined {
  for (const [column, value] of Object.entries(expected)) {
    if (canonicalJson(value ?? null) !== canonicalJson(actual[column] ?? null)) return column;
  }
  return undefined;
}

function changed(row: string, column: string, expected: Expected): string {
  const name = column.endsWith('_sha256') ? column.slice(0, -'_sha256'.length) : column;
  return `${row} was changed: its ${name} is not what audit entry ${expected.seq} recorded`;
}

function attemptId(columns: Columns): string {
  return `${String(columns.node_id)}\0${String(columns.attempt)}`;
}

function answerId(columns: Columns): string {
  return `${String(columns.node_id)}\0${String(columns.param)}`;
}

function describeAttempt(columns: Columns): string {
  return `${String(columns.node_id)}#${String(columns.attempt)}`;
}
