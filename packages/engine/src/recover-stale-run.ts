import type { AttemptRecord, NodeStatus, RunKey, RunOwner, RunRecord } from '@playbook/domain';
import { DEFAULT_KILL_GRACE_MS } from './defaults.js';
import type { EnginePorts } from './engine-types.js';
import type { StaleRunRecoveredEvent } from './events.js';
import { countNodes, latestAttempts } from './node-statuses.js';
import type { ProcessTable } from './ports/process-runner.js';

/** The ports a recovery needs: no prompter, runner or loader, so `show` and `info` can recover too. */
export type RecoveryPorts = Pick<EnginePorts, 'repository' | 'processTable' | 'clock'>;

export interface RecoveryOptions {
  /** SIGTERM → SIGKILL grace when stopping the orphaned process group; default 2000. */
  readonly killGraceMs?: number;
}

export interface RecoverStaleRunsOptions extends RecoveryOptions {
  /** Told of each run recovered, as the engine tells its listener before a run starts. */
  readonly onRecovered?: (event: StaleRunRecoveredEvent) => void;
}

/**
 * What a `running` run's owner looks like from this process: `stale` when it is gone (dead on this host, or
 * never recorded), `live-owner` when it still runs here, `other-host` when it cannot be checked from here,
 * `ending` when a live owner is only recording the run's end (another process recovering it: it has set the
 * run's end time). Any other status is `not-running`.
 */
export type RunLiveness = 'stale' | 'live-owner' | 'other-host' | 'ending' | 'not-running';

/** Why `recoverStaleRun` left a run alone. */
export type NotRecoveredReason = Exclude<RunLiveness, 'stale'> | 'not-found' | 'claim-lost';

export type RecoveryResult =
  /**
   * The run was taken over and ended `aborted`; `run` is as written, `interrupted` the attempts it ended,
   * `previousOwner` the dead owner it had (null when none was recorded).
   */
  | {
      readonly recovered: true;
      readonly run: RunRecord;
      /** When it was recovered: the run's new end time (ISO-8601, from the `Clock` port). */
      readonly recoveredAt: string;
      readonly interrupted: readonly AttemptRecord[];
      readonly previousOwner: RunOwner | null;
    }
  /** Left alone; `run` is the run as read (absent when there is none). */
  | { readonly recovered: false; readonly reason: NotRecoveredReason; readonly run?: RunRecord };

/** Whether `run` is `running` with its owner gone, as far as this host can tell (SPEC §2.5). */
export function runLiveness(run: RunRecord, processTable: ProcessTable): RunLiveness {
  if (run.status !== 'running') return 'not-running';
  // A running run without owner (a prototype's, or one whose owner record was lost) has nobody to wait for.
  if (run.owner === null) return 'stale';
  if (run.owner.host !== processTable.host) return 'other-host';
  if (!processTable.isAlive(run.owner.pid)) return 'stale';
  return run.endTime === null ? 'live-owner' : 'ending';
}

/**
 * `runLiveness`, with an owner on another host judged by the repository's lease when it keeps one
 * (`ownerLeaseExpired`): an expired lease means that owner stopped renewing it, so the run is `stale`.
 */
export async function ownerLiveness(
  run: RunRecord,
  ports: Pick<RecoveryPorts, 'repository' | 'processTable'>,
): Promise<RunLiveness> {
  const liveness = runLiveness(run, ports.processTable);
  if (liveness !== 'other-host' || ports.repository.ownerLeaseExpired === undefined) return liveness;
  if (await ports.repository.ownerLeaseExpired(run)) return 'stale';
  return run.endTime === null ? 'other-host' : 'ending';
}

/**
 * Ends a run whose owner died without cleaning up (`kill -9`, a power cut): takes it over with a
 * compare-and-set claim (of two recoveries one wins, and a live owner is never touched), stops the orphaned
 * process group if one is recorded, writes the attempts left `running` as `nok` / "interrupted", and finishes
 * the run `aborted` with its node counts (clearing the owner). A run that is not stale is left alone.
 */
export async function recoverStaleRun(
  ports: RecoveryPorts,
  key: RunKey,
  options: RecoveryOptions = {},
): Promise<RecoveryResult> {
  const state = await ports.repository.loadRun(key);
  if (state === undefined) return { recovered: false, reason: 'not-found' };
  const { run } = state;
  const liveness = await ownerLiveness(run, ports);
  if (liveness !== 'stale') return { recovered: false, reason: liveness, run };

  // The orphan's process group stays recorded under the new owner until the attempts are ended: should this
  // process die midway, the next recovery still finds the group to stop. A group on another host (an expired
  // lease) cannot be stopped from here, and its number means nothing on this one: it is not carried over.
  const onThisHost = run.owner === null || run.owner.host === ports.processTable.host;
  const orphanGroup = onThisHost ? (run.owner?.processGroup ?? null) : null;
  // The end time is written with the claim: until the run is written `aborted`, other processes see that it
  // is being ended, not driven, and wait (a resume started next to the `show` recovering the run).
  const now = ports.clock.now();
  const claimed = await ports.repository.claimRun({
    workflowName: run.workflowName,
    runId: run.runId,
    expectedStatus: 'running',
    expectedOwner: run.owner,
    owner: { host: ports.processTable.host, pid: ports.processTable.pid, processGroup: orphanGroup },
    nodeIds: run.nodeIds,
    runbookHash: run.runbookHash,
    trigger: run.trigger,
    endTime: now.toISOString(),
  });
  if (!claimed) return { recovered: false, reason: 'claim-lost', run };

  // Steps run side by side (SPEC §9.1) each left their group, recorded under their attempt: every one is stopped,
  // all at once, so the grace period is waited once rather than once per group.
  const orphans = new Set<number>(onThisHost ? (state.processGroups ?? []) : []);
  if (orphanGroup !== null) orphans.add(orphanGroup);
  await Promise.all(
    [...orphans].map((group) =>
      ports.processTable.killGroup(group, options.killGraceMs ?? DEFAULT_KILL_GRACE_MS),
    ),
  );
  // Its commands' output files may hold what a step handed to the next (a token): they go too.
  if (onThisHost && run.owner !== null) await ports.processTable.removeLeftovers?.(run.owner.pid);
  const attempts = await recordInterrupted(ports, state.attempts, now);

  const statuses = new Map<string, NodeStatus>();
  for (const [nodeId, attempt] of latestAttempts(attempts)) statuses.set(nodeId, attempt.status);
  // Counted over the run's node ids; a run that has none recorded (a prototype's) counts the nodes it ran.
  const nodeIds = run.nodeIds.length > 0 ? run.nodeIds : [...statuses.keys()];
  const counts = countNodes(nodeIds, statuses);
  const end = {
    status: 'aborted',
    endTime: now.toISOString(),
    nodesOk: counts.ok,
    nodesNok: counts.nok,
    nodesSkipped: counts.skipped,
  } as const;
  await ports.repository.finishRun({ workflowName: run.workflowName, runId: run.runId }, end);
  // recordInterrupted hands back the very records it did not change.
  const interrupted = attempts.filter((attempt, index) => attempt !== state.attempts[index]);
  return {
    recovered: true,
    run: {
      ...run,
      status: 'aborted',
      endTime: end.endTime,
      nodesOk: counts.ok,
      nodesNok: counts.nok,
      nodesSkipped: counts.skipped,
      owner: null,
    },
    recoveredAt: end.endTime,
    interrupted,
    previousOwner: run.owner,
  };
}

/** The event that tells a recovery (`recoverStaleRun`'s result when it recovered). */
export function staleRunRecoveredEvent(
  result: Extract<RecoveryResult, { recovered: true }>,
): StaleRunRecoveredEvent {
  return {
    type: 'stale-run-recovered',
    runId: result.run.runId,
    workflow: result.run.workflowName,
    timestamp: result.recoveredAt,
    ownerHost: result.previousOwner?.host ?? null,
    ownerPid: result.previousOwner?.pid ?? null,
    interrupted: result.interrupted.map((attempt) => attempt.nodeId),
  };
}

/**
 * Recovers every stale `running` run of a workflow (of all when omitted); returns those it ended, and tells
 * each to `onRecovered`.
 */
export async function recoverStaleRuns(
  ports: RecoveryPorts,
  workflowName?: string,
  options: RecoverStaleRunsOptions = {},
): Promise<RunRecord[]> {
  const recovered: RunRecord[] = [];
  for (const run of await ports.repository.listRunningRuns(workflowName)) {
    if ((await ownerLiveness(run, ports)) !== 'stale') continue;
    const result = await recoverStaleRun(ports, run, options);
    if (!result.recovered) continue;
    recovered.push(result.run);
    options.onRecovered?.(staleRunRecoveredEvent(result));
  }
  return recovered;
}

/** Attempts left `running` by a dead owner ended when it died: written `nok`, decision `interrupted`. */
export async function recordInterrupted(
  ports: Pick<RecoveryPorts, 'repository'>,
  attempts: readonly AttemptRecord[],
  now: Date,
): Promise<AttemptRecord[]> {
  const updated: AttemptRecord[] = [];
  for (const attempt of attempts) {
    if (attempt.status !== 'running') {
      updated.push(attempt);
      continue;
    }
    const durationMs = Math.max(0, now.getTime() - Date.parse(attempt.startTime));
    const outcome = {
      status: 'nok',
      endTime: now.toISOString(),
      durationMs,
      operatorDecision: 'interrupted',
    } as const;
    const { workflowName, runId, nodeId } = attempt;
    await ports.repository.finishAttempt({ workflowName, runId, nodeId, attempt: attempt.attempt }, outcome);
    updated.push({ ...attempt, ...outcome });
  }
  return updated;
}
