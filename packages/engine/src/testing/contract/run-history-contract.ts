import { describe, expect, it } from 'vitest';
import type { RunHistory } from '../../ports/run-history.js';
import type { RunRepository } from '../../ports/run-repository.js';
import { type ContractOptions, type ContractStores, contractStores } from './contract-harness.js';
import { SEED, seed } from './fixtures.js';
import { nodeCountCases } from './node-count-cases.js';
import { historyReopenCases } from './reopen-cases.js';

/** A store the history suite can fill through the repository port and read through the history port. */
export type RunStore = RunRepository & RunHistory;

/** Options of `runHistoryContract`. */
export type RunHistoryContractOptions<S extends RunStore = RunStore> = ContractOptions<S>;

/**
 * The behaviour every `RunHistory` must have, as a vitest suite. Call it at the top level of a test file with a
 * factory that returns a fresh, empty store (a `RunRepository` that is also a `RunHistory`: the suite writes
 * through the one and reads through the other), and how to open a store's storage again; each test gets its
 * own store and closes it afterwards.
 *
 * ```ts
 * runHistoryContract('my adapter', () => openMyStore(freshLocation()), { reopen: (s) => openMyStore(s.location) });
 * ```
 */
export function runHistoryContract<S extends RunStore>(
  name: string,
  makeStore: () => Promise<S> | S,
  options: RunHistoryContractOptions<S>,
): void {
  describe(`RunHistory contract: ${name}`, () => {
    const stores = contractStores<S>(makeStore, options);
    const fresh = stores.fresh;

    it('is empty before the first run', async () => {
      const store = await fresh();
      expect(await store.listWorkflows()).toEqual([]);
      expect(await store.listRuns('deploy')).toEqual([]);
      expect(await store.nodeStatusCounts('deploy')).toEqual([]);
      expect(await store.listRunningRuns()).toEqual([]);
      expect(await store.loadRun({ workflowName: 'deploy', runId: 1 })).toBeUndefined();
    });

    it('lists workflows by name with their run counts by status and their newest run', async () => {
      const store = await fresh();
      await seed(store, SEED);
      const workflows = await store.listWorkflows();
      expect(workflows.map((w) => [w.workflowName, w.runCount, w.runsByStatus, w.latestRun.runId])).toEqual([
        ['deploy', 3, { running: 1, ok: 1, nok: 0, aborted: 1, waiting: 0 }, 3],
        ['failover', 1, { running: 1, ok: 0, nok: 0, aborted: 0, waiting: 0 }, 1],
      ]);
      expect(workflows[0]?.latestRun).toEqual(await store.findLatestRun('deploy'));
    });

    it('counts each node by its latest attempt in each run, nodes by id', async () => {
      const store = await fresh();
      await seed(store, SEED);
      expect(await store.nodeStatusCounts('deploy')).toEqual([
        { nodeId: 'a', runs: 2, attempts: 2, runsByStatus: { running: 0, ok: 1, nok: 1, skipped: 0 } },
        { nodeId: 'b', runs: 2, attempts: 3, runsByStatus: { running: 0, ok: 1, nok: 0, skipped: 1 } },
        { nodeId: 'c', runs: 1, attempts: 1, runsByStatus: { running: 1, ok: 0, nok: 0, skipped: 0 } },
      ]);
      expect(await store.nodeStatusCounts('failover')).toEqual([]);
      expect(await store.nodeStatusCounts('nothing')).toEqual([]);
    });

    it("lists a workflow's runs newest first, as the repository records them", async () => {
      const store = await fresh();
      const keys = await seed(store, SEED);
      const runs = await store.listRuns('deploy');
      expect(runs.map((run) => [run.runId, run.status])).toEqual([
        [3, 'running'],
        [2, 'aborted'],
        [1, 'ok'],
      ]);
      const first = keys[0];
      if (first === undefined) throw new Error('seeded no run');
      expect(runs[2]).toEqual((await store.loadRun(first))?.run);
      expect(await store.listRuns('nothing')).toEqual([]);
    });

    it('loads one run with its attempts in order', async () => {
      const store = await fresh();
      await seed(store, SEED);
      const run = await store.loadRun({ workflowName: 'deploy', runId: 1 });
      expect(run?.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`)).toEqual([
        'a#1:ok',
        'b#1:nok',
        'b#2:ok',
      ]);
      expect(await store.loadRun({ workflowName: 'deploy', runId: 9 })).toBeUndefined();
    });

    it('orders workflow names and node ids by code point, whatever the storage collation', async () => {
      const store = await fresh();
      // Byte order of UTF-8: upper case before lower case, U+FF21 before an emoji (JavaScript's default sort
      // of UTF-16 units would put the emoji first), and a prefix before its extensions.
      const names = ['😀', 'b', 'Ａ', 'a', 'ab', 'Z', 'é'];
      await seed(
        store,
        names.map((workflow) => ({
          workflow,
          attempts: names.map((id) => [id, 'ok'] as const),
          status: 'ok',
        })),
      );
      const expected = ['Z', 'a', 'ab', 'b', 'é', 'Ａ', '😀'];
      expect((await store.listWorkflows()).map((w) => w.workflowName)).toEqual(expected);
      expect((await store.nodeStatusCounts('b')).map((n) => n.nodeId)).toEqual(expected);
      await seed(store, [{ workflow: 'a', attempts: [], status: 'running' }]);
      await seed(store, [{ workflow: '😀', attempts: [], status: 'running' }]);
      await seed(store, [{ workflow: 'Ａ', attempts: [], status: 'running' }]);
      expect((await store.listRunningRuns()).map((run) => run.workflowName)).toEqual(['a', 'Ａ', '😀']);
    });

    it('says where the history is and gives its size and schema version as numbers', async () => {
      const store = await fresh();
      await seed(store, SEED);
      const info = await store.databaseInfo();
      expect(info.path).toBe(store.path);
      expect(Number.isInteger(info.sizeBytes) && info.sizeBytes >= 0).toBe(true);
      expect(Number.isInteger(info.schemaVersion) && info.schemaVersion >= 0).toBe(true);
    });

    it('gives a schema that declares the contract tables, or none', async () => {
      const store = await fresh();
      const ddl = store.schemaDdl();
      if (ddl === '') return;
      expect(ddl).toMatch(/CREATE TABLE runs \(/);
      expect(ddl).toMatch(/CREATE TABLE executions \(/);
    });

    it('returns copies: changing a returned summary changes nothing stored', async () => {
      const store = await fresh();
      await seed(store, SEED);
      const before = structuredClone(await store.listWorkflows());
      const [summary] = await store.listWorkflows();
      if (summary === undefined) throw new Error('seeded no workflow');
      // Deliberately break the readonly types, as a careless caller in plain JavaScript could.
      (summary.latestRun.nodeIds as string[]).push('intruder');
      (summary.latestRun as { status: string }).status = 'ok';
      expect(await store.listWorkflows()).toEqual(before);
    });

    for (const countCase of nodeCountCases) {
      it(countCase.name, () => countCase.run(stores as ContractStores<RunStore>));
    }

    describe('reopen', () => {
      for (const reopenCase of historyReopenCases) {
        it(reopenCase.name, () => reopenCase.run(stores as ContractStores<RunStore>));
      }
    });
  });
}
