import type {
  ApprovalOutcome,
  ApprovalRecord,
  AttemptKey,
  AttemptOutcome,
  AttemptRecord,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  OperatorIdentity,
  RecordApprovalInput,
  RerunRecord,
  RunKey,
  RunRecord,
  RunState,
  RunStatus,
  SessionInput,
  StartAttemptInput,
} from '@playbook/engine';
// The records subpath alone: the engine's main entry would load the planner and the domain's schemas.
import {
  type AuditBody,
  type AuditHead,
  answerEntry,
  approvalEntry,
  attemptEndedEntry,
  attemptStartedEntry,
  chainEntry,
  decisionEntry,
  rerunEntry,
  runClaimedEntry,
  runCreatedEntry,
  runFinishedEntry,
  sessionEntry,
  snapshotEntry,
} from '@playbook/engine/audit';
import {
  attemptNotFound,
  attemptNotRunning,
  compareCodePoints,
  gateVerdict,
  newAttemptRecord,
  runNotFound,
} from '@playbook/engine/records';
import type { DriverCount } from './history-shaping.js';
import { changes, type Operation, row, rows } from './operation.js';
import { ReadOperations } from './read-operations.js';
import { encodeOutputLog, type RunsRow, toRunRecord } from './rows.js';

/**
 * Every operation of `SqlRunStore`: the reads, and the writes, each of which appends its entry to the run's
 * audit log (SPEC §10.3). Loaded on a store's first write (see `SqlRunStore`).
 */
export class Operations extends ReadOperations {
  /** The database role this store writes as, once read (undefined: not yet). */
  #dbUser: string | null | undefined;

  *createRun(input: CreateRunInput): Operation<RunRecord> {
    const { workflowName } = input;
    if (this.sql.lockRunIds !== undefined) yield row(this.sql.lockRunIds, workflowName);
    const last = (yield row(this.sql.lastRunId, workflowName)) as { last: DriverCount | null };
    const runId = Number(last.last ?? 0) + 1;
    const by = yield* this.#identity(input.by);
    const inserted = (yield row(
      this.sql.insertRun,
      workflowName,
      runId,
      input.startTime,
      input.owner.host,
      input.owner.pid,
      input.owner.processGroup,
      input.runbookHash,
      by?.operator ?? null,
      by?.osUser ?? null,
      by?.dbUser ?? null,
    )) as Omit<RunsRow, 'node_ids'>;
    yield changes(this.sql.saveNodeIds, workflowName, runId, JSON.stringify(input.nodeIds));
    for (const [name, value] of Object.entries(input.inputs ?? {})) {
      yield changes(this.sql.saveInput, workflowName, runId, name, JSON.stringify(value));
    }
    yield* this.#keepRunbook(input.runbookHash, input.runbookText);
    const key = { workflowName, runId };
    // The new row is this transaction's until the commit: its chain starts here, under that lock.
    let head = yield* this.#append(key, undefined, runCreatedEntry(input, by));
    if (input.session !== undefined) head = yield* this.#insertSession(key, head, input.session);
    return { ...toRunRecord({ ...inserted, node_ids: '[]' }), nodeIds: [...input.nodeIds] };
  }

  /** Records a session of a run that exists (an `approve` or `reject`); the run's row is locked first. */
  *recordSession(key: RunKey, session: SessionInput): Operation<void> {
    const head = yield* this.#existingHead(key);
    yield* this.#insertSession(key, head, session);
  }

  /**
   * Records a decision on an approval gate (SPEC §10.2) under the run's lock: refused when the run no longer
   * waits, runs another runbook, or the person decided this round already; a rejection or the `min`-th approval
   * writes the gate's attempt (and a rejection ends the run `nok`), all in this one transaction.
   */
  *recordApproval(input: RecordApprovalInput): Operation<ApprovalOutcome> {
    const { workflowName, runId, nodeId, round } = input;
    let head = yield* this.#existingHead(input);
    const run = (yield row(this.sql.runStatus, workflowName, runId)) as {
      status: RunStatus;
      runbook_hash: string | null;
    };
    if (run.status !== 'waiting') return { kind: 'refused', reason: 'not-waiting', status: run.status };
    if (run.runbook_hash !== input.runbookHash) {
      return { kind: 'refused', reason: 'runbook-changed', runbookHash: run.runbook_hash };
    }
    const hash = input.runbookHash ?? '';
    const before = (yield row(this.sql.findApproval, workflowName, runId, nodeId, round, input.who, hash)) as
      | { decision: string }
      | undefined;
    if (before !== undefined) {
      return {
        kind: 'refused',
        reason: 'twice',
        decision: before.decision === 'reject' ? 'reject' : 'approve',
      };
    }
    const by = (yield* this.#identity(input.by)) as OperatorIdentity;
    const last = (yield row(this.sql.lastApproval, workflowName, runId)) as { last: DriverCount | null };
    const record: ApprovalRecord = {
      seq: Number(last.last ?? 0) + 1,
      nodeId,
      round,
      who: input.who,
      decision: input.decision,
      at: input.at,
      note: input.note,
      by,
      runbookHash: input.runbookHash,
      inputsSha256: input.inputsSha256,
    };
    yield changes(
      this.sql.insertApproval,
      workflowName,
      runId,
      record.seq,
      nodeId,
      round,
      record.who,
      record.decision,
      record.at,
      record.note,
      by.operator,
      by.osUser,
      by.dbUser ?? null,
      hash,
      record.inputsSha256,
    );
    head = yield* this.#append(input, head, approvalEntry(record));
    yield* this.#insertSession(input, head, input.session);
    const approvers = (
      (yield rows(this.sql.countApprovals, workflowName, runId, nodeId, round, hash)) as {
        who: string;
      }[]
    ).map((approval) => approval.who);
    // Another decision closed this round at the same moment: this one is kept, and changes nothing.
    const decided = yield row(this.sql.attemptStatus, workflowName, runId, nodeId, round);
    if (decided !== undefined) return { kind: 'recorded', gate: 'decided-before', approvers };
    const verdict = gateVerdict(input, approvers);
    if (verdict === null) return { kind: 'recorded', gate: 'waiting', approvers };
    const attempt = yield* this.startAttempt({
      workflowName,
      runId,
      nodeId,
      startTime: input.at,
      status: 'running',
      operatorDecision: verdict.decision,
      by: input.by,
    });
    yield* this.finishAttempt({ workflowName, runId, nodeId, attempt: attempt.attempt }, verdict.attempt);
    if (verdict.run !== null) yield* this.finishRun(input, verdict.run);
    return { kind: 'recorded', gate: verdict.decision, approvers };
  }

  *claimRun(input: ClaimRunInput): Operation<boolean> {
    const expected = input.expectedOwner;
    const found = yield* this.#chainHead(input);
    if (found === null) return false;
    const changed = yield changes(
      this.sql.claimRun,
      input.trigger ?? 'resume',
      input.endTime ?? null,
      input.owner.host,
      input.owner.pid,
      input.owner.processGroup,
      input.runbookHash,
      input.workflowName,
      input.runId,
      input.expectedStatus,
      expected?.host ?? null,
      expected?.pid ?? null,
      expected?.processGroup ?? null,
    );
    if (changed !== 1) return false;
    yield changes(this.sql.saveNodeIds, input.workflowName, input.runId, JSON.stringify(input.nodeIds));
    yield* this.#keepRunbook(input.runbookHash, input.runbookText);
    let head = yield* this.#append(input, found, runClaimedEntry(input, yield* this.#identity(input.by)));
    if (input.session !== undefined) head = yield* this.#insertSession(input, head, input.session);
    return true;
  }

  *setOwnerProcessGroup(key: RunKey, processGroup: number | null): Operation<void> {
    const changed = yield changes(this.sql.setProcessGroup, processGroup, key.workflowName, key.runId);
    // No row changed: either the run has no owner (nothing to record) or it does not exist (an error).
    if (changed === 0) yield* this.requireRun(key);
  }

  *addOwnerProcessGroup(key: AttemptKey, processGroup: number): Operation<void> {
    const { workflowName, runId, nodeId, attempt } = key;
    const changed = yield changes(
      this.sql.addProcessGroup,
      processGroup,
      workflowName,
      runId,
      nodeId,
      attempt,
    );
    // No row changed: the attempt has ended (nothing to record) or does not exist (an error).
    if (changed === 0) yield* this.#requireAttempt(key);
  }

  *startAttempt(input: StartAttemptInput): Operation<AttemptRecord> {
    const { workflowName, runId } = input;
    const found = (yield row(
      this.sql.lastAttempt,
      workflowName,
      runId,
      workflowName,
      runId,
      input.nodeId,
    )) as {
      last: DriverCount | null;
    };
    if (found.last === null) throw runNotFound(input);
    const before = Number(found.last) === 0 ? undefined : yield* this.#standing(input);
    const head = yield* this.#existingHead(input);
    const by = yield* this.#identity(input.by);
    const record: AttemptRecord = {
      ...newAttemptRecord(input, Number(found.last) + 1),
      ...(by === undefined ? {} : { by }),
    };
    yield changes(
      this.sql.insertAttempt,
      record.workflowName,
      record.runId,
      record.nodeId,
      record.attempt,
      record.startTime,
      record.endTime,
      record.status,
      record.operatorDecision,
      record.durationMs,
      by?.operator ?? null,
      by?.osUser ?? null,
      by?.dbUser ?? null,
    );
    yield* this.#recount(input, before, {
      status: record.status,
      attempts: (before?.attempts ?? 0) + 1,
      last: record.attempt,
    });
    yield* this.#append(input, head, attemptStartedEntry(record, by));
    return record;
  }

  *finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Operation<void> {
    const decision = outcome.operatorDecision;
    const head = yield* this.#existingHead(key);
    const changed = yield changes(
      this.sql.finishAttempt,
      outcome.status,
      outcome.endTime,
      outcome.durationMs,
      outcome.resultText ?? null,
      outcome.exitCode ?? null,
      outcome.exception ?? null,
      outcome.stdout ?? null,
      outcome.stderr ?? null,
      encodeOutputLog(outcome.outputLog ?? null),
      outcome.ran?.command ?? null,
      outcome.ran?.params ?? null,
      outcome.ran?.cwd ?? null,
      outcome.ran == null ? null : JSON.stringify(outcome.ran.envKeys),
      // Left out, the decision given at start stays.
      decision === undefined ? 0 : 1,
      decision ?? null,
      key.workflowName,
      key.runId,
      key.nodeId,
      key.attempt,
    );
    if (changed === 0) {
      const status = yield* this.#requireAttempt(key);
      throw attemptNotRunning(key, status);
    }
    // The node's status in the run changes only when this attempt is its latest.
    const standing = yield* this.#standing(key, 'running');
    if (standing?.last === key.attempt) {
      yield* this.#recount(key, standing, { ...standing, status: outcome.status });
    }
    // In the same transaction as the outcome: an attempt is never seen ended without its outputs.
    const outputs: [string, string | null][] = [
      ...Object.entries(outcome.outputs ?? {}),
      ...(outcome.secretOutputs ?? []).map((secret): [string, null] => [secret, null]),
    ];
    for (const [position, [outputKey, value]] of outputs.entries()) {
      yield changes(
        this.sql.insertOutput,
        key.workflowName,
        key.runId,
        key.nodeId,
        key.attempt,
        position,
        outputKey,
        value,
      );
    }
    // The attempt's command, if it had one, has ended: the owner record must not name its group any more.
    yield changes(this.sql.clearProcessGroup, key.workflowName, key.runId);
    yield changes(this.sql.removeProcessGroup, key.workflowName, key.runId, key.nodeId, key.attempt);
    yield* this.#append(key, head, attemptEndedEntry(key, outcome));
  }

  *recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Operation<void> {
    const { workflowName, runId, nodeId, attempt } = key;
    const head = yield* this.#existingHead(key);
    const changed = yield changes(this.sql.recordDecision, decision, workflowName, runId, nodeId, attempt);
    // No row changed: the attempt has a decision already (kept), or it does not exist (an error).
    if (changed === 0) yield* this.#requireAttempt(key);
    else yield* this.#append(key, head, decisionEntry(key, decision, yield* this.#identity(by)));
  }

  *finishRun(key: RunKey, input: FinishRunInput): Operation<void> {
    const head = yield* this.#existingHead(key);
    const changed = yield changes(
      this.sql.finishRun,
      input.status,
      input.endTime,
      input.nodesOk,
      input.nodesNok,
      input.nodesSkipped,
      key.workflowName,
      key.runId,
    );
    if (changed === 0) throw runNotFound(key);
    yield* this.#append(key, head, runFinishedEntry(input, yield* this.#identity(input.by)));
  }

  *saveAnswer(
    key: RunKey,
    nodeId: string,
    param: string,
    value: string,
    by?: OperatorIdentity,
  ): Operation<void> {
    const head = yield* this.#existingHead(key);
    yield changes(this.sql.saveAnswer, key.workflowName, key.runId, nodeId, param, value);
    yield* this.#append(key, head, answerEntry(nodeId, param, value, yield* this.#identity(by)));
  }

  *recordRerun(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Operation<void> {
    yield* this.requireRun(key);
    const head = yield* this.#existingHead(key);
    yield changes(
      this.sql.insertRerun,
      key.workflowName,
      key.runId,
      rerun.time,
      JSON.stringify(rerun.nodeIds),
      rerun.reason,
    );
    yield* this.#append(key, head, rerunEntry(rerun, yield* this.#identity(by)));
  }

  /** `by` with the database role this store writes as; undefined when none is given. */
  *#identity(by: OperatorIdentity | undefined): Operation<OperatorIdentity | undefined> {
    if (by === undefined) return undefined;
    if (this.#dbUser === undefined) {
      const sessionUser = this.sql.sessionUser;
      const found =
        sessionUser === undefined
          ? undefined
          : ((yield row(sessionUser)) as { db_user: string | null } | undefined);
      this.#dbUser = found?.db_user ?? null;
    }
    return { operator: by.operator, osUser: by.osUser, dbUser: this.#dbUser };
  }

  *#keepRunbook(hash: string | null, text: string | undefined): Operation<void> {
    if (hash !== null && text !== undefined) yield changes(this.sql.saveRunbookText, hash, text);
  }

  /** Inserts a session (the run's row locked already) and appends its entry after `head`. */
  *#insertSession(key: RunKey, head: AuditHead | undefined, session: SessionInput): Operation<AuditHead> {
    const by = (yield* this.#identity(session.by)) as OperatorIdentity;
    const last = (yield row(this.sql.lastSession, key.workflowName, key.runId)) as {
      last: DriverCount | null;
    };
    const seq = Number(last.last ?? 0) + 1;
    yield changes(
      this.sql.insertSession,
      key.workflowName,
      key.runId,
      seq,
      session.kind,
      session.at,
      by.operator,
      by.osUser,
      by.dbUser ?? null,
      JSON.stringify(session.flags),
      session.runbookHash,
    );
    return yield* this.#append(key, head, sessionEntry(seq, { ...session, by }));
  }

  /**
   * Locks the run's row until the commit (PostgreSQL; SQLite's transaction holds the whole file) and reads the
   * head of its audit log, so that two writers can never fork the chain. A run the history held before the log
   * existed gets a `snapshot` entry first. Null when there is no such run.
   */
  *#chainHead(key: RunKey): Operation<AuditHead | undefined | null> {
    if ((yield row(this.sql.lockRunRow, key.workflowName, key.runId)) === undefined) return null;
    const head = yield* this.auditHead(key);
    if (head !== undefined) return head;
    // No entry yet: a run older than the log is chained from a snapshot of it; any other run is left without
    // one, so that a log someone removed shows up as broken rather than starting afresh.
    if ((yield row(this.sql.isUnchained, key.workflowName, key.runId)) === undefined) return undefined;
    const state = (yield* this.loadRun(key)) as RunState;
    return yield* this.#append(key, undefined, snapshotEntry(state));
  }

  /** `#chainHead` of a run that must exist. */
  *#existingHead(key: RunKey): Operation<AuditHead | undefined> {
    const head = yield* this.#chainHead(key);
    if (head === null) throw runNotFound(key);
    return head;
  }

  /** Appends the next entry of the run's chain. */
  *#append(key: RunKey, head: AuditHead | undefined, body: AuditBody): Operation<AuditHead> {
    const entry = chainEntry(key, head, body);
    yield changes(this.sql.insertAuditEntry, key.workflowName, key.runId, entry.seq, entry.entry, entry.hash);
    return { seq: entry.seq, hash: entry.hash };
  }

  /**
   * A node's standing in a run: its attempts, the number of its latest and that one's status (`latestStatus`
   * when the caller knows it already); undefined when it has no attempt.
   */
  *#standing(key: NodeInRun, latestStatus?: string): Operation<Standing | undefined> {
    const { workflowName, runId, nodeId } = key;
    const found = (yield row(this.sql.nodeInRun, workflowName, runId, nodeId)) as {
      attempts: DriverCount;
      last: DriverCount | null;
    };
    if (found.last === null) return undefined;
    const last = Number(found.last);
    const status =
      latestStatus ??
      ((yield row(this.sql.attemptStatus, workflowName, runId, nodeId, last)) as { status: string }).status;
    return { attempts: Number(found.attempts), last, status };
  }

  /**
   * Moves a run's node in `node_status_counts` from its standing `before` (undefined: it had no attempt) to
   * `after`, in the transaction of the write that changed it.
   */
  *#recount(key: NodeInRun, before: Standing | undefined, after: Standing): Operation<void> {
    const deltas = new Map<string, { runs: number; attempts: number }>([
      [after.status, { runs: 1, attempts: after.attempts }],
    ]);
    if (before !== undefined) {
      const same = deltas.get(before.status) ?? { runs: 0, attempts: 0 };
      deltas.set(before.status, { runs: same.runs - 1, attempts: same.attempts - before.attempts });
    }
    // Rows in status order: two transactions moving the same node's counts (PostgreSQL runs them at once) lock
    // its rows in one order and cannot deadlock.
    const statuses = [...deltas.keys()].sort(compareCodePoints);
    for (const status of statuses) {
      const { runs, attempts } = deltas.get(status) as { runs: number; attempts: number };
      if (runs === 0 && attempts === 0) continue;
      yield changes(this.sql.addNodeCounts, key.workflowName, key.nodeId, status, runs, attempts);
    }
  }

  /** The attempt's status; throws `ATTEMPT_NOT_FOUND`, or `RUN_NOT_FOUND` when its run does not exist either. */
  *#requireAttempt(key: AttemptKey): Operation<string> {
    const { workflowName, runId, nodeId, attempt } = key;
    const found = (yield row(this.sql.attemptStatus, workflowName, runId, nodeId, attempt)) as
      | { status: string }
      | undefined;
    if (found !== undefined) return found.status;
    yield* this.requireRun(key);
    throw attemptNotFound(key);
  }
}

/** A node of a run. */
interface NodeInRun extends RunKey {
  readonly nodeId: string;
}

/** A node's attempts in a run, the number of its latest and that one's status (the node's status in the run). */
interface Standing {
  readonly attempts: number;
  readonly last: number;
  readonly status: string;
}
