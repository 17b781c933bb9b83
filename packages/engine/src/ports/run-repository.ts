import type {
  ApprovalRecord,
  AttemptKey,
  AttemptRecord,
  AttemptStatus,
  OperatorIdentity,
  OutputLog,
  RunKey,
  RunOwner,
  RunRecord,
  RunState,
  RunStatus,
  RunTrigger,
  SessionInput,
  StoredInputValue,
  WhatRan,
} from '@playbook/domain';

export interface CreateRunInput {
  readonly workflowName: string;
  readonly startTime: string;
  readonly owner: RunOwner;
  readonly runbookHash: string | null;
  readonly nodeIds: readonly string[];
  /** Input values to store with the run, in the same atomic change; a secret one as null, never its value. */
  readonly inputs?: Readonly<Record<string, StoredInputValue>>;
  /** Who starts it; stored as the run's `startedBy`. */
  readonly by?: OperatorIdentity;
  /** The session that starts it, recorded with it. */
  readonly session?: SessionInput;
  /** The runbook's text, stored once per `runbookHash`. */
  readonly runbookText?: string;
}

export interface StartAttemptInput {
  readonly workflowName: string;
  readonly runId: number;
  readonly nodeId: string;
  readonly startTime: string;
  /** `running` for a real attempt; `skipped` / `nok` for one written already finished (a skip, an interruption found on resume). */
  readonly status: AttemptStatus;
  readonly operatorDecision?: string | null;
  /** Who runs it (or made the decision it records). */
  readonly by?: OperatorIdentity;
}

/** How an attempt ended. Fields left out stay null. */
export interface AttemptOutcome {
  readonly status: Exclude<AttemptStatus, 'running'>;
  readonly endTime: string;
  readonly durationMs: number;
  readonly operatorDecision?: string | null;
  readonly resultText?: string | null;
  readonly exitCode?: number | null;
  readonly exception?: string | null;
  readonly stdout?: string | null;
  readonly stderr?: string | null;
  /** Step outputs to keep with the attempt (never secret ones); left out or empty, it has none. */
  readonly outputs?: Readonly<Record<string, string>>;
  /** Keys of the secret outputs the attempt produced, to show that they exist; never their values. */
  readonly secretOutputs?: readonly string[];
  /** Both streams' lines in arrival order, with times (SPEC §10.1). */
  readonly outputLog?: OutputLog | null;
  /** What the attempt ran. */
  readonly ran?: WhatRan | null;
}

export interface FinishRunInput {
  readonly status: Exclude<RunStatus, 'running'>;
  readonly endTime: string;
  readonly nodesOk: number;
  readonly nodesNok: number;
  readonly nodesSkipped: number;
  /** Who ends it. */
  readonly by?: OperatorIdentity;
}

/**
 * An approval or a rejection of a gate to record (SPEC §10.2): the record without its `seq` (the store numbers
 * it), with what decides the gate. `round` is the gate's next attempt when the decision was asked; the run must
 * still have `runbookHash`.
 */
export interface RecordApprovalInput extends RunKey, Omit<ApprovalRecord, 'seq'> {
  /** Approvals of this round and hash (this one included) that open the gate. */
  readonly min: number;
  /** The run's node counts once the gate is rejected (the gate counted `nok`): the run then ends `nok`. */
  readonly countsIfRejected: { readonly ok: number; readonly nok: number; readonly skipped: number };
  /** The `approve` / `reject` session, recorded with it. */
  readonly session: SessionInput;
}

/** What `recordApproval` did. */
export type ApprovalOutcome =
  /** Nothing written: the run no longer waits (`status`), or it runs another runbook now. */
  | { readonly kind: 'refused'; readonly reason: 'not-waiting'; readonly status: RunStatus }
  | { readonly kind: 'refused'; readonly reason: 'runbook-changed'; readonly runbookHash: string | null }
  /** Nothing written: this person decided this round already. */
  | { readonly kind: 'refused'; readonly reason: 'twice'; readonly decision: 'approve' | 'reject' }
  /**
   * Recorded. `gate`: still `waiting` for more approvals; `approved` / `rejected` by this decision (its attempt
   * written; a rejection also ended the run `nok`); `decided-before`: another decision had already closed this
   * round at the same moment — this one is kept, and changes nothing. `approvers`: who approved this round.
   */
  | {
      readonly kind: 'recorded';
      readonly gate: 'waiting' | 'approved' | 'rejected' | 'decided-before';
      readonly approvers: readonly string[];
    };

/** Steps of a run run again on purpose (SPEC §9.4). */
export interface RerunRecord {
  /** When the re-run began (ISO-8601 UTC). */
  readonly time: string;
  /** The steps it runs again, in plan order. */
  readonly nodeIds: readonly string[];
  /** Why, as the operator gave it (`--reason`); null when none was given. */
  readonly reason: string | null;
}

export interface ClaimRunInput extends RunKey {
  /** The status the caller read; the claim fails if the row changed since. */
  readonly expectedStatus: RunStatus;
  /** The owner the caller read (null for none); the claim fails if it changed since. */
  readonly expectedOwner: RunOwner | null;
  readonly owner: RunOwner;
  /** Node ids of the runbook now, in plan order. */
  readonly nodeIds: readonly string[];
  readonly runbookHash: string | null;
  /**
   * The trigger to record; default `resume`. Recovering a run whose owner died (`recoverStaleRun`) passes the
   * run's own, since taking it over only to end it `aborted` is not a resume.
   */
  readonly trigger?: RunTrigger;
  /**
   * The end time to record; default none (null). A recovery (`recoverStaleRun`) passes the end time it is about
   * to write: a `running` run with an end time is being ended by its owner, not driven, so that another process
   * (a `resume` racing a `show`) waits for that end rather than taking the owner for a live driver. An adapter
   * that ignores it still works, but a resume may then be refused while another process recovers the run.
   */
  readonly endTime?: string | null;
  /** Who takes it over. */
  readonly by?: OperatorIdentity;
  /** The session that resumes it, recorded with the claim. */
  readonly session?: SessionInput;
  /** The runbook's text, stored once per `runbookHash`. */
  readonly runbookText?: string;
}

/**
 * Storage of runs and attempts. Every method is one atomic change: a crash between two calls leaves a
 * consistent history. Writes to a run that does not exist reject; reads give undefined and `claimRun` false.
 * Adapters: `@playbook/sqlite`, `@playbook/postgres`, `InMemoryRunRepository` from `@playbook/engine/testing`; check yours with
 * `runRepositoryContract` from the same subpath (see docs/storage-adapter.md).
 */
export interface RunRepository {
  /** Creates a run with the next id of its workflow (1, 2, 3…), status `running`, trigger `run`; safe under concurrent callers. */
  createRun(input: CreateRunInput): Promise<RunRecord>;
  /** Loads a run with its attempts and remembered answers, or undefined when there is no such run. */
  loadRun(key: RunKey): Promise<RunState | undefined>;
  /** The newest run of a workflow (highest id) whose status is one of `statuses` (any status when omitted). */
  findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Promise<RunRecord | undefined>;
  /** Every run whose status is `running`, of one workflow or of all, by workflow name then run id. */
  listRunningRuns(workflowName?: string): Promise<RunRecord[]>;
  /**
   * Takes a run over for resume: sets status `running`, trigger `resume` (or `input.trigger`), the new owner,
   * node ids and hash, and `end_time` to `input.endTime` (null when left out), only if status and owner are still
   * what the caller expected.
   * Returns whether it did.
   */
  claimRun(input: ClaimRunInput): Promise<boolean>;
  /**
   * Records the process group of the command the owner is running now (null when none runs). A run without
   * owner is left alone. `finishAttempt` clears it too, so the engine needs no separate write at a command's end.
   */
  setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void>;
  /**
   * Records the process group of one of the commands the owner runs side by side (SPEC §9.1, `--concurrency`),
   * under the attempt that runs it: the owner record then keeps every running group, and a recovery after a
   * crash stops each one (`RunState.processGroups`). `finishAttempt` of that attempt removes it, in the same
   * atomic change as the outcome. Each group belongs to one attempt, written by the one process that owns the
   * run, so an adapter needs nothing beyond what `startAttempt` and `finishAttempt` already need. Optional: an
   * adapter without it gets `setOwnerProcessGroup` (the latest group only).
   */
  addOwnerProcessGroup?(key: AttemptKey, processGroup: number): Promise<void>;
  /**
   * Writes a new attempt numbered one past the node's highest in this run, and returns it. An attempt written
   * already finished (status other than `running`) gets `endTime` = `startTime` and `durationMs` 0.
   */
  startAttempt(input: StartAttemptInput): Promise<AttemptRecord>;
  /**
   * Ends an attempt that is `running`; rejects when it does not exist or has already ended. A left-out
   * `operatorDecision` keeps the one given at start; other left-out fields stay null. In the same atomic change
   * it clears the owner's process group (as `setOwnerProcessGroup(key, null)`): the attempt's command, if it had
   * one, has ended, and the owner record must not name its group a moment longer.
   */
  finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void>;
  /**
   * Writes the operator's answer to an attempt that ended `nok` (`retry`, `skip`, `abort`, or `auto-retry` for an
   * automatic retry) as its `operator_decision`, only when it has none: a decision already there (`nok` answered
   * at a Manual prompt, `interrupted`) is kept. Rejects when the attempt does not exist.
   */
  recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Promise<void>;
  /** Ends a run: status, end time and node counts, and clears its owner. */
  finishRun(key: RunKey, input: FinishRunInput): Promise<void>;
  /** Remembers an operator's `${ask}` answer for the rest of the run and its resumes. */
  saveAnswer(key: RunKey, nodeId: string, param: string, value: string, by?: OperatorIdentity): Promise<void>;
  /**
   * Optional: records that steps of the run are run again (`resume --node … --only|--downstream`, SPEC §9.4),
   * with the operator's reason. Without it, steps of a run that ended `ok` are never run again.
   */
  recordRerun?(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Promise<void>;
  /** Optional, with `recordRerun`: the re-runs of a run, oldest first. */
  listReruns?(key: RunKey): Promise<RerunRecord[]>;
  /**
   * Optional, for storage shared across hosts: whether the lease of `run`'s owner has expired (the owner stopped
   * renewing it), so a `running` run owned by another host may be recovered. Without it, such a run never is.
   */
  ownerLeaseExpired?(run: RunRecord): Promise<boolean>;
  /**
   * Optional, for approval gates (SPEC §10.2): in one atomic change under the run's lock, records a decision on a
   * gate of a `waiting` run (with its session and audit entries) unless the same person decided this round and
   * runbook already; a rejection writes the gate's attempt `nok` (`rejected`, the note as its result) and ends
   * the run `nok`; the `min`-th approval writes it `ok` (`approved`, the approvers as its result). Without it a
   * run that reaches a gate waits until another tool decides it.
   */
  recordApproval?(input: RecordApprovalInput): Promise<ApprovalOutcome>;
  /** Releases resources (connections, files). Optional: in-memory adapters need none. */
  close?(): Promise<void>;
}
