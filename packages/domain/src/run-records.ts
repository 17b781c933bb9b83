// The records of a run's history: what the `runs` and `executions` tables hold, as every package sees them
// (the engine writes them, adapters store them, the CLI and Graphviz show them).

import type { OutputLog } from './output-log.js';

/** Status of a whole run; `waiting`: stopped at an approval gate, no process drives it (SPEC §10.2). */
export type RunStatus = 'running' | 'ok' | 'nok' | 'aborted' | 'waiting';
/** Status of one attempt of a node. */
export type AttemptStatus = 'running' | 'ok' | 'nok' | 'skipped';
/** Status of a node in a run: its latest attempt's, or `pending` when it has none. */
export type NodeStatus = AttemptStatus | 'pending';
/** How the run was last started. */
export type RunTrigger = 'run' | 'resume';

/** A stored input value (SPEC §8.1): integers and numbers as numbers; null for a secret one, whose value is never stored. */
export type StoredInputValue = string | number | boolean | null;

/** Identifies one run: ids are 1, 2, 3… per workflow. */
export interface RunKey {
  readonly workflowName: string;
  readonly runId: number;
}

/** Identifies one attempt of one node within a run. */
export interface AttemptKey extends RunKey {
  readonly nodeId: string;
  readonly attempt: number;
}

/** The process driving a running run, so another process can tell whether it is still alive. */
export interface RunOwner {
  /** Host name of the owner's machine. */
  readonly host: string;
  /** Process id of the owner. */
  readonly pid: number;
  /** Process group of the command the owner is running, if any: resume kills it when the owner died. */
  readonly processGroup: number | null;
}

/** A row of the `runs` table plus the adapter-owned extras the engine needs. */
export interface RunRecord extends RunKey {
  readonly startTime: string;
  readonly endTime: string | null;
  readonly status: RunStatus;
  readonly nodesOk: number;
  readonly nodesNok: number;
  readonly nodesSkipped: number;
  readonly trigger: RunTrigger;
  /** Who drives the run; null once it has ended or its owner let it go. */
  readonly owner: RunOwner | null;
  /** Hex SHA-256 of the runbook file when the run started; null when unknown. */
  readonly runbookHash: string | null;
  /** Node ids of the runbook when the run started, in plan order; used to report a changed file on resume. */
  readonly nodeIds: readonly string[];
  /** Who started the run (SPEC §10.1); absent for a run written before identities were recorded. */
  readonly startedBy?: OperatorIdentity | null;
}

/** A row of the `executions` table: one attempt of one node. */
export interface AttemptRecord extends AttemptKey {
  readonly startTime: string;
  readonly endTime: string | null;
  readonly status: AttemptStatus;
  readonly operatorDecision: string | null;
  readonly resultText: string | null;
  readonly exitCode: number | null;
  readonly exception: string | null;
  readonly stdout: string | null;
  readonly stderr: string | null;
  readonly durationMs: number | null;
  /**
   * The attempt's step outputs (SPEC §8.3), secret ones left out; absent when it has none. Written by
   * `finishAttempt`, kept by the attempt that produced them: a retry is a new attempt with its own.
   */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Keys of the secret outputs the attempt produced, in order: their values are never stored. Absent when none. */
  readonly secretOutputs?: readonly string[];
  /** Both streams' lines in arrival order, with times; absent where the store has none (older rows). */
  readonly outputLog?: OutputLog | null;
  /** Who ran the attempt (SPEC §10.1); absent for one written before identities were recorded. */
  readonly by?: OperatorIdentity | null;
  /** What the attempt ran; absent until it ended, or when written before this was recorded. */
  readonly ran?: WhatRan | null;
}

/**
 * A run and every attempt of it, attempts ordered by start time; attempts that started at the same instant stay
 * in the order they were written.
 */
export interface RunState {
  readonly run: RunRecord;
  readonly attempts: readonly AttemptRecord[];
  /** Remembered `${ask}` answers: node id → param → value. */
  readonly answers: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The run's input values (a secret one as null: its value is never stored); absent when it has none. */
  readonly inputs?: Readonly<Record<string, StoredInputValue>>;
  /** Every `run`, `resume`, `approve` and `reject` of the run, in order (absent where an adapter keeps none). */
  readonly sessions?: readonly SessionRecord[];
  /**
   * The process groups of the commands its owner runs side by side (`--concurrency`), one per running attempt
   * (`RunRepository.addOwnerProcessGroup`); absent when none is recorded.
   */
  readonly processGroups?: readonly number[];
  /** Every approval and rejection of the run's gates, in order (absent where there are none). */
  readonly approvals?: readonly ApprovalRecord[];
}

/** An approval or a rejection of an approval gate (SPEC §10.2): one per person per round of the gate. */
export interface ApprovalRecord {
  /** 1, 2, 3… per run, in the order they were recorded. */
  readonly seq: number;
  readonly nodeId: string;
  /**
   * The gate's attempt number this decision is for: the attempt that opens (`approved`) or closes (`rejected`)
   * the gate. A gate asked again after a rejection (`resume`) starts the next round.
   */
  readonly round: number;
  /** The person who decided (`operatorName`): one decision each per round and runbook. */
  readonly who: string;
  readonly decision: 'approve' | 'reject';
  /** When, UTC ISO-8601. */
  readonly at: string;
  readonly note: string | null;
  readonly by: OperatorIdentity;
  /** The runbook's hash the decision was made on: another hash voids it. */
  readonly runbookHash: string | null;
  /** SHA-256 of the run's stored inputs (canonical JSON), which the decision was made on. */
  readonly inputsSha256: string | null;
}

/**
 * Who does something to a run (SPEC §10.1): the name an operator claims, the OS account and machine the
 * process runs as, and — filled in by a store that has one — the database role it writes with. Only the
 * database role is more than a claim, and only when each person has their own.
 */
export interface OperatorIdentity {
  /** The claimed operator: `PLAYBOOK_OPERATOR` or config `operator`; null when none is claimed. */
  readonly operator: string | null;
  /** The OS user and host, `<user>@<host>`. */
  readonly osUser: string;
  /** The database's `session_user` (PostgreSQL), set by the store; null where it has none. */
  readonly dbUser?: string | null;
}

/** What an attempt actually ran (SPEC §10.1): no env values, and secret params as `***`. */
export interface WhatRan {
  /** The command line as given to the shell (Command), or the function's name (Function); null otherwise. */
  readonly command: string | null;
  /** The function's params as JSON, secrets `***` (Function); null for other kinds. */
  readonly params: string | null;
  /** The working directory (Command); null for other kinds. */
  readonly cwd: string | null;
  /** Names of the environment variables Playbook set for the command, sorted; values are never stored. */
  readonly envKeys: readonly string[];
}

/** What started a session. */
export type SessionKind = 'run' | 'resume' | 'approve' | 'reject';

/** One `run`, `resume`, `approve` or `reject` of a run (SPEC §10.1): who, from where, with which flags. */
export interface SessionInput {
  readonly kind: SessionKind;
  /** When it began, UTC ISO-8601. */
  readonly at: string;
  readonly by: OperatorIdentity;
  /** The command line's flags (values of `--set`/`--var` as `name=***`). */
  readonly flags: readonly string[];
  /** Hex SHA-256 of the runbook the session used; null when none. */
  readonly runbookHash: string | null;
}

/** A stored session, numbered 1, 2, 3… per run. */
export interface SessionRecord extends SessionInput {
  readonly seq: number;
}
