import type {
  ApprovalRecord,
  AttemptKey,
  AttemptRecord,
  OutputLog,
  RunKey,
  RunRecord,
  RunState,
  StoredInputValue,
} from '@playbook/domain';
import { Sha256, sha256Hex as sha256OfShortText } from '@playbook/domain';
import type { OperatorIdentity, SessionInput, SessionRecord, WhatRan } from '../ports/identity.js';
import type {
  AttemptOutcome,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RerunRecord,
} from '../ports/run-repository.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';

// The audit log of SPEC §10.3, written once for every adapter: what each change to a run appends, in the same
// atomic change, as RFC 8785 canonical JSON carrying the SHA-256 of the run's previous entry. docs/audit.md
// describes the format for other tools; `verifyRun` checks it.

/** The format version every entry carries as `v`. */
export const AUDIT_FORMAT_VERSION = 1;

/** What an entry records. */
export type AuditKind =
  | 'run-created'
  | 'run-claimed'
  | 'run-finished'
  | 'attempt-started'
  | 'attempt-ended'
  | 'decision'
  | 'answer'
  | 'session'
  | 'rerun'
  | 'approval'
  | 'snapshot';

/** Who made the change, as an entry holds it (column names of the tables). */
export type AuditActor = {
  readonly operator: string | null;
  readonly os_user: string;
  readonly db_user: string | null;
};

/** An entry before it is chained: its kind, who, and the changed columns. */
export interface AuditBody {
  readonly kind: AuditKind;
  readonly by: AuditActor | null;
  readonly data: { readonly [column: string]: JsonValue | undefined };
}

/** An entry as stored: its number in the run (1, 2, 3…), its canonical JSON text and that text's SHA-256. */
export interface AuditEntry {
  readonly seq: number;
  readonly entry: string;
  readonly hash: string;
}

/** The newest entry of a run: its number and hash. */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** A run's audit log as stored, and whether the run was written before the log existed. */
export interface AuditLog {
  readonly entries: readonly AuditEntry[];
  /** True for a run the history held when the log was added: it has no entries until it changes again. */
  readonly unchained: boolean;
}

/** Characters hashed at a time: a captured stream or an output log is megabytes, its UTF-8 copy as large again. */
const HASHED_PIECE = 64 * 1024;

/** One encoder for every hash: it holds no state between calls. */
const UTF8 = new TextEncoder();
/** The SHA-256 of nothing, which most steps' stderr (and many a stdout) hash to at each attempt's end. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256 of the UTF-8 of `text` (a lone surrogate counts as U+FFFD, as UTF-8 encoders do). */
export function sha256Hex(text: string): string {
  if (text === '') return EMPTY_SHA256;
  if (text.length <= HASHED_PIECE) return sha256OfShortText(text);
  return sha256Of((update) => update(text));
}

/**
 * SHA-256 (lower-case hex) of the UTF-8 of the texts `write` hands to its `update`, in order, as of one text:
 * each is encoded a piece at a time, never cutting a surrogate pair, so no UTF-8 copy of the whole is made.
 */
function sha256Of(write: (update: (text: string) => void) => void): string {
  const hash = new Sha256();
  write((text) => {
    for (let at = 0; at < text.length; ) {
      let end = Math.min(text.length, at + HASHED_PIECE);
      // A high surrogate is encoded with the character after it (its pair, or U+FFFD alone).
      const last = text.charCodeAt(end - 1);
      if (end < text.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff) end--;
      hash.update(UTF8.encode(at === 0 && end === text.length ? text : text.slice(at, end)));
      at = end;
    }
  });
  return hash.hex();
}

/** How the log carries a text column that may be long or hold captured output: its SHA-256, null for null. */
export function digest(text: string | null | undefined): string | null {
  return text == null ? null : sha256Hex(text);
}

/** The next entry of a run's chain after `head` (none: the first). */
export function chainEntry(key: RunKey, head: AuditHead | undefined, body: AuditBody): AuditEntry {
  const seq = (head?.seq ?? 0) + 1;
  const entry = canonicalJson({
    v: AUDIT_FORMAT_VERSION,
    workflow: key.workflowName,
    run: key.runId,
    seq,
    prev: head?.hash ?? null,
    kind: body.kind,
    by: body.by,
    data: body.data,
  });
  return { seq, entry, hash: sha256Hex(entry) };
}

/** An identity as an entry holds it. */
export function auditActor(by: OperatorIdentity | null | undefined): AuditActor | null {
  return by == null ? null : { operator: by.operator, os_user: by.osUser, db_user: by.dbUser ?? null };
}

/** `run-created`: a new run, as `createRun` writes it. */
export function runCreatedEntry(input: CreateRunInput, by: OperatorIdentity | undefined): AuditBody {
  return {
    kind: 'run-created',
    by: auditActor(by),
    data: {
      start_time: input.startTime,
      status: 'running',
      trigger: 'run',
      runbook_hash: input.runbookHash,
      inputs: inputsColumn(input.inputs),
    },
  };
}

/** `run-claimed`: a run taken over (resume, recovery), as `claimRun` writes it. */
export function runClaimedEntry(input: ClaimRunInput, by: OperatorIdentity | undefined): AuditBody {
  return {
    kind: 'run-claimed',
    by: auditActor(by),
    data: {
      status: 'running',
      trigger: input.trigger ?? 'resume',
      end_time: input.endTime ?? null,
      runbook_hash: input.runbookHash,
    },
  };
}

/** `run-finished`: a run's end, as `finishRun` writes it. */
export function runFinishedEntry(input: FinishRunInput, by: OperatorIdentity | undefined): AuditBody {
  return {
    kind: 'run-finished',
    by: auditActor(by),
    data: {
      status: input.status,
      end_time: input.endTime,
      nodes_ok: input.nodesOk,
      nodes_nok: input.nodesNok,
      nodes_skipped: input.nodesSkipped,
    },
  };
}

/** `attempt-started`: a new attempt, as `startAttempt` writes it. */
export function attemptStartedEntry(record: AttemptRecord, by: OperatorIdentity | undefined): AuditBody {
  return {
    kind: 'attempt-started',
    by: auditActor(by),
    data: {
      node_id: record.nodeId,
      attempt: record.attempt,
      start_time: record.startTime,
      end_time: record.endTime,
      status: record.status,
      operator_decision: record.operatorDecision,
      duration_ms: record.durationMs,
    },
  };
}

/** `attempt-ended`: an attempt's outcome, as `finishAttempt` writes it (a left-out decision is left out). */
export function attemptEndedEntry(key: AttemptKey, outcome: AttemptOutcome): AuditBody {
  return {
    kind: 'attempt-ended',
    by: null,
    data: {
      node_id: key.nodeId,
      attempt: key.attempt,
      status: outcome.status,
      end_time: outcome.endTime,
      duration_ms: outcome.durationMs,
      operator_decision: outcome.operatorDecision,
      result_text_sha256: digest(outcome.resultText),
      exit_code: outcome.exitCode ?? null,
      exception_sha256: digest(outcome.exception),
      stdout_sha256: digest(outcome.stdout),
      stderr_sha256: digest(outcome.stderr),
      ...ranColumns(outcome.ran ?? null),
      outputs_sha256: outputsDigest(outcome.outputs, outcome.secretOutputs),
      output_lines_sha256: outputLogDigest(outcome.outputLog),
    },
  };
}

/** `rerun`: steps of the run run again on purpose, with the operator's reason (`recordRerun`, SPEC §9.4). */
export function rerunEntry(rerun: RerunRecord, by: OperatorIdentity | undefined): AuditBody {
  return { kind: 'rerun', by: auditActor(by), data: rerunColumns(rerun) };
}

/** `decision`: an operator's answer written on an attempt that had none (`recordDecision`). */
export function decisionEntry(
  key: AttemptKey,
  decision: string,
  by: OperatorIdentity | undefined,
): AuditBody {
  return {
    kind: 'decision',
    by: auditActor(by),
    data: { node_id: key.nodeId, attempt: key.attempt, operator_decision: decision },
  };
}

/** `answer`: a remembered `${ask}` answer (`saveAnswer`), its value as SHA-256. */
export function answerEntry(
  nodeId: string,
  param: string,
  value: string,
  by: OperatorIdentity | undefined,
): AuditBody {
  return {
    kind: 'answer',
    by: auditActor(by),
    data: { node_id: nodeId, param, value_sha256: digest(value) },
  };
}

/** `approval`: an approval or a rejection of a gate (SPEC §10.2), as `recordApproval` writes it. */
export function approvalEntry(record: ApprovalRecord): AuditBody {
  const { operator, os_user, db_user, ...data } = approvalColumns(record);
  return { kind: 'approval', by: auditActor(record.by), data };
}

/** The audited columns of an `approvals` row, the note as SHA-256. */
export function approvalColumns(record: ApprovalRecord): { readonly [column: string]: JsonValue } {
  const by = auditActor(record.by);
  return {
    seq: record.seq,
    node_id: record.nodeId,
    round: record.round,
    who: record.who,
    decision: record.decision,
    at: record.at,
    note_sha256: digest(record.note),
    runbook_hash: record.runbookHash,
    inputs_sha256: record.inputsSha256,
    operator: by?.operator ?? null,
    os_user: by?.os_user ?? null,
    db_user: by?.db_user ?? null,
  };
}

/** `session`: a `run`, `resume`, `approve` or `reject` of the run, numbered `seq`. */
export function sessionEntry(seq: number, session: SessionInput): AuditBody {
  return {
    kind: 'session',
    by: auditActor(session.by),
    data: sessionColumns({ ...session, seq }),
  };
}

/**
 * `snapshot`: the whole run as it stood, written first when a run the history held before the log existed
 * changes again, so that its chain covers what came before.
 */
export function snapshotEntry(state: RunState): AuditBody {
  return {
    kind: 'snapshot',
    by: null,
    data: {
      run: runColumns(state.run, state.inputs),
      attempts: state.attempts.map(attemptColumns),
      answers: Object.entries(state.answers).flatMap(([nodeId, params]) =>
        Object.entries(params).map(([param, value]) => answerColumns(nodeId, param, value)),
      ),
      sessions: (state.sessions ?? []).map(sessionColumns),
    },
  };
}

/** The audited columns of a `runs` row, with the run's inputs, as entries carry them. */
export function runColumns(
  run: RunRecord,
  inputs: Readonly<Record<string, StoredInputValue>> | undefined,
): { readonly [column: string]: JsonValue } {
  const by = auditActor(run.startedBy);
  return {
    start_time: run.startTime,
    end_time: run.endTime,
    status: run.status,
    nodes_ok: run.nodesOk,
    nodes_nok: run.nodesNok,
    nodes_skipped: run.nodesSkipped,
    trigger: run.trigger,
    runbook_hash: run.runbookHash,
    operator: by?.operator ?? null,
    os_user: by?.os_user ?? null,
    db_user: by?.db_user ?? null,
    inputs: inputsColumn(inputs),
  };
}

/** The audited columns of an `executions` row, long text as SHA-256. */
export function attemptColumns(attempt: AttemptRecord): { readonly [column: string]: JsonValue } {
  const by = auditActor(attempt.by);
  return {
    node_id: attempt.nodeId,
    attempt: attempt.attempt,
    start_time: attempt.startTime,
    end_time: attempt.endTime,
    status: attempt.status,
    operator_decision: attempt.operatorDecision,
    duration_ms: attempt.durationMs,
    result_text_sha256: digest(attempt.resultText),
    exit_code: attempt.exitCode,
    exception_sha256: digest(attempt.exception),
    stdout_sha256: digest(attempt.stdout),
    stderr_sha256: digest(attempt.stderr),
    operator: by?.operator ?? null,
    os_user: by?.os_user ?? null,
    db_user: by?.db_user ?? null,
    ...ranColumns(attempt.ran ?? null),
    outputs_sha256: outputsDigest(attempt.outputs, attempt.secretOutputs),
    output_lines_sha256: outputLogDigest(attempt.outputLog),
  };
}

/** The audited columns of a `run_reruns` row. */
export function rerunColumns(rerun: RerunRecord): { readonly [column: string]: JsonValue } {
  return { time: rerun.time, node_ids: [...rerun.nodeIds], reason: rerun.reason };
}

/** A run's input values as entries carry them (a secret one as null: never stored); null for none. */
function inputsColumn(
  inputs: Readonly<Record<string, StoredInputValue>> | undefined,
): { readonly [name: string]: JsonValue } | null {
  if (inputs === undefined || Object.keys(inputs).length === 0) return null;
  return { ...inputs };
}

/**
 * An attempt's step outputs as one SHA-256 (values can be long), the secret ones by name only; null for none.
 * Stores keep no empty set, so an attempt without outputs has none either way.
 */
function outputsDigest(
  outputs: Readonly<Record<string, string>> | undefined,
  secretOutputs: readonly string[] | undefined,
): string | null {
  const secret = secretOutputs ?? [];
  if ((outputs === undefined || Object.keys(outputs).length === 0) && secret.length === 0) return null;
  return sha256Hex(canonicalJson({ outputs: { ...outputs }, secret: [...secret] }));
}

/**
 * The ordered output lines as one SHA-256 of their canonical JSON (`{"dropped":…,"lines":[[stream, time,
 * text], …]}`); null when the attempt kept none. Hashed line by line as it is written out: the whole text, and
 * an array per line to make it, were megabytes for each attempt that printed much, four at once when steps
 * run together.
 */
function outputLogDigest(log: OutputLog | null | undefined): string | null {
  if (log == null) return null;
  const dropped = canonicalJson(log.dropped === null ? null : { ...log.dropped });
  return sha256Of((update) => {
    let pending = `{"dropped":${dropped},"lines":[`;
    for (let i = 0; i < log.lines.length; i++) {
      const line = log.lines[i] as OutputLog['lines'][number];
      pending += `${i === 0 ? '' : ','}${canonicalJson([line.stream, line.time, line.text])}`;
      if (pending.length >= HASHED_PIECE) {
        update(pending);
        pending = '';
      }
    }
    update(`${pending}]}`);
  });
}

/** The audited columns of a `run_answers` row. */
export function answerColumns(
  nodeId: string,
  param: string,
  value: string,
): { readonly [column: string]: JsonValue } {
  return { node_id: nodeId, param, value_sha256: digest(value) };
}

/** The audited columns of a `run_sessions` row. */
export function sessionColumns(session: SessionRecord): { readonly [column: string]: JsonValue } {
  const by = auditActor(session.by);
  return {
    seq: session.seq,
    kind: session.kind,
    at: session.at,
    flags: [...session.flags],
    runbook_hash: session.runbookHash,
    operator: by?.operator ?? null,
    os_user: by?.os_user ?? null,
    db_user: by?.db_user ?? null,
  };
}

function ranColumns(ran: WhatRan | null): { readonly [column: string]: JsonValue } {
  return {
    command_sha256: digest(ran?.command),
    params_sha256: digest(ran?.params),
    cwd: ran?.cwd ?? null,
    env_keys: ran === null ? null : [...ran.envKeys],
  };
}
