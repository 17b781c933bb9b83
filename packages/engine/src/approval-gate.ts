import type {
  ApprovalPolicy,
  ApprovalRecord,
  AttemptRecord,
  ManualNode,
  NodeStatus,
  OperatorIdentity,
  Runbook,
  RunbookNode,
  RunState,
} from '@playbook/domain';
import { approverMatches, operatorName } from './approvers.js';
import { sha256Hex } from './audit/audit-entry.js';
import { canonicalJson } from './audit/canonical-json.js';
import { EngineError } from './engine-error.js';
import { countNodes, latestAttempts, satisfies } from './node-statuses.js';
import type { Clock } from './ports/clock.js';
import type { ApprovalOutcome, RunRepository } from './ports/run-repository.js';

// Approval gates (SPEC §10.2, docs/approvals.md): which gates of a run wait, who may decide them, and recording a
// decision. The session only stops at a gate (`RunSession`); everything about deciding it lives here.

/** A Manual node with an `approval` table. */
export type GateNode = ManualNode & { readonly approval: ApprovalPolicy };

/** Whether `node` is an approval gate. */
export function isGate(node: RunbookNode): node is GateNode {
  return node.type === 'Manual' && node.approval !== undefined;
}

/** Where a gate of a run stands. */
export interface GateState {
  readonly node: GateNode;
  /**
   * `waiting`: reached and undecided; `approved` / `rejected`: its latest attempt is the decision;
   * `not-reached`: a step it depends on has not ended yet (or it ran as a plain step before it became a gate).
   */
  readonly status: 'waiting' | 'approved' | 'rejected' | 'not-reached';
  /** The round a decision now counts for: the gate's next attempt number, or its deciding attempt's. */
  readonly round: number;
  /** The decisions of this round made on `runbookHash` (others are void), oldest first. */
  readonly decisions: readonly ApprovalRecord[];
}

/** Each gate of `runbook` in `state`, in the runbook's order. `runbookHash`: the hash decisions must carry. */
export function gateStates(runbook: Runbook, state: RunState, runbookHash: string | null): GateState[] {
  const latest = latestAttempts(state.attempts);
  const statuses = new Map<string, NodeStatus>();
  for (const [nodeId, attempt] of latest) statuses.set(nodeId, attempt.status);
  const gates: GateState[] = [];
  for (const node of runbook.nodes) {
    if (!isGate(node)) continue;
    const last: AttemptRecord | undefined = latest.get(node.id);
    const decidedBy = last?.operatorDecision;
    let status: GateState['status'];
    let round = (last?.attempt ?? 0) + 1;
    if (last !== undefined && last.status === 'ok' && decidedBy === 'approved') {
      status = 'approved';
      round = last.attempt;
    } else if (state.run.status === 'waiting' && reached(node, statuses)) {
      status = 'waiting';
    } else if (last !== undefined && decidedBy === 'rejected') {
      status = 'rejected';
      round = last.attempt;
    } else {
      status = 'not-reached';
    }
    const decisions = (state.approvals ?? []).filter(
      (a) => a.nodeId === node.id && a.round === round && a.runbookHash === runbookHash,
    );
    gates.push({ node, status, round, decisions });
  }
  return gates;
}

/** Whether every step `node` depends on has ended as its `run_if` needs (SPEC §8.4). */
function reached(node: RunbookNode, statuses: ReadonlyMap<string, NodeStatus>): boolean {
  const latest = statuses.get(node.id);
  if (latest === 'ok' || latest === 'skipped' || latest === 'running') return false;
  if ((node.runIf ?? 'success') === 'success')
    return node.dependsOn.every((id) => satisfies(statuses.get(id)));
  return node.dependsOn.every((id) => {
    const status = statuses.get(id);
    return status !== undefined && status !== 'pending' && status !== 'running';
  });
}

/** "alice, bob (2 of them must approve; approved so far: alice)" — who may decide a waiting gate. */
export function whoMayApprove(gate: GateState): string {
  const { approvers, min, notStarter } = gate.node.approval;
  const approved = gate.decisions.filter((d) => d.decision === 'approve').map((d) => d.who);
  const need = min === 1 ? 'one of them must approve' : `${min} of them must approve`;
  const so = approved.length === 0 ? '' : `; approved so far: ${approved.join(', ')}`;
  const four = notStarter ? '; not whoever started or resumed the run' : '';
  return `${approvers.join(', ')} (${need}${so}${four})`;
}

/** SHA-256 of a run's stored inputs as canonical JSON (null: none), which an approval is bound to. */
export function inputsDigest(state: RunState): string | null {
  if (state.inputs === undefined || Object.keys(state.inputs).length === 0) return null;
  return sha256Hex(canonicalJson({ ...state.inputs }));
}

/**
 * Refuses to resume a run that waits at a gate nobody has decided (SPEC §10.2), saying who may approve — unless
 * the runbook changed, which voids earlier approvals: then the run is resumed so that its gates wait again,
 * bound to the new runbook.
 */
export function pendingApproval(runbook: Runbook, state: RunState): EngineError | undefined {
  const { run } = state;
  if (run.status !== 'waiting') return undefined;
  const hash = runbook.source?.hash ?? run.runbookHash;
  if (hash !== run.runbookHash) return undefined;
  const waiting = gateStates(runbook, state, hash).filter((gate) => gate.status === 'waiting');
  if (waiting.length === 0) return undefined;
  const lines = waiting.map((gate) => `"${gate.node.id}" waits for approval by ${whoMayApprove(gate)}`);
  return new EngineError(
    'APPROVAL_PENDING',
    `run ${run.runId} of "${run.workflowName}" is waiting: ${lines.join('; ')}`,
    { workflowName: run.workflowName, runId: run.runId, nodeId: waiting[0]?.node.id as string },
  );
}

/**
 * Gates approved on another runbook than the one resumed: their approvals are void and they wait again (SPEC
 * §10.2). Removes them from `statuses` so that the resume reaches them as it would a pending step.
 */
export function voidApprovals(
  runbook: Runbook,
  state: RunState,
  statuses: Map<string, NodeStatus>,
): string[] {
  const hash = runbook.source?.hash;
  if (hash === undefined) return [];
  const voided: string[] = [];
  for (const gate of gateStates(runbook, state, hash)) {
    // An approved gate has no decision of its round on this hash: they were all made on another runbook.
    if (gate.status === 'approved' && gate.decisions.length === 0) {
      statuses.delete(gate.node.id);
      voided.push(gate.node.id);
    }
  }
  return voided;
}

/** What `decideGate` is asked. */
export interface GateDecision {
  readonly runbook: Runbook;
  readonly state: RunState;
  /** The gate; may be left out when exactly one gate waits. */
  readonly nodeId?: string;
  readonly decision: 'approve' | 'reject';
  readonly note: string | null;
  readonly by: OperatorIdentity;
  /** The command line's flags, recorded with the session. */
  readonly flags: readonly string[];
  /** Called once every check passed, before the decision is recorded (`approve` shows what remains). */
  readonly beforeRecord?: (gate: GateNode, who: string) => Promise<void> | void;
}

/** What a recorded decision did, for the caller to tell. */
export interface GateDecided {
  readonly gate: GateNode;
  readonly who: string;
  readonly outcome: Extract<ApprovalOutcome, { kind: 'recorded' }>;
}

/**
 * Records an approval or a rejection of a waiting gate (SPEC §10.2) after checking who decides; throws
 * `EngineError` APPROVAL_REFUSED with the reason when it cannot be recorded: the run or the gate is not waiting,
 * the person is not an approver, started or resumed the run under `not_starter`, decided this round already, or
 * the runbook given is not the one the run waits with.
 */
export async function decideGate(
  ports: { readonly repository: RunRepository; readonly clock: Clock },
  request: GateDecision,
): Promise<GateDecided> {
  const { runbook, state } = request;
  const { run } = state;
  const key = { workflowName: run.workflowName, runId: run.runId };
  const where = `run ${run.runId} of "${run.workflowName}"`;
  const refuse = (message: string, nodeId?: string) =>
    new EngineError('APPROVAL_REFUSED', message, { ...key, ...(nodeId === undefined ? {} : { nodeId }) });
  const record = ports.repository.recordApproval?.bind(ports.repository);
  if (record === undefined) throw refuse('this run history cannot record approvals (no recordApproval)');
  if (run.status !== 'waiting') {
    throw refuse(
      `${where} is not waiting for an approval (it is ${run.status})${decidedAlready(state, request.nodeId)}`,
      request.nodeId,
    );
  }
  const hash = runbook.source?.hash ?? run.runbookHash;
  if (hash !== run.runbookHash) {
    throw refuse(
      `the runbook file changed since ${where} reached its gate: approvals are bound to the runbook it runs; resume it with the new file first (its gates then wait again), or approve without --resume`,
    );
  }
  const gates = gateStates(runbook, state, hash);
  const waiting = gates.filter((gate) => gate.status === 'waiting');
  let gate: GateState | undefined;
  if (request.nodeId === undefined) {
    if (waiting.length !== 1) {
      throw refuse(
        waiting.length === 0
          ? `${where} has no gate waiting for a decision${decidedAlready(state, undefined)}`
          : `${where} waits at ${waiting.length} gates (${waiting.map((g) => g.node.id).join(', ')}): name the one to decide`,
      );
    }
    gate = waiting[0];
  } else {
    const nodeId = request.nodeId;
    gate = gates.find((candidate) => candidate.node.id === nodeId);
    const node = runbook.nodes.find((candidate) => candidate.id === nodeId);
    if (node === undefined) throw refuse(`node "${nodeId}" is not in the runbook of ${where}`, nodeId);
    if (gate === undefined) throw refuse(`node "${nodeId}" is not an approval gate`, nodeId);
    if (gate.status !== 'waiting') {
      const why =
        gate.status === 'not-reached'
          ? 'the run has not reached it'
          : `it ${wasDecided(state, nodeId) ?? `was already ${gate.status}`}`;
      throw refuse(`node "${nodeId}" is not waiting for a decision: ${why}`, nodeId);
    }
  }
  const chosen = gate as GateState;
  const nodeId = chosen.node.id;
  const who = operatorName(request.by);
  if (who === null) {
    throw refuse('nobody is named to decide: set PLAYBOOK_OPERATOR (or config `operator`)', nodeId);
  }
  const policy = chosen.node.approval;
  if (!policy.approvers.some((approver) => approverMatches(approver, who))) {
    throw refuse(
      `${who} may not decide "${nodeId}": its approvers are ${policy.approvers.join(', ')}`,
      nodeId,
    );
  }
  if (policy.notStarter) {
    const starter = operatorName(run.startedBy);
    const resumers = (state.sessions ?? [])
      .filter((session) => session.kind === 'resume')
      .map((session) => operatorName(session.by));
    if (starter === who || resumers.includes(who)) {
      throw refuse(
        `${who} may not decide "${nodeId}": four eyes (not_starter) — ${who} ${starter === who ? 'started' : 'resumed'} this run`,
        nodeId,
      );
    }
  }
  const mine = chosen.decisions.find((decision) => decision.who === who);
  if (mine !== undefined) throw refuse(twice(who, nodeId, mine.decision), nodeId);
  await request.beforeRecord?.(chosen.node, who);
  const at = ports.clock.now().toISOString();
  // The run's counts as they will be once the gate is rejected: it counts `nok`, and the run ends `nok`.
  const statuses = new Map<string, NodeStatus>();
  for (const [id, attempt] of latestAttempts(state.attempts)) statuses.set(id, attempt.status);
  statuses.set(nodeId, 'nok');
  const outcome = await record({
    ...key,
    nodeId,
    round: chosen.round,
    who,
    decision: request.decision,
    at,
    note: request.note,
    by: request.by,
    runbookHash: run.runbookHash,
    inputsSha256: inputsDigest(state),
    min: policy.min,
    countsIfRejected: countNodes(
      runbook.nodes.map((node) => node.id),
      statuses,
    ),
    session: {
      kind: request.decision,
      at,
      by: request.by,
      flags: request.flags,
      runbookHash: run.runbookHash,
    },
  });
  if (outcome.kind === 'refused') {
    if (outcome.reason === 'twice') throw refuse(twice(who, nodeId, outcome.decision), nodeId);
    if (outcome.reason === 'runbook-changed') {
      throw refuse(`${where} was resumed with another runbook meanwhile: look at it again`, nodeId);
    }
    // Decided (and maybe resumed) by someone else between reading the run and recording: say by whom.
    const now = await ports.repository.loadRun(key).catch(() => undefined);
    const why = now === undefined ? '' : decidedAlready(now, nodeId);
    throw refuse(`${where} is not waiting for an approval any more (it is ${outcome.status})${why}`, nodeId);
  }
  return { gate: chosen.node, who, outcome };
}

function twice(who: string, nodeId: string, decision: 'approve' | 'reject'): string {
  return `${who} already ${decision === 'approve' ? 'approved' : 'rejected'} "${nodeId}": one decision per person`;
}

/**
 * `: "gate" was already approved by alice, bob` when `nodeId` (or, without it, the run's only decided gate) has
 * been decided in `state`: why a decision arriving after that is refused. Empty when there is nothing to tell.
 */
function decidedAlready(state: RunState, nodeId: string | undefined): string {
  const decided = [...latestAttempts(state.attempts).values()].filter(
    (attempt) => (nodeId === undefined || attempt.nodeId === nodeId) && isDecision(attempt),
  );
  const last = decided.length === 1 ? decided[0] : undefined;
  if (last === undefined) return '';
  return `: "${last.nodeId}" ${wasDecided(state, last.nodeId)}`;
}

/** `was already approved by alice, bob` when the latest attempt of `nodeId` is a gate's decision. */
function wasDecided(state: RunState, nodeId: string): string | undefined {
  const last = latestAttempts(state.attempts).get(nodeId);
  if (last === undefined || !isDecision(last)) return undefined;
  const verb = last.operatorDecision === 'approved' ? 'approve' : 'reject';
  const deciders = (state.approvals ?? [])
    .filter((a) => a.nodeId === nodeId && a.round === last.attempt && a.decision === verb)
    .map((a) => a.who);
  return `was already ${last.operatorDecision}${deciders.length > 0 ? ` by ${deciders.join(', ')}` : ''}`;
}

function isDecision(attempt: AttemptRecord): boolean {
  return attempt.operatorDecision === 'approved' || attempt.operatorDecision === 'rejected';
}
