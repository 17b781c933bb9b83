import type {
  ApprovalRecord,
  AttemptKey,
  AttemptRecord,
  RunKey,
  RunOwner,
  RunRecord,
  RunState,
  RunStatus,
  StoredInputValue,
} from '@playbook/domain';
import { newAttemptRecord } from '../attempt-record.js';
import {
  type AuditBody,
  type AuditEntry,
  type AuditHead,
  type AuditLog,
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
} from '../audit/audit-entry.js';
import { gateVerdict } from '../gate-verdict.js';
import { compareCodePoints } from '../name-order.js';
import type { OperatorIdentity, SessionInput, SessionRecord, WhatRan } from '../ports/identity.js';
import type { DatabaseInfo, NodeStatusCount, RunHistory, WorkflowSummary } from '../ports/run-history.js';
import type {
  ApprovalOutcome,
  AttemptOutcome,
  ClaimRunInput,
  CreateRunInput,
  FinishRunInput,
  RecordApprovalInput,
  RerunRecord,
  RunRepository,
  StartAttemptInput,
} from '../ports/run-repository.js';
import { attemptNotFound, attemptNotRunning, runNotFound } from '../ports/run-repository-error.js';
import { countNodeStatuses } from './count-node-statuses.js';

interface StoredRun {
  record: RunRecord;
  /** In the order they were written: ties on start time keep this order. */
  attempts: AttemptRecord[];
  answers: Map<string, Map<string, string>>;
  reruns: RerunRecord[];
  inputs: Readonly<Record<string, StoredInputValue>>;
  sessions: SessionRecord[];
  approvals: ApprovalRecord[];
  /** Its audit log (SPEC §10.3), appended with each change. */
  audit: AuditEntry[];
  /** The process groups of commands running side by side, by `<node id> <attempt>` (`addOwnerProcessGroup`). */
  processGroups?: Map<string, number>;
}

/**
 * A `RunRepository` and `RunHistory` held in memory, for tests and for library users who need no history that
 * outlives the process. Every record it returns is a copy, so callers cannot change what it stores behind its
 * back.
 */
export class InMemoryRunRepository implements RunRepository, RunHistory {
  /** workflow name → run id → run. */
  readonly #workflows = new Map<string, Map<number, StoredRun>>();

  readonly path = '(in memory)';
  /** Runbook texts by hash. */
  readonly #runbooks = new Map<string, string>();

  async createRun(input: CreateRunInput): Promise<RunRecord> {
    let runs = this.#workflows.get(input.workflowName);
    if (runs === undefined) {
      runs = new Map();
      this.#workflows.set(input.workflowName, runs);
    }
    const runId = runs.size + 1;
    const record: RunRecord = {
      workflowName: input.workflowName,
      runId,
      startTime: input.startTime,
      endTime: null,
      status: 'running',
      nodesOk: 0,
      nodesNok: 0,
      nodesSkipped: 0,
      trigger: 'run',
      owner: copyOwner(input.owner),
      runbookHash: input.runbookHash,
      nodeIds: [...input.nodeIds],
      ...(input.by === undefined ? {} : { startedBy: identity(input.by) }),
    };
    const stored: StoredRun = {
      record,
      attempts: [],
      answers: new Map(),
      sessions: [],
      approvals: [],
      audit: [],
      reruns: [],
      inputs: { ...input.inputs },
    };
    runs.set(runId, stored);
    append(stored, runCreatedEntry(input, input.by === undefined ? undefined : identity(input.by)));
    this.#keepSession(stored, input.session, input.runbookHash, input.runbookText);
    return copyRun(record);
  }

  async loadRun(key: RunKey): Promise<RunState | undefined> {
    const stored = this.#find(key);
    if (stored === undefined) return undefined;
    const answers: Record<string, Record<string, string>> = {};
    for (const [nodeId, params] of stored.answers) answers[nodeId] = Object.fromEntries(params);
    // A stable sort: attempts that started at the same instant stay in the order they were written.
    const attempts = stored.attempts
      .map((attempt, index) => ({ attempt, index }))
      .sort((a, b) => compareCodePoints(a.attempt.startTime, b.attempt.startTime) || a.index - b.index)
      .map(({ attempt }) => copyAttempt(attempt));
    const sessions = stored.sessions.map((session) => ({ ...session, flags: [...session.flags] }));
    const groups = [...(stored.processGroups?.entries() ?? [])].sort(([a], [b]) => compareCodePoints(a, b));
    const approvals = stored.approvals.map((approval) => ({ ...approval, by: { ...approval.by } }));
    const state = {
      run: copyRun(stored.record),
      attempts,
      answers,
      ...(sessions.length === 0 ? {} : { sessions }),
      ...(groups.length === 0 ? {} : { processGroups: groups.map(([, group]) => group) }),
      ...(approvals.length === 0 ? {} : { approvals }),
    };
    const names = Object.keys(stored.inputs).sort(compareCodePoints);
    if (names.length === 0) return state;
    return {
      ...state,
      inputs: Object.fromEntries(names.map((name) => [name, stored.inputs[name] as StoredInputValue])),
    };
  }

  async auditLog(key: RunKey): Promise<AuditLog> {
    // Nothing here predates the log.
    return { entries: (this.#find(key)?.audit ?? []).map((entry) => ({ ...entry })), unchained: false };
  }

  async auditHead(key: RunKey): Promise<AuditHead | undefined> {
    const last = this.#find(key)?.audit.at(-1);
    return last === undefined ? undefined : { seq: last.seq, hash: last.hash };
  }

  /** The runbook text stored for `hash`, or undefined. */
  async runbookText(hash: string): Promise<string | undefined> {
    return this.#runbooks.get(hash);
  }

  async findLatestRun(workflowName: string, statuses?: readonly RunStatus[]): Promise<RunRecord | undefined> {
    const runs = this.#workflows.get(workflowName);
    if (runs === undefined) return undefined;
    for (let runId = runs.size; runId >= 1; runId--) {
      const record = runs.get(runId)?.record;
      if (record !== undefined && (statuses === undefined || statuses.includes(record.status))) {
        return copyRun(record);
      }
    }
    return undefined;
  }

  async listRunningRuns(workflowName?: string): Promise<RunRecord[]> {
    const names = workflowName === undefined ? this.#workflowNames() : [workflowName];
    const running: RunRecord[] = [];
    for (const name of names) {
      const runs = this.#workflows.get(name);
      if (runs === undefined) continue;
      for (let runId = 1; runId <= runs.size; runId++) {
        const record = runs.get(runId)?.record;
        if (record?.status === 'running') running.push(copyRun(record));
      }
    }
    return running;
  }

  async claimRun(input: ClaimRunInput): Promise<boolean> {
    const stored = this.#find(input);
    if (stored === undefined) return false;
    const current = stored.record;
    if (current.status !== input.expectedStatus || !sameOwner(current.owner, input.expectedOwner))
      return false;
    stored.record = {
      ...current,
      status: 'running',
      trigger: input.trigger ?? 'resume',
      endTime: input.endTime ?? null,
      owner: copyOwner(input.owner),
      nodeIds: [...input.nodeIds],
      runbookHash: input.runbookHash,
    };
    append(stored, runClaimedEntry(input, input.by === undefined ? undefined : identity(input.by)));
    this.#keepSession(stored, input.session, input.runbookHash, input.runbookText);
    return true;
  }

  async setOwnerProcessGroup(key: RunKey, processGroup: number | null): Promise<void> {
    const stored = this.#get(key);
    const owner = stored.record.owner;
    // A run nobody owns has no command running: there is nothing to record.
    if (owner === null) return;
    stored.record = { ...stored.record, owner: { ...owner, processGroup } };
  }

  async addOwnerProcessGroup(key: AttemptKey, processGroup: number): Promise<void> {
    const stored = this.#get(key);
    const attempt = stored.attempts.find((a) => a.nodeId === key.nodeId && a.attempt === key.attempt);
    if (attempt === undefined) throw attemptNotFound(key);
    // An attempt that has ended has no command running any more: there is nothing to record.
    if (attempt.status !== 'running') return;
    stored.processGroups ??= new Map();
    stored.processGroups.set(`${key.nodeId} ${key.attempt}`, processGroup);
  }

  async startAttempt(input: StartAttemptInput): Promise<AttemptRecord> {
    const stored = this.#get(input);
    let highest = 0;
    for (const attempt of stored.attempts) {
      if (attempt.nodeId === input.nodeId && attempt.attempt > highest) highest = attempt.attempt;
    }
    const record: AttemptRecord = {
      ...newAttemptRecord(input, highest + 1),
      ...(input.by === undefined ? {} : { by: identity(input.by) }),
    };
    stored.attempts.push(record);
    append(stored, attemptStartedEntry(record, record.by ?? undefined));
    return { ...record };
  }

  async finishAttempt(key: AttemptKey, outcome: AttemptOutcome): Promise<void> {
    const stored = this.#get(key);
    const index = stored.attempts.findIndex((a) => a.nodeId === key.nodeId && a.attempt === key.attempt);
    const current = stored.attempts[index];
    if (current === undefined) throw attemptNotFound(key);
    if (current.status !== 'running') throw attemptNotRunning(key, current.status);
    stored.attempts[index] = {
      ...current,
      status: outcome.status,
      endTime: outcome.endTime,
      durationMs: outcome.durationMs,
      operatorDecision: outcome.operatorDecision ?? current.operatorDecision,
      resultText: outcome.resultText ?? null,
      exitCode: outcome.exitCode ?? null,
      exception: outcome.exception ?? null,
      stdout: outcome.stdout ?? null,
      stderr: outcome.stderr ?? null,
      // A copy, as a database would keep: the caller's object may change after.
      ...(outcome.outputs === undefined || Object.keys(outcome.outputs).length === 0
        ? {}
        : { outputs: Object.fromEntries(Object.entries(outcome.outputs)) }),
      ...(outcome.secretOutputs === undefined || outcome.secretOutputs.length === 0
        ? {}
        : { secretOutputs: [...outcome.secretOutputs] }),
      // Only where there is one, as the SQL adapters read it back.
      ...(outcome.outputLog == null ? {} : { outputLog: outcome.outputLog }),
      ...(outcome.ran == null ? {} : { ran: copyRan(outcome.ran) }),
    };
    // The attempt's command, if it had one, has ended: the owner record must not name its group any more.
    const owner = stored.record.owner;
    if (owner !== null && owner.processGroup !== null) {
      stored.record = { ...stored.record, owner: { ...owner, processGroup: null } };
    }
    stored.processGroups?.delete(`${key.nodeId} ${key.attempt}`);
    append(stored, attemptEndedEntry(key, outcome));
  }

  async recordApproval(input: RecordApprovalInput): Promise<ApprovalOutcome> {
    const stored = this.#get(input);
    const { status, runbookHash } = stored.record;
    if (status !== 'waiting') return { kind: 'refused', reason: 'not-waiting', status };
    if (runbookHash !== input.runbookHash) return { kind: 'refused', reason: 'runbook-changed', runbookHash };
    const ofRound = stored.approvals.filter(
      (a) => a.nodeId === input.nodeId && a.round === input.round && a.runbookHash === input.runbookHash,
    );
    const before = ofRound.find((a) => a.who === input.who);
    if (before !== undefined) return { kind: 'refused', reason: 'twice', decision: before.decision };
    const record: ApprovalRecord = {
      seq: stored.approvals.length + 1,
      nodeId: input.nodeId,
      round: input.round,
      who: input.who,
      decision: input.decision,
      at: input.at,
      note: input.note,
      by: identity(input.by),
      runbookHash: input.runbookHash,
      inputsSha256: input.inputsSha256,
    };
    stored.approvals.push(record);
    append(stored, approvalEntry(record));
    this.#keepSession(stored, input.session, null, undefined);
    const approvers = [...ofRound, record].filter((a) => a.decision === 'approve').map((a) => a.who);
    const decided = stored.attempts.some((a) => a.nodeId === input.nodeId && a.attempt === input.round);
    if (decided) return { kind: 'recorded', gate: 'decided-before', approvers };
    const verdict = gateVerdict(input, approvers);
    if (verdict === null) return { kind: 'recorded', gate: 'waiting', approvers };
    // Called before any await: the attempt is written before another decision can look for it.
    const started = this.startAttempt({
      ...input,
      startTime: input.at,
      status: 'running',
      operatorDecision: verdict.decision,
      by: input.by,
    });
    const { attempt } = await started;
    await this.finishAttempt(
      { workflowName: input.workflowName, runId: input.runId, nodeId: input.nodeId, attempt },
      verdict.attempt,
    );
    if (verdict.run !== null) await this.finishRun(input, verdict.run);
    return { kind: 'recorded', gate: verdict.decision, approvers };
  }

  async recordDecision(key: AttemptKey, decision: string, by?: OperatorIdentity): Promise<void> {
    const stored = this.#get(key);
    const index = stored.attempts.findIndex((a) => a.nodeId === key.nodeId && a.attempt === key.attempt);
    const current = stored.attempts[index];
    if (current === undefined) throw attemptNotFound(key);
    if (current.operatorDecision !== null) return;
    stored.attempts[index] = { ...current, operatorDecision: decision };
    append(stored, decisionEntry(key, decision, by === undefined ? undefined : identity(by)));
  }

  async finishRun(key: RunKey, input: FinishRunInput): Promise<void> {
    const stored = this.#get(key);
    stored.record = {
      ...stored.record,
      status: input.status,
      endTime: input.endTime,
      nodesOk: input.nodesOk,
      nodesNok: input.nodesNok,
      nodesSkipped: input.nodesSkipped,
      owner: null,
    };
    append(stored, runFinishedEntry(input, input.by === undefined ? undefined : identity(input.by)));
  }

  async saveAnswer(
    key: RunKey,
    nodeId: string,
    param: string,
    value: string,
    by?: OperatorIdentity,
  ): Promise<void> {
    const stored = this.#get(key);
    append(stored, answerEntry(nodeId, param, value, by === undefined ? undefined : identity(by)));
    let params = stored.answers.get(nodeId);
    if (params === undefined) {
      params = new Map();
      stored.answers.set(nodeId, params);
    }
    params.set(param, value);
  }

  async recordRerun(key: RunKey, rerun: RerunRecord, by?: OperatorIdentity): Promise<void> {
    const stored = this.#get(key);
    stored.reruns.push({ ...rerun, nodeIds: [...rerun.nodeIds] });
    append(stored, rerunEntry(rerun, by === undefined ? undefined : identity(by)));
  }

  async listReruns(key: RunKey): Promise<RerunRecord[]> {
    return this.#get(key).reruns.map((rerun) => ({ ...rerun, nodeIds: [...rerun.nodeIds] }));
  }

  async listWorkflows(): Promise<WorkflowSummary[]> {
    const summaries: WorkflowSummary[] = [];
    for (const name of this.#workflowNames()) {
      const runs = this.#workflows.get(name);
      const latest = runs?.get(runs.size)?.record;
      if (runs === undefined || latest === undefined) continue;
      const runsByStatus: Record<RunStatus, number> = { running: 0, ok: 0, nok: 0, aborted: 0, waiting: 0 };
      for (const { record } of runs.values()) runsByStatus[record.status] += 1;
      summaries.push({ workflowName: name, runCount: runs.size, runsByStatus, latestRun: copyRun(latest) });
    }
    return summaries;
  }

  async listRuns(workflowName: string): Promise<RunRecord[]> {
    const runs = this.#workflows.get(workflowName);
    const records: RunRecord[] = [];
    for (let runId = runs?.size ?? 0; runId >= 1; runId--) {
      const record = runs?.get(runId)?.record;
      if (record !== undefined) records.push(copyRun(record));
    }
    return records;
  }

  async nodeStatusCounts(workflowName: string): Promise<NodeStatusCount[]> {
    const runs = this.#workflows.get(workflowName)?.values() ?? [];
    return countNodeStatuses(Array.from(runs, (run) => run.attempts));
  }

  async databaseInfo(): Promise<DatabaseInfo> {
    return { path: this.path, sizeBytes: 0, schemaVersion: 0 };
  }

  schemaDdl(): string {
    return '';
  }

  #keepSession(
    stored: StoredRun,
    session: SessionInput | undefined,
    hash: string | null,
    text: string | undefined,
  ): void {
    if (hash !== null && text !== undefined && !this.#runbooks.has(hash)) this.#runbooks.set(hash, text);
    if (session === undefined) return;
    const seq = stored.sessions.length + 1;
    stored.sessions.push({ ...session, by: identity(session.by), flags: [...session.flags], seq });
    append(stored, sessionEntry(seq, { ...session, by: identity(session.by) }));
  }

  #workflowNames(): string[] {
    return [...this.#workflows.keys()].sort(compareCodePoints);
  }

  #find(key: RunKey): StoredRun | undefined {
    return this.#workflows.get(key.workflowName)?.get(key.runId);
  }

  #get(key: RunKey): StoredRun {
    const stored = this.#find(key);
    if (stored === undefined) throw runNotFound(key);
    return stored;
  }
}

function copyOwner(owner: RunOwner): RunOwner {
  return { host: owner.host, pid: owner.pid, processGroup: owner.processGroup };
}

function copyRun(record: RunRecord): RunRecord {
  return {
    ...record,
    owner: record.owner === null ? null : copyOwner(record.owner),
    nodeIds: [...record.nodeIds],
  };
}

/** Appends the next entry of the run's audit chain. */
function append(stored: StoredRun, body: AuditBody): void {
  const last = stored.audit.at(-1);
  stored.audit.push(chainEntry(stored.record, last === undefined ? undefined : last, body));
}

/** An identity as stored: this store has no database role. */
function identity(by: OperatorIdentity): OperatorIdentity {
  return { operator: by.operator, osUser: by.osUser, dbUser: null };
}

function copyRan(ran: WhatRan): WhatRan {
  return { ...ran, envKeys: [...ran.envKeys] };
}

function sameOwner(a: RunOwner | null, b: RunOwner | null): boolean {
  if (a === null || b === null) return a === b;
  return a.host === b.host && a.pid === b.pid && a.processGroup === b.processGroup;
}

/** An attempt with its own copies of its outputs: a caller that changes them changes nothing stored. */
function copyAttempt(attempt: AttemptRecord): AttemptRecord {
  const copy: { -readonly [K in keyof AttemptRecord]: AttemptRecord[K] } = { ...attempt };
  if (attempt.outputs !== undefined) copy.outputs = { ...attempt.outputs };
  if (attempt.secretOutputs !== undefined) copy.secretOutputs = [...attempt.secretOutputs];
  return copy;
}
