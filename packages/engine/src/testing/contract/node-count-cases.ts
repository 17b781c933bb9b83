import type { AttemptRecord, AttemptStatus, RunKey } from '@playbook/domain';
import { expect } from 'vitest';
import type { NodeStatusCount, RunHistory } from '../../ports/run-history.js';
import type { AttemptOutcome, RunRepository } from '../../ports/run-repository.js';
import { countNodeStatuses } from '../count-node-statuses.js';
import type { ContractStores } from './contract-harness.js';
import { key, runInput, T1, T2 } from './fixtures.js';
import type { ReopenCase } from './reopen-cases.js';

type Store = RunRepository & RunHistory;

/** `nodeStatusCounts` as its definition gives it, from every attempt of every run of the workflow. */
async function countedFromAttempts(store: Store, workflowName: string): Promise<NodeStatusCount[]> {
  const runs: (readonly AttemptRecord[])[] = [];
  for (const run of await store.listRuns(workflowName))
    runs.push((await store.loadRun(key(run)))?.attempts ?? []);
  return countNodeStatuses(runs);
}

async function expectCountsAgree(store: Store, workflowName = 'deploy'): Promise<NodeStatusCount[]> {
  const counts = await store.nodeStatusCounts(workflowName);
  expect(counts).toEqual(await countedFromAttempts(store, workflowName));
  return counts;
}

/** `{ nodeId: [runs, attempts, running, ok, nok, skipped] }`, shorter to read than the records. */
function table(counts: readonly NodeStatusCount[]): Record<string, number[]> {
  return Object.fromEntries(
    counts.map((n) => [
      n.nodeId,
      [
        n.runs,
        n.attempts,
        n.runsByStatus.running,
        n.runsByStatus.ok,
        n.runsByStatus.nok,
        n.runsByStatus.skipped,
      ],
    ]),
  );
}

const ended = (status: AttemptOutcome['status']): AttemptOutcome => ({
  status,
  endTime: T2,
  durationMs: 1000,
});

/** What `runHistoryContract` checks of `nodeStatusCounts` as attempts are written. */
export const nodeCountCases: readonly ReopenCase<Store>[] = [
  {
    name: 'counts nodes after every attempt start and end, a retry moving its run to the new status',
    async run(stores: ContractStores<Store>) {
      const store = await stores.fresh();
      const run = key(await store.createRun(runInput()));
      const start = (nodeId: string, status: AttemptStatus = 'running', onto: RunKey = run) =>
        store.startAttempt({ ...onto, nodeId, startTime: T1, status });
      const a1 = await start('a');
      expect(table(await expectCountsAgree(store))).toEqual({ a: [1, 1, 1, 0, 0, 0] });
      await store.finishAttempt(a1, ended('nok'));
      expect(table(await expectCountsAgree(store))).toEqual({ a: [1, 1, 0, 0, 1, 0] });
      const a2 = await start('a');
      expect(table(await expectCountsAgree(store))).toEqual({ a: [1, 2, 1, 0, 0, 0] });
      await start('b', 'skipped');
      await store.finishAttempt(a2, ended('ok'));
      expect(table(await expectCountsAgree(store))).toEqual({ a: [1, 2, 0, 1, 0, 0], b: [1, 1, 0, 0, 0, 1] });

      // A second run: a node with two attempts running at once; the older one ending does not change the
      // node's status in the run (its latest attempt's), the newer one does.
      const second = key(await store.createRun(runInput()));
      const first = await start('a', 'running', second);
      const retry = await start('a', 'running', second);
      await store.finishAttempt(first, ended('nok'));
      expect(table(await expectCountsAgree(store))).toEqual({ a: [2, 4, 1, 1, 0, 0], b: [1, 1, 0, 0, 0, 1] });
      await store.finishAttempt(retry, ended('ok'));
      expect(table(await expectCountsAgree(store))).toEqual({ a: [2, 4, 0, 2, 0, 0], b: [1, 1, 0, 0, 0, 1] });

      // Another workflow's counts are its own.
      const other = key(await store.createRun(runInput('failover')));
      await start('a', 'skipped', other);
      expect(table(await expectCountsAgree(store, 'failover'))).toEqual({ a: [1, 1, 0, 0, 0, 1] });
      expect(table(await expectCountsAgree(store))).toEqual({ a: [2, 4, 0, 2, 0, 0], b: [1, 1, 0, 0, 0, 1] });
    },
  },
  {
    name: 'leaves the node counts as they were when a write is refused',
    async run(stores: ContractStores<Store>) {
      const store = await stores.fresh();
      const run = key(await store.createRun(runInput()));
      const attempt = await store.startAttempt({ ...run, nodeId: 'a', startTime: T1, status: 'running' });
      await store.finishAttempt(attempt, ended('nok'));
      const before = await expectCountsAgree(store);
      // Ended already: refused, nothing changes.
      await expect(store.finishAttempt(attempt, ended('ok'))).rejects.toThrow();
      await expect(
        store.startAttempt({ ...run, runId: 99, nodeId: 'a', startTime: T1, status: 'running' }),
      ).rejects.toThrow();
      expect(await expectCountsAgree(store)).toEqual(before);
      const again = await stores.reopen(store);
      expect(await expectCountsAgree(again)).toEqual(before);
    },
  },
];
