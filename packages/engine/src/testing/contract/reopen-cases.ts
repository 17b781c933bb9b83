import { expect } from 'vitest';
import type { RunHistory } from '../../ports/run-history.js';
import type { RunRepository } from '../../ports/run-repository.js';
import type { ContractStores } from './contract-harness.js';
import { key, OTHER_OWNER, runInput, SEED, seed, T1, T2, T3 } from './fixtures.js';

/** A case of a suite's `reopen` block: its title and its body, run against a suite's stores. */
export interface ReopenCase<S> {
  readonly name: string;
  run(stores: ContractStores<S>): Promise<void>;
}

/** What `runRepositoryContract` checks across a reopen. */
export const repositoryReopenCases: readonly ReopenCase<RunRepository>[] = [
  {
    name: 'keeps every run, attempt, answer and owner across a reopen',
    async run(stores) {
      const repo = await stores.fresh();
      const first = await repo.createRun(runInput());
      const attempt = await repo.startAttempt({
        ...key(first),
        nodeId: 'build',
        startTime: T1,
        status: 'running',
      });
      await repo.finishAttempt(attempt, {
        status: 'nok',
        endTime: T2,
        durationMs: 1000,
        operatorDecision: 'retry',
        resultText: 'déployé ✓',
        exitCode: 2,
        exception: 'Error: boom',
        stdout: 'out\n',
        stderr: '',
      });
      await repo.startAttempt({
        ...key(first),
        nodeId: 'ship',
        startTime: T2,
        status: 'skipped',
        operatorDecision: 'skip',
      });
      await repo.saveAnswer(key(first), 'notify', 'channel', '#ops');
      await repo.finishRun(key(first), {
        status: 'nok',
        endTime: T3,
        nodesOk: 0,
        nodesNok: 1,
        nodesSkipped: 1,
      });
      const second = await repo.createRun(runInput('failover', { owner: OTHER_OWNER }));
      await repo.setOwnerProcessGroup(key(second), 5150);
      const before = [await repo.loadRun(key(first)), await repo.loadRun(key(second))];

      const again = await stores.reopen(repo);
      expect([await again.loadRun(key(first)), await again.loadRun(key(second))]).toEqual(before);
      expect(await again.listRunningRuns()).toEqual([before[1]?.run]);
      expect(await again.findLatestRun('deploy')).toEqual(before[0]?.run);
    },
  },
  {
    name: 'goes on numbering runs and attempts after a reopen',
    async run(stores) {
      const repo = await stores.fresh();
      const run = await repo.createRun(runInput());
      await repo.startAttempt({ ...key(run), nodeId: 'build', startTime: T1, status: 'nok' });
      const again = await stores.reopen(repo);
      expect((await again.createRun(runInput())).runId).toBe(2);
      const next = await again.startAttempt({ ...key(run), nodeId: 'build', startTime: T2, status: 'nok' });
      expect(next.attempt).toBe(2);
    },
  },
];

/** What `runHistoryContract` checks across a reopen. */
export const historyReopenCases: readonly ReopenCase<RunRepository & RunHistory>[] = [
  {
    name: 'reads the same history after a reopen',
    async run(stores) {
      const store = await stores.fresh();
      await seed(store, SEED);
      const read = async (history: RunHistory) => ({
        workflows: await history.listWorkflows(),
        nodes: await history.nodeStatusCounts('deploy'),
        runs: await history.listRuns('deploy'),
        schemaVersion: (await history.databaseInfo()).schemaVersion,
      });
      const before = await read(store);
      expect(before.workflows).not.toEqual([]);
      expect(await read(await stores.reopen(store))).toEqual(before);
    },
  },
];
