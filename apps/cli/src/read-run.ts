import type { RunHistory, RunState } from '@playbook/engine';
import { CliError } from './errors.js';
import { unknownWorkflowError } from './unknown-workflow.js';

/**
 * One run of a workflow for the commands that read history (`show`, `logs`, `report`): run `runId`, or the
 * newest when it is undefined. A workflow without runs, or a run id it does not have, is one line naming what
 * there is.
 */
export async function readRun(
  history: RunHistory,
  workflow: string,
  runId: number | undefined,
  location: string,
): Promise<RunState> {
  const newest = runId ?? (await history.listRuns(workflow))[0]?.runId;
  const state =
    newest === undefined ? undefined : await history.loadRun({ workflowName: workflow, runId: newest });
  if (state !== undefined) return state;
  const runs = await history.listRuns(workflow);
  if (runs.length === 0) throw await unknownWorkflowError(workflow, history.listWorkflows(), location);
  const ids = runs.map((run) => run.runId).sort((a, b) => a - b);
  throw new CliError(`workflow "${workflow}" has no run ${runId} (its runs: ${describeIds(ids)})`);
}

function describeIds(ids: readonly number[]): string {
  if (ids.length <= 10) return ids.join(', ');
  return `${ids.slice(0, 5).join(', ')}, …, ${ids.slice(-3).join(', ')}`;
}
