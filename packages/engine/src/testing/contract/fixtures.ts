import type { AttemptStatus, RunKey, RunOwner, RunRecord, RunStatus } from '@playbook/domain';
import type { CreateRunInput, RunRepository } from '../../ports/run-repository.js';

// What the contract suites write: owners, times, runs.

export const OWNER: RunOwner = { host: 'host-a', pid: 4242, processGroup: null };
export const OTHER_OWNER: RunOwner = { host: 'host-b', pid: 777, processGroup: null };
export const T0 = '2024-05-01T10:00:00.000Z';
export const T1 = '2024-05-01T10:00:01.000Z';
export const T2 = '2024-05-01T10:00:02.000Z';
export const T3 = '2024-05-01T10:00:03.000Z';

/** A run of `workflowName` started at T0 by OWNER. */
export function runInput(workflowName = 'deploy', overrides: Partial<CreateRunInput> = {}): CreateRunInput {
  return {
    workflowName,
    startTime: T0,
    owner: OWNER,
    runbookHash: 'ab'.repeat(32),
    nodeIds: ['prepare', 'build', 'ship'],
    ...overrides,
  };
}

/** The key of a run, without the rest of its record. */
export function key(run: RunRecord): RunKey {
  return { workflowName: run.workflowName, runId: run.runId };
}

/** One run to write: its attempts (node id, status) in order, then how it ends (`running`: not at all). */
export interface SeedRun {
  readonly workflow: string;
  readonly attempts: ReadonlyArray<readonly [string, AttemptStatus]>;
  readonly status: RunStatus;
}

/**
 * deploy #1 ok: a ok; b nok, then ok. deploy #2 aborted: a nok. deploy #3 running: b skipped, c running.
 * failover #1 running, no attempts.
 */
export const SEED: readonly SeedRun[] = [
  {
    workflow: 'deploy',
    attempts: [
      ['a', 'ok'],
      ['b', 'nok'],
      ['b', 'ok'],
    ],
    status: 'ok',
  },
  { workflow: 'deploy', attempts: [['a', 'nok']], status: 'aborted' },
  {
    workflow: 'deploy',
    attempts: [
      ['b', 'skipped'],
      ['c', 'running'],
    ],
    status: 'running',
  },
  { workflow: 'failover', attempts: [], status: 'running' },
];

/** The `n`-th day of May 2024 at 10:00:`second`. */
function day(n: number, second = 0): string {
  return `2024-05-${String(n).padStart(2, '0')}T10:00:0${second}.000Z`;
}

/** Writes `runs` through the repository port, the i-th on day i + 1; returns their keys. */
export async function seed(store: RunRepository, runs: readonly SeedRun[]): Promise<RunKey[]> {
  const keys: RunKey[] = [];
  for (const [index, spec] of runs.entries()) {
    const run = await store.createRun({
      workflowName: spec.workflow,
      startTime: day(index + 1),
      owner: OWNER,
      runbookHash: null,
      nodeIds: ['a', 'b', 'c'],
    });
    for (const [nodeId, status] of spec.attempts) {
      const start = { ...key(run), nodeId, startTime: day(index + 1, 1) };
      if (status === 'skipped') {
        await store.startAttempt({ ...start, status, operatorDecision: 'skip' });
        continue;
      }
      const attempt = await store.startAttempt({ ...start, status: 'running' });
      if (status !== 'running') {
        await store.finishAttempt(attempt, { status, endTime: day(index + 1, 2), durationMs: 1000 });
      }
    }
    if (spec.status !== 'running') {
      await store.finishRun(key(run), {
        status: spec.status,
        endTime: day(index + 1, 3),
        nodesOk: 0,
        nodesNok: 0,
        nodesSkipped: 0,
      });
    }
    keys.push(key(run));
  }
  return keys;
}
