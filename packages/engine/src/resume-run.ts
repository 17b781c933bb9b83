import type { NodeStatus, Runbook, RunRecord, RunState } from '@playbook/domain';
import { refuseIfAborted } from './abort-reason.js';
import { checkGivenValues } from './ask-values.js';
import { identityOf, type ResolvedSettings } from './attempt-context.js';
import { EngineError } from './engine-error.js';
import type { EnginePorts, ResumeOptions, RunOutcome } from './engine-types.js';
import { isolateListener } from './event-delivery.js';
import { finishRun } from './finish-run.js';
import { isApprovalGate } from './mark-ok.js';
import { latestAttempts, reasonOf } from './node-statuses.js';
import { planOrder } from './planner.js';
import {
  ownerLiveness,
  recordInterrupted,
  recoverStaleRun,
  staleRunRecoveredEvent,
} from './recover-stale-run.js';
import {
  changesSince,
  findResumeRun,
  finishedRunRefusal,
  nodeNotFound,
  rerunWithoutNode,
} from './resume-checks.js';
import { planResume } from './resume-plan.js';
import { RunSession, type SessionEnd, type SessionInit } from './run-session.js';

/** How often a run another process is ending is read again. */
const ENDING_POLL_MS = 25;
/** How long, past the kill grace period, resume waits for another process to finish ending a run. */
const ENDING_WAIT_MS = 15_000;

/** Continues a run in place: same run id, trigger `resume`, attempt numbers continuing. */
export async function resumeRun(
  ports: EnginePorts,
  settings: ResolvedSettings,
  runbook: Runbook,
  options: ResumeOptions,
): Promise<RunOutcome> {
  const workflowName = runbook.meta.title;
  const plan = planOrder(runbook);
  checkGivenValues(runbook, options.values);
  const withoutNode = rerunWithoutNode(workflowName, options);
  if (withoutNode !== undefined) throw withoutNode;
  if (options.fromNode !== undefined && !plan.includes(options.fromNode)) {
    const state = await findRun(ports, workflowName, options.runId).catch(() => undefined);
    throw nodeNotFound(workflowName, options.fromNode, state?.run);
  }
  refuseIfAborted(options.signal, workflowName, options.runId);
  const deliver = isolateListener(options.onEvent);
  const waitMs = settings.killGraceMs + ENDING_WAIT_MS;
  let state = await untilEnded(ports, await findRun(ports, workflowName, options.runId), waitMs);
  checkRerun(ports, state.run, options);
  // Loaded only for a runbook with approval gates: a run of any other never needs it.
  const gates = runbook.nodes.some(isApprovalGate) ? await import('./approval-gate.js') : undefined;
  // A gate nobody has decided yet: there is nothing to continue (SPEC §10.2).
  const pending = gates?.pendingApproval(runbook, state);
  if (pending !== undefined) throw pending;
  await checkResumable(ports, state.run, options.rerun !== undefined);
  if (state.run.status === 'running') {
    // Its owner died without cleaning up: end it `aborted` as any later command would (the same code), then
    // resume that. Losing the race to another recovery is fine (it is waited for); to another resume, the run
    // is now theirs.
    const recovery = await recoverStaleRun(ports, state.run, { killGraceMs: settings.killGraceMs });
    if (recovery.recovered) deliver(staleRunRecoveredEvent(recovery));
    state = await untilEnded(ports, await findRun(ports, workflowName, state.run.runId), waitMs);
    if (state.run.status === 'running') {
      await checkResumable(ports, state.run, options.rerun !== undefined);
      throw claimLost(state.run);
    }
  }
  const { run } = state;

  const startedAt = ports.clock.now();
  const by = identityOf(ports);
  const runbookHash = runbook.source?.hash ?? null;
  const claimed = await ports.repository.claimRun({
    workflowName,
    runId: run.runId,
    expectedStatus: run.status,
    expectedOwner: run.owner,
    owner: { host: ports.processTable.host, pid: ports.processTable.pid, processGroup: null },
    nodeIds: plan,
    runbookHash,
    by,
    session: { kind: 'resume', at: startedAt.toISOString(), by, flags: options.flags ?? [], runbookHash },
    ...(runbook.source?.text === undefined ? {} : { runbookText: runbook.source.text }),
  });
  if (!claimed) throw claimLost(run);

  // An attempt an earlier session left `running` while ending the run (a port failed midway) ended with it.
  const attempts = await recordInterrupted(ports, state.attempts, startedAt);

  const statuses = new Map<string, NodeStatus>();
  const reasons = new Map<string, string>();
  // What earlier sessions' steps produced is remembered (SPEC §8.3); secret outputs were never stored.
  const outputs = new Map<string, Readonly<Record<string, string>>>();
  // Skips decided by run_if stay decided, and still skip their `success` dependents (SPEC §8.4).
  const runIfSkipped: string[] = [];
  // Secret outputs an `ok` step produced in an earlier session: asked again when a step reads one.
  const secretsNotKept: { step: string; key: string }[] = [];
  // A set: `plan.includes` per attempt is quadratic, minutes on a runbook of 100,000 steps.
  const inPlan = new Set(plan);
  for (const [nodeId, attempt] of latestAttempts(attempts)) {
    if (!inPlan.has(nodeId)) continue;
    statuses.set(nodeId, attempt.status);
    if (attempt.status === 'skipped' && attempt.operatorDecision === 'run_if') runIfSkipped.push(nodeId);
    if (attempt.status === 'nok') reasons.set(nodeId, reasonOf(attempt));
    if (attempt.outputs !== undefined && Object.keys(attempt.outputs).length > 0) {
      outputs.set(nodeId, attempt.outputs);
    }
    if (attempt.status === 'ok' && attempt.secretOutputs !== undefined) {
      for (const key of attempt.secretOutputs) secretsNotKept.push({ step: nodeId, key });
    }
  }
  // Approvals made on another runbook are void: those gates wait again.
  gates?.voidApprovals(runbook, state, statuses);
  const answers = new Map(
    Object.entries(state.answers).map(([nodeId, params]) => [nodeId, new Map(Object.entries(params))]),
  );
  const init: SessionInit = {
    ports,
    settings,
    runbook,
    options,
    run: { workflowName, runId: run.runId },
    plan,
    statuses,
    reasons,
    answers,
    deliver,
    outputs,
    trigger: 'resume',
    runIfSkipped,
    secretsNotKept,
  };
  const session = new RunSession(init);
  const resumePlan = planResume(runbook, plan, statuses, options.fromNode, options.rerun);
  const toRun = new Set(resumePlan.toRun);
  const changes = await changesSince(run, runbook, plan, options.previousRunbook);

  return finishRun(session, init, startedAt, async (): Promise<SessionEnd> => {
    if (options.rerun !== undefined) {
      // Recorded before any step runs again, so the history says why a finished run is running.
      const reason = options.reason?.trim() ?? '';
      await ports.repository.recordRerun?.(
        { workflowName, runId: run.runId },
        { time: startedAt.toISOString(), nodeIds: resumePlan.toRun, reason: reason === '' ? null : reason },
        identityOf(ports),
      );
    }
    // The run is announced first, so the operator knows which run a question is about. Repeatable nodes
    // already ok are listed as kept: they run again only when the operator says so, never without one.
    session.emit({
      type: 'run-started',
      trigger: 'resume',
      operator: by,
      plan,
      kept: plan
        .filter((id) => !toRun.has(id))
        .map((nodeId) => ({ nodeId, status: statuses.get(nodeId) ?? 'pending' })),
      ...(changes === undefined ? {} : { changes }),
    });
    if (options.interactive) {
      for (const nodeId of resumePlan.repeatable) {
        const node = runbook.nodes.find((candidate) => candidate.id === nodeId);
        if (node === undefined) continue;
        const answer = await session.prompt(nodeId, 'confirm-repeat', () =>
          ports.prompter.confirmRepeat({ node }),
        );
        if (answer.kind === 'answer') {
          if (answer.value) toRun.add(nodeId);
          continue;
        }
        const reason =
          answer.kind === 'interrupted' ? 'interrupted' : `no answer to "run it again?": ${answer.reason}`;
        return {
          status: 'aborted',
          interrupted: answer.kind === 'interrupted',
          failed: { nodeId, name: node.name, reason },
        };
      }
    }
    return session.execute(toRun);
  });
}

/** The run a resume takes (`findResumeRun`), read through the engine's repository. */
function findRun(ports: EnginePorts, workflowName: string, runId: number | undefined): Promise<RunState> {
  return findResumeRun(ports.repository, workflowName, runId);
}

/**
 * The run once no other process is ending it. A process that found it `running` with its owner gone (a `show`
 * right after a crash) holds it while it stops the orphaned command and records the run `aborted`; that takes
 * up to its kill grace period. Taking that process for a live driver would refuse the resume, so it is waited
 * for, up to `waitMs`, and the run read again.
 */
async function untilEnded(ports: EnginePorts, state: RunState, waitMs: number): Promise<RunState> {
  let current = state;
  for (let waited = 0; waited < waitMs; waited += ENDING_POLL_MS) {
    if ((await ownerLiveness(current.run, ports)) !== 'ending') return current;
    await new Promise((resolve) => setTimeout(resolve, ENDING_POLL_MS));
    current = await findRun(ports, current.run.workflowName, current.run.runId);
  }
  return current;
}

/**
 * A re-run of steps of a run that ended `ok` is "redo this step" after the fact (SPEC §9.4): it needs the run's
 * explicit id and a reason (`finishedRunRefusal`), and a repository that records them.
 */
function checkRerun(ports: EnginePorts, run: RunRecord, options: ResumeOptions): void {
  if (options.rerun === undefined) return;
  const where = `run ${run.runId} of "${run.workflowName}"`;
  const details = { workflowName: run.workflowName, runId: run.runId };
  const refusal = finishedRunRefusal(run, options);
  if (refusal !== undefined) throw refusal;
  if (run.status === 'ok' && ports.repository.recordRerun === undefined) {
    throw new EngineError(
      'RERUN_REFUSED',
      `${where} ended ok, and this run history cannot record a re-run (no recordRerun)`,
      details,
    );
  }
}

/**
 * Refuses a run that ended ok (unless steps of it are re-run on purpose), or that a live process (or one that
 * cannot be checked) is driving or ending.
 */
async function checkResumable(ports: EnginePorts, run: RunRecord, rerun = false): Promise<void> {
  const where = `run ${run.runId} of "${run.workflowName}"`;
  const details = { workflowName: run.workflowName, runId: run.runId };
  if (run.status === 'ok' && !rerun) throw finishedRunRefusal(run, {});
  const liveness = await ownerLiveness(run, ports);
  if (run.owner === null || liveness === 'stale' || liveness === 'not-running') return;
  const { host, pid } = run.owner;
  if (liveness === 'ending') {
    throw new EngineError(
      'RUN_IN_PROGRESS',
      `${where} is being recorded as aborted by process ${pid} on host ${host} (its owner is gone); try again once it is`,
      details,
    );
  }
  if (liveness === 'other-host') {
    throw new EngineError(
      'RUN_IN_PROGRESS',
      `${where} is running, driven by process ${pid} on host ${host}; whether it is still alive cannot be checked from host ${ports.processTable.host}, so it is not taken over`,
      details,
    );
  }
  throw new EngineError(
    'RUN_IN_PROGRESS',
    `${where} is still running, driven by live process ${pid} on host ${host}`,
    details,
  );
}

function claimLost(run: RunRecord): EngineError {
  return new EngineError(
    'RUN_CLAIM_LOST',
    `run ${run.runId} of "${run.workflowName}" was taken over by another process while this one was starting`,
    { workflowName: run.workflowName, runId: run.runId },
  );
}
