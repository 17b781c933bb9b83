import type { Runbook, RunbookNode, RunRecord, RunState } from '@playbook/domain';
import { canonicalJson, type JsonValue } from './audit/canonical-json.js';
import { EngineError } from './engine-error.js';
import type { RunStartedEvent } from './events.js';
import type { RunRepository } from './ports/run-repository.js';

// What a resume decides from the run's record and the runbook alone, with no port: `resumeRun` and a plan of a
// resume (`planRun`) refuse the same requests with the same words.

/** Statuses a run can be resumed from (a `running` one only when its owner is gone). */
export const RESUMABLE = ['aborted', 'nok', 'running', 'waiting'] as const;

/**
 * The run a resume takes: `runId`, or without it the newest run of the workflow that can be resumed. Throws
 * `EngineError` RUN_NOT_FOUND when there is none.
 */
export async function findResumeRun(
  repository: Pick<RunRepository, 'findLatestRun' | 'loadRun'>,
  workflowName: string,
  runId: number | undefined,
): Promise<RunState> {
  if (runId === undefined) {
    const latest = await repository.findLatestRun(workflowName, RESUMABLE);
    if (latest === undefined) {
      throw new EngineError(
        'RUN_NOT_FOUND',
        `workflow "${workflowName}" has no run to resume (none is aborted, nok, running or waiting)`,
        { workflowName },
      );
    }
    runId = latest.runId;
  }
  const state = await repository.loadRun({ workflowName, runId });
  if (state === undefined) {
    throw new EngineError('RUN_NOT_FOUND', `workflow "${workflowName}" has no run ${runId}`, {
      workflowName,
      runId,
    });
  }
  return state;
}

/** What a resume is asked to do, as far as the checks below need it. */
export interface ResumeRequest {
  readonly runId?: number | undefined;
  readonly fromNode?: string | undefined;
  readonly rerun?: 'only' | 'downstream' | undefined;
  readonly reason?: string | undefined;
}

/** `--only` / `--downstream` without the node to start from. */
export function rerunWithoutNode(workflowName: string, request: ResumeRequest): EngineError | undefined {
  if (request.rerun === undefined || request.fromNode !== undefined) return undefined;
  return new EngineError(
    'RERUN_REFUSED',
    `re-running steps (${request.rerun}) needs the node to start from`,
    { workflowName },
  );
}

/** Why `nodeId` is unknown: never in the runbook, or removed from the file since `run` started. */
export function nodeNotFound(workflowName: string, nodeId: string, run: RunRecord | undefined): EngineError {
  const removed = run?.nodeIds.includes(nodeId) === true;
  const message = removed
    ? `node "${nodeId}" is no longer in the runbook: it was removed from the file since run ${run?.runId} started`
    : `node "${nodeId}" is not in the runbook`;
  return new EngineError('NODE_NOT_FOUND', message, { workflowName, nodeId });
}

/**
 * A run that ended ok is resumed only to re-run steps of it on purpose ("redo this step" after the fact, SPEC
 * §9.4), which needs the run's explicit id and — unless `checkReason` is false (a plan, which records nothing) —
 * a reason.
 */
export function finishedRunRefusal(
  run: RunRecord,
  request: ResumeRequest,
  checkReason = true,
): EngineError | undefined {
  if (run.status !== 'ok') return undefined;
  const where = `run ${run.runId} of "${run.workflowName}"`;
  const details = { workflowName: run.workflowName, runId: run.runId };
  if (request.rerun === undefined) {
    return new EngineError('RUN_NOT_RESUMABLE', `${where} ended ok: there is nothing to resume`, details);
  }
  if (checkReason && (request.reason ?? '').trim() === '') {
    return new EngineError(
      'RERUN_REFUSED',
      `${where} ended ok: re-running a step of it needs a reason (--reason <text>), which is recorded`,
      details,
    );
  }
  if (request.runId === undefined) {
    return new EngineError(
      'RERUN_REFUSED',
      `${where} ended ok: re-running a step of it needs its run id`,
      details,
    );
  }
  return undefined;
}

/** Node ids added and removed since the run started, when the runbook file's hash changed. */
export function runbookChanges(
  run: RunRecord,
  runbook: Runbook,
  plan: readonly string[],
): RunStartedEvent['changes'] | undefined {
  const hash = runbook.source?.hash;
  if (run.runbookHash === null || hash === undefined || hash === run.runbookHash) return undefined;
  const before = new Set(run.nodeIds);
  const now = new Set(plan);
  return {
    added: plan.filter((id) => !before.has(id)),
    removed: run.nodeIds.filter((id) => !now.has(id)),
  };
}

/**
 * What changed in the runbook file since the run started (`runbookChanges`), naming the changed nodes too when
 * `previousRunbook` gives the runbook the run started with. The one rule of what a resume says about a changed
 * file: `resume` warns with it, and a plan of that resume shows it.
 */
export async function changesSince(
  run: RunRecord,
  runbook: Runbook,
  plan: readonly string[],
  previousRunbook: ((runbookHash: string) => Promise<Runbook | undefined>) | undefined,
): Promise<RunStartedEvent['changes'] | undefined> {
  const changes = runbookChanges(run, runbook, plan);
  if (changes === undefined || run.runbookHash === null || previousRunbook === undefined) return changes;
  const previous = await previousRunbook(run.runbookHash).catch(() => undefined);
  return previous === undefined ? changes : withChangedNodes(changes, previous, runbook, plan);
}

/**
 * `changes` with the ids of the nodes, in both runbooks, whose definition differs between `previous` (the runbook
 * the run started with) and `runbook`, in plan order.
 */
export function withChangedNodes(
  changes: NonNullable<RunStartedEvent['changes']>,
  previous: Runbook,
  runbook: Runbook,
  plan: readonly string[],
): NonNullable<RunStartedEvent['changes']> {
  const before = new Map(previous.nodes.map((node) => [node.id, definition(node)]));
  const now = new Map(runbook.nodes.map((node) => [node.id, node]));
  const changed = plan.filter((id) => {
    const was = before.get(id);
    const node = now.get(id);
    return was !== undefined && node !== undefined && was !== definition(node);
  });
  return { ...changes, changed };
}

/** A node's definition as one comparable text: its fields in a fixed order, whatever order the file had. */
function definition(node: RunbookNode): string {
  try {
    return canonicalJson(node as unknown as JsonValue);
  } catch {
    // A number JSON cannot hold (TOML's inf, nan): compared as JSON.stringify writes it.
    return JSON.stringify(node);
  }
}
