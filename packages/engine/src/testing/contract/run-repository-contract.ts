import type { AttemptKey, RunOwner, RunRecord, RunStatus } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import type { RunRepository } from '../../ports/run-repository.js';
import type { RunRepositoryErrorCode } from '../../ports/run-repository-error.js';
import { approvalCases } from './approval-cases.js';
import { auditCases } from './audit-cases.js';
import { type ContractOptions, type ContractStores, contractStores } from './contract-harness.js';
import { key, OTHER_OWNER, OWNER, runInput, T0, T1, T2, T3 } from './fixtures.js';
import { identityCases } from './identity-cases.js';
import { repositoryReopenCases } from './reopen-cases.js';

/** Options of `runRepositoryContract`. */
export interface RunRepositoryContractOptions<S extends RunRepository = RunRepository>
  extends ContractOptions<S> {
  /**
   * For a repository with `ownerLeaseExpired`: how long an owner's lease lasts without renewal, in milliseconds,
   * as the factory opens it. Given, the suite checks that a lease runs out once its owner's store is closed.
   */
  readonly leaseMs?: number;
}

/** `{ code }`: what the suite checks of a refused write, whatever the adapter's wording. */
function refused(code: RunRepositoryErrorCode): { code: RunRepositoryErrorCode } {
  return { code };
}

/**
 * The behaviour every `RunRepository` must have, as a vitest suite. Call it at the top level of a test file
 * with a factory that returns a fresh, empty repository and how to open a repository's storage again; each
 * test gets its own repository and closes it afterwards.
 *
 * ```ts
 * runRepositoryContract('my adapter', () => openMyRepository(freshLocation()), {
 *   reopen: (repository) => openMyRepository(repository.location),
 * });
 * ```
 */
export function runRepositoryContract<S extends RunRepository>(
  name: string,
  makeRepository: () => Promise<S> | S,
  options: RunRepositoryContractOptions<S>,
): void {
  describe(`RunRepository contract: ${name}`, () => {
    const stores = contractStores<S>(makeRepository, options);
    const fresh = stores.fresh;

    describe('createRun', () => {
      it('creates run 1 as running, triggered by run, with the owner, hash and node ids', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const expected: RunRecord = {
          workflowName: 'deploy',
          runId: 1,
          startTime: T0,
          endTime: null,
          status: 'running',
          nodesOk: 0,
          nodesNok: 0,
          nodesSkipped: 0,
          trigger: 'run',
          owner: OWNER,
          runbookHash: 'ab'.repeat(32),
          nodeIds: ['prepare', 'build', 'ship'],
        };
        expect(run).toEqual(expected);
        expect(await repo.loadRun(key(run))).toEqual({ run: expected, attempts: [], answers: {} });
      });

      it('numbers runs 1, 2, 3… separately for each workflow', async () => {
        const repo = await fresh();
        const ids: string[] = [];
        for (const workflow of ['deploy', 'deploy', 'failover', 'deploy', 'failover']) {
          const run = await repo.createRun(runInput(workflow));
          ids.push(`${run.workflowName}#${run.runId}`);
        }
        expect(ids).toEqual(['deploy#1', 'deploy#2', 'failover#1', 'deploy#3', 'failover#2']);
      });

      it('gives concurrent callers distinct, dense ids', async () => {
        const repo = await fresh();
        const runs = await Promise.all(Array.from({ length: 12 }, () => repo.createRun(runInput())));
        const ids = runs.map((run) => run.runId).sort((a, b) => a - b);
        expect(ids).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      });

      it('stores a null runbook hash, no node ids and Unicode names as given', async () => {
        const repo = await fresh();
        const input = runInput('déploiement — 部署 🚀', { runbookHash: null, nodeIds: [] });
        const run = await repo.createRun(input);
        const loaded = await repo.loadRun(key(run));
        expect(loaded?.run.workflowName).toBe('déploiement — 部署 🚀');
        expect(loaded?.run.runbookHash).toBeNull();
        expect(loaded?.run.nodeIds).toEqual([]);
      });
    });

    describe('unknown runs', () => {
      it('reads give undefined and claimRun false', async () => {
        const repo = await fresh();
        await repo.createRun(runInput('deploy'));
        expect(await repo.loadRun({ workflowName: 'deploy', runId: 2 })).toBeUndefined();
        expect(await repo.loadRun({ workflowName: 'other', runId: 1 })).toBeUndefined();
        expect(await repo.findLatestRun('other')).toBeUndefined();
        const claim = {
          workflowName: 'deploy',
          runId: 9,
          expectedStatus: 'aborted' as const,
          expectedOwner: null,
          owner: OWNER,
          nodeIds: [],
          runbookHash: null,
        };
        expect(await repo.claimRun(claim)).toBe(false);
      });

      it('writes reject', async () => {
        const repo = await fresh();
        await repo.createRun(runInput('deploy'));
        const missing = { workflowName: 'deploy', runId: 2 };
        await expect(
          repo.startAttempt({ ...missing, nodeId: 'build', startTime: T1, status: 'running' }),
        ).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
        await expect(
          repo.finishRun(missing, { status: 'ok', endTime: T2, nodesOk: 0, nodesNok: 0, nodesSkipped: 0 }),
        ).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
        await expect(repo.saveAnswer(missing, 'build', 'region', 'eu')).rejects.toMatchObject(
          refused('RUN_NOT_FOUND'),
        );
        await expect(repo.setOwnerProcessGroup(missing, 12)).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
        await expect(
          repo.finishAttempt(
            { ...missing, nodeId: 'build', attempt: 1 },
            { status: 'ok', endTime: T2, durationMs: 1 },
          ),
        ).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
        expect(await repo.loadRun(missing)).toBeUndefined();
      });
    });

    describe('attempts', () => {
      it('writes a running attempt with every result field null', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        const expected = {
          workflowName: 'deploy',
          runId: 1,
          nodeId: 'build',
          attempt: 1,
          startTime: T1,
          endTime: null,
          status: 'running',
          operatorDecision: null,
          resultText: null,
          exitCode: null,
          exception: null,
          stdout: null,
          stderr: null,
          durationMs: null,
        };
        expect(attempt).toEqual(expected);
        expect((await repo.loadRun(key(run)))?.attempts).toEqual([expected]);
      });

      it('numbers attempts per node within a run, and per run', async () => {
        const repo = await fresh();
        const first = await repo.createRun(runInput());
        const second = await repo.createRun(runInput());
        const numbers: string[] = [];
        for (const [run, nodeId] of [
          [first, 'build'],
          [first, 'ship'],
          [first, 'build'],
          [second, 'build'],
          [first, 'build'],
          [first, 'ship'],
        ] as const) {
          const attempt = await repo.startAttempt({ ...key(run), nodeId, startTime: T1, status: 'nok' });
          numbers.push(`${run.runId}/${nodeId}/${attempt.attempt}`);
        }
        expect(numbers).toEqual(['1/build/1', '1/ship/1', '1/build/2', '2/build/1', '1/build/3', '1/ship/2']);
      });

      it('continues attempt numbers after a resume', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const a1 = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.finishAttempt(a1, { status: 'nok', endTime: T2, durationMs: 1000, exitCode: 1 });
        await repo.finishRun(key(run), {
          status: 'nok',
          endTime: T2,
          nodesOk: 0,
          nodesNok: 1,
          nodesSkipped: 0,
        });
        const claimed = await repo.claimRun({
          ...key(run),
          expectedStatus: 'nok',
          expectedOwner: null,
          owner: OTHER_OWNER,
          nodeIds: ['build'],
          runbookHash: null,
        });
        expect(claimed).toBe(true);
        const a2 = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T3,
          status: 'running',
        });
        expect(a2.attempt).toBe(2);
      });

      it('writes skipped and nok attempts already finished, keeping the decision', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const skipped = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'skipped',
          operatorDecision: 'skip',
        });
        const nok = await repo.startAttempt({
          ...key(run),
          nodeId: 'ship',
          startTime: T2,
          status: 'nok',
          operatorDecision: 'interrupted',
        });
        expect(skipped).toMatchObject({
          status: 'skipped',
          operatorDecision: 'skip',
          endTime: T1,
          durationMs: 0,
        });
        expect(nok).toMatchObject({
          status: 'nok',
          operatorDecision: 'interrupted',
          endTime: T2,
          durationMs: 0,
        });
        const loaded = await repo.loadRun(key(run));
        expect(loaded?.attempts).toEqual([skipped, nok]);
        await expect(
          repo.finishAttempt(skipped, { status: 'ok', endTime: T3, durationMs: 5 }),
        ).rejects.toMatchObject(refused('ATTEMPT_NOT_RUNNING'));
      });

      it('round-trips every field of a finished attempt, long and Unicode text included', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        const unicode = 'ok ✓ — 日本語 — emoji 🚀👩‍💻 — combining é — RTL שלום — tab\tand\r\nnewlines';
        const long = `${'x'.repeat(1024 * 1024)}\n…[12 bytes dropped]…\n${unicode}`;
        const outcome = {
          status: 'nok',
          endTime: T2,
          durationMs: 1234,
          operatorDecision: 'retry',
          resultText: unicode,
          exitCode: 124,
          exception: 'Error: boom\n    at x (file.js:1:1)',
          stdout: long,
          stderr: '',
        } as const;
        await repo.finishAttempt(attempt, outcome);
        const [stored] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(stored).toEqual({ ...attempt, ...outcome });
        expect(stored?.stdout?.length).toBe(long.length);
      });

      it("keeps the output log: both streams' lines in arrival order, their times and the dropped count", async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        const outputLog = {
          lines: [
            { stream: 'stdout', time: T1, text: 'first ✓' },
            { stream: 'stderr', time: T1, text: 'warning\t"quoted" \u001b[2J' },
            { stream: 'stdout', time: T2, text: '' },
            { stream: 'stdout', time: T2, text: 'last 🚀' },
          ],
          dropped: { afterLine: 2, lines: 1000, chars: 123456 },
        } as const;
        await repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1, outputLog });
        const [stored] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(stored?.outputLog).toEqual(outputLog);
        // An attempt finished without one reads back without one.
        const other = await repo.startAttempt({
          ...key(run),
          nodeId: 'check',
          startTime: T2,
          status: 'running',
        });
        await repo.finishAttempt(other, { status: 'ok', endTime: T2, durationMs: 1 });
        const [, second] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(second?.outputLog ?? null).toBeNull();
      });

      it('stores exit code 0 and duration 0 as numbers, not null', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.finishAttempt(attempt, {
          status: 'ok',
          endTime: T1,
          durationMs: 0,
          exitCode: 0,
          stdout: '',
        });
        const [stored] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(stored).toMatchObject({
          exitCode: 0,
          durationMs: 0,
          stdout: '',
          stderr: null,
          exception: null,
        });
      });

      it('leaves left-out fields null and keeps the decision given at start', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'check',
          startTime: T1,
          status: 'running',
          operatorDecision: 'manual',
        });
        await repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1000 });
        const [stored] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(stored).toEqual({
          ...attempt,
          status: 'ok',
          endTime: T2,
          durationMs: 1000,
          operatorDecision: 'manual',
          resultText: null,
          exitCode: null,
          exception: null,
          stdout: null,
          stderr: null,
        });
      });

      it('rejects finishing an attempt that does not exist or has already ended', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        const missing: AttemptKey = { ...key(run), nodeId: 'build', attempt: 2 };
        await expect(
          repo.finishAttempt(missing, { status: 'ok', endTime: T2, durationMs: 1 }),
        ).rejects.toMatchObject(refused('ATTEMPT_NOT_FOUND'));
        await repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1, exitCode: 0 });
        await expect(
          repo.finishAttempt(attempt, { status: 'nok', endTime: T3, durationMs: 2, exitCode: 1 }),
        ).rejects.toMatchObject(refused('ATTEMPT_NOT_RUNNING'));
        const [stored] = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(stored).toMatchObject({ status: 'ok', endTime: T2, exitCode: 0 });
      });

      it('records a decision on an ended attempt that has none, keeping one it already has', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const failed = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.finishAttempt(failed, { status: 'nok', endTime: T2, durationMs: 1000, exitCode: 3 });
        const answered = await repo.startAttempt({
          ...key(run),
          nodeId: 'check',
          startTime: T2,
          status: 'running',
        });
        await repo.finishAttempt(answered, {
          status: 'nok',
          endTime: T3,
          durationMs: 5,
          operatorDecision: 'nok',
        });
        await repo.recordDecision(failed, 'retry');
        await repo.recordDecision(answered, 'retry');
        // A second answer to the same attempt does not rewrite the first.
        await repo.recordDecision(failed, 'abort');
        const attempts = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(attempts).toEqual([
          { ...failed, status: 'nok', endTime: T2, durationMs: 1000, exitCode: 3, operatorDecision: 'retry' },
          { ...answered, status: 'nok', endTime: T3, durationMs: 5, operatorDecision: 'nok' },
        ]);
        const missing: AttemptKey = { ...key(run), nodeId: 'build', attempt: 2 };
        await expect(repo.recordDecision(missing, 'retry')).rejects.toMatchObject(
          refused('ATTEMPT_NOT_FOUND'),
        );
        await expect(
          repo.recordDecision({ workflowName: 'deploy', runId: 9, nodeId: 'build', attempt: 1 }, 'retry'),
        ).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
      });

      it('loads attempts by start time, same-instant ones in the order they were written', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const order: Array<[string, string]> = [
          ['zeta', T2],
          ['alpha', T1],
          ['mid', T2],
          ['alpha', T2],
          ['beta', T0],
        ];
        for (const [nodeId, startTime] of order) {
          await repo.startAttempt({ ...key(run), nodeId, startTime, status: 'skipped' });
        }
        const attempts = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(attempts.map((a) => [a.nodeId, a.attempt, a.startTime])).toEqual([
          ['beta', 1, T0],
          ['alpha', 1, T1],
          ['zeta', 1, T2],
          ['mid', 1, T2],
          ['alpha', 2, T2],
        ]);
      });
    });

    describe('findLatestRun', () => {
      it('finds the highest run id, optionally among some statuses', async () => {
        const repo = await fresh();
        const statuses: RunStatus[] = ['ok', 'nok', 'aborted', 'nok', 'running'];
        for (const status of statuses) {
          const run = await repo.createRun(runInput());
          if (status !== 'running') {
            await repo.finishRun(key(run), { status, endTime: T1, nodesOk: 0, nodesNok: 0, nodesSkipped: 0 });
          }
        }
        await repo.createRun(runInput('other'));
        expect((await repo.findLatestRun('deploy'))?.runId).toBe(5);
        expect((await repo.findLatestRun('deploy', ['ok']))?.runId).toBe(1);
        expect((await repo.findLatestRun('deploy', ['aborted', 'ok']))?.runId).toBe(3);
        expect((await repo.findLatestRun('deploy', ['nok', 'aborted']))?.runId).toBe(4);
        expect((await repo.findLatestRun('deploy', ['running']))?.runId).toBe(5);
        expect((await repo.findLatestRun('other', ['ok']))?.runId).toBeUndefined();
        expect(await repo.findLatestRun('deploy', [])).toBeUndefined();
        expect(await repo.findLatestRun('deploy', ['nok'])).toMatchObject({ status: 'nok', endTime: T1 });
      });
    });

    describe('listRunningRuns', () => {
      it('lists the running runs of one workflow or of all, by workflow name then run id', async () => {
        const repo = await fresh();
        expect(await repo.listRunningRuns()).toEqual([]);
        const statuses: RunStatus[] = ['running', 'ok', 'running', 'aborted', 'nok'];
        for (const status of statuses) {
          const run = await repo.createRun(runInput('deploy'));
          if (status !== 'running') {
            await repo.finishRun(key(run), { status, endTime: T1, nodesOk: 0, nodesNok: 0, nodesSkipped: 0 });
          }
        }
        const other = await repo.createRun(runInput('build', { owner: OTHER_OWNER }));
        await repo.setOwnerProcessGroup(key(other), 5150);
        await repo.createRun(runInput('zeta'));
        const all = await repo.listRunningRuns();
        expect(all.map((run) => `${run.workflowName}#${run.runId}`)).toEqual([
          'build#1',
          'deploy#1',
          'deploy#3',
          'zeta#1',
        ]);
        expect(all[0]).toEqual({ ...other, owner: { ...OTHER_OWNER, processGroup: 5150 } });
        expect((await repo.listRunningRuns('deploy')).map((run) => run.runId)).toEqual([1, 3]);
        expect(await repo.listRunningRuns('nobody')).toEqual([]);
      });

      it('leaves out a run once it has ended, and lists it again once claimed', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.finishRun(key(run), {
          status: 'aborted',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 0,
          nodesSkipped: 0,
        });
        expect(await repo.listRunningRuns('deploy')).toEqual([]);
        const claim = {
          ...key(run),
          expectedStatus: 'aborted' as const,
          expectedOwner: null,
          owner: OTHER_OWNER,
        };
        expect(await repo.claimRun({ ...claim, nodeIds: [], runbookHash: null })).toBe(true);
        expect(await repo.listRunningRuns('deploy')).toMatchObject([{ runId: 1, owner: OTHER_OWNER }]);
      });
    });

    describe('claimRun', () => {
      it('takes over an ended run: running, resume, new owner, node ids and hash, no end time', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.finishRun(key(run), {
          status: 'aborted',
          endTime: T1,
          nodesOk: 1,
          nodesNok: 0,
          nodesSkipped: 0,
        });
        const claimed = await repo.claimRun({
          ...key(run),
          expectedStatus: 'aborted',
          expectedOwner: null,
          owner: OTHER_OWNER,
          nodeIds: ['prepare', 'ship', 'verify'],
          runbookHash: 'cd'.repeat(32),
        });
        expect(claimed).toBe(true);
        expect((await repo.loadRun(key(run)))?.run).toEqual({
          ...run,
          status: 'running',
          trigger: 'resume',
          endTime: null,
          nodesOk: 1,
          owner: OTHER_OWNER,
          nodeIds: ['prepare', 'ship', 'verify'],
          runbookHash: 'cd'.repeat(32),
        });
      });

      it('fails with stale expectations and changes nothing', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.finishRun(key(run), {
          status: 'nok',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 1,
          nodesSkipped: 0,
        });
        const claim = {
          ...key(run),
          expectedStatus: 'nok' as const,
          expectedOwner: null,
          nodeIds: ['build'],
          runbookHash: null,
        };
        expect(await repo.claimRun({ ...claim, owner: OTHER_OWNER })).toBe(true);
        const afterFirst = await repo.loadRun(key(run));
        // The second process read the row before the first claim: its expectations are now stale.
        expect(await repo.claimRun({ ...claim, owner: { host: 'host-c', pid: 1, processGroup: null } })).toBe(
          false,
        );
        expect(await repo.loadRun(key(run))).toEqual(afterFirst);
      });

      it('compares the whole expected owner of a running run: host, pid and process group', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.setOwnerProcessGroup(key(run), 5150);
        const base = {
          ...key(run),
          expectedStatus: 'running' as const,
          owner: OTHER_OWNER,
          nodeIds: ['build'],
          runbookHash: null,
        };
        expect(await repo.claimRun({ ...base, expectedOwner: null })).toBe(false);
        expect(await repo.claimRun({ ...base, expectedOwner: OWNER })).toBe(false);
        expect(
          await repo.claimRun({ ...base, expectedOwner: { ...OWNER, processGroup: 5150, pid: 1 } }),
        ).toBe(false);
        expect(
          await repo.claimRun({
            ...base,
            expectedOwner: { ...OWNER, processGroup: 5150, host: 'elsewhere' },
          }),
        ).toBe(false);
        expect(
          await repo.claimRun({
            ...base,
            expectedStatus: 'aborted',
            expectedOwner: { ...OWNER, processGroup: 5150 },
          }),
        ).toBe(false);
        expect((await repo.loadRun(key(run)))?.run.owner).toEqual({ ...OWNER, processGroup: 5150 });
        expect(await repo.claimRun({ ...base, expectedOwner: { ...OWNER, processGroup: 5150 } })).toBe(true);
        expect((await repo.loadRun(key(run)))?.run).toMatchObject({ owner: OTHER_OWNER, trigger: 'resume' });
      });

      it('records the trigger given instead of resume, keeping everything else of a claim', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.setOwnerProcessGroup(key(run), 5150);
        const taker: RunOwner = { ...OTHER_OWNER, processGroup: 5150 };
        const claimed = await repo.claimRun({
          ...key(run),
          expectedStatus: 'running',
          expectedOwner: { ...OWNER, processGroup: 5150 },
          owner: taker,
          nodeIds: run.nodeIds,
          runbookHash: run.runbookHash,
          trigger: 'run',
        });
        expect(claimed).toBe(true);
        expect((await repo.loadRun(key(run)))?.run).toEqual({ ...run, owner: taker });
      });

      it('records the end time given (a recovery ending the run), still running', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const endTime = '2025-05-03T12:09:00.000Z';
        const claimed = await repo.claimRun({
          ...key(run),
          expectedStatus: 'running',
          expectedOwner: OWNER,
          owner: OTHER_OWNER,
          nodeIds: run.nodeIds,
          runbookHash: run.runbookHash,
          trigger: 'run',
          endTime,
        });
        expect(claimed).toBe(true);
        expect((await repo.loadRun(key(run)))?.run).toEqual({
          ...run,
          status: 'running',
          endTime,
          owner: OTHER_OWNER,
        });
        expect((await repo.listRunningRuns(run.workflowName)).map((r) => r.endTime)).toEqual([endTime]);
      });

      it('lets exactly one of two concurrent claims win', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.finishRun(key(run), {
          status: 'aborted',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 0,
          nodesSkipped: 0,
        });
        const owners: RunOwner[] = [
          { host: 'h1', pid: 1, processGroup: null },
          { host: 'h2', pid: 2, processGroup: null },
        ];
        const results = await Promise.all(
          owners.map((owner) =>
            repo.claimRun({
              ...key(run),
              expectedStatus: 'aborted',
              expectedOwner: null,
              owner,
              nodeIds: [],
              runbookHash: null,
            }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = owners[results.indexOf(true)];
        expect((await repo.loadRun(key(run)))?.run.owner).toEqual(winner);
      });
    });

    describe('finishRun and setOwnerProcessGroup', () => {
      it('ends a run with its status, end time and counts, and clears the owner', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.setOwnerProcessGroup(key(run), 31337);
        await repo.finishRun(key(run), {
          status: 'nok',
          endTime: T3,
          nodesOk: 2,
          nodesNok: 1,
          nodesSkipped: 4,
        });
        expect((await repo.loadRun(key(run)))?.run).toEqual({
          ...run,
          status: 'nok',
          endTime: T3,
          nodesOk: 2,
          nodesNok: 1,
          nodesSkipped: 4,
          owner: null,
        });
      });

      it('records and clears the process group without touching the rest of the owner', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.setOwnerProcessGroup(key(run), 4321);
        expect((await repo.findLatestRun('deploy'))?.owner).toEqual({ ...OWNER, processGroup: 4321 });
        await repo.setOwnerProcessGroup(key(run), null);
        expect((await repo.loadRun(key(run)))?.run.owner).toEqual(OWNER);
      });

      it('clears the process group when an attempt finishes, keeping the rest of the owner', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.setOwnerProcessGroup(key(run), 2718);
        expect((await repo.findLatestRun('deploy'))?.owner).toEqual({ ...OWNER, processGroup: 2718 });
        await repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1000, exitCode: 0 });
        expect((await repo.loadRun(key(run)))?.run.owner).toEqual(OWNER);
      });

      it('leaves the process group alone when finishing an attempt fails', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const attempt = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1000 });
        await repo.setOwnerProcessGroup(key(run), 1618);
        await expect(
          repo.finishAttempt(attempt, { status: 'nok', endTime: T3, durationMs: 2 }),
        ).rejects.toMatchObject(refused('ATTEMPT_NOT_RUNNING'));
        expect((await repo.loadRun(key(run)))?.run.owner).toEqual({ ...OWNER, processGroup: 1618 });
      });

      it('keeps the process group of every attempt running side by side, each until its attempt ends', async (context) => {
        const repo = await fresh();
        if (repo.addOwnerProcessGroup === undefined) return context.skip();
        const run = await repo.createRun(runInput());
        const attempts: AttemptKey[] = [];
        for (const nodeId of ['build', 'lint', 'test']) {
          attempts.push(await repo.startAttempt({ ...key(run), nodeId, startTime: T1, status: 'running' }));
        }
        const [build, lint, test] = attempts as [AttemptKey, AttemptKey, AttemptKey];
        await repo.addOwnerProcessGroup(build, 101);
        await repo.addOwnerProcessGroup(lint, 102);
        await repo.addOwnerProcessGroup(test, 103);
        expect([...((await repo.loadRun(key(run)))?.processGroups ?? [])].sort()).toEqual([101, 102, 103]);
        await repo.finishAttempt(lint, { status: 'ok', endTime: T2, durationMs: 1000, exitCode: 0 });
        expect([...((await repo.loadRun(key(run)))?.processGroups ?? [])].sort()).toEqual([101, 103]);
        // An attempt that has ended gets no group: its command is gone.
        await repo.addOwnerProcessGroup(lint, 104);
        await repo.finishAttempt(build, { status: 'nok', endTime: T2, durationMs: 1000, exitCode: 1 });
        await repo.finishAttempt(test, { status: 'ok', endTime: T2, durationMs: 1000, exitCode: 0 });
        expect((await repo.loadRun(key(run)))?.processGroups).toBeUndefined();
        await expect(repo.addOwnerProcessGroup({ ...build, attempt: 9 }, 105)).rejects.toMatchObject(
          refused('ATTEMPT_NOT_FOUND'),
        );
      });
    });

    describe('re-runs', () => {
      it('records each re-run of a run with its steps and reason, oldest first, and refuses an unknown run', async (context) => {
        const repo = await fresh();
        if (repo.recordRerun === undefined || repo.listReruns === undefined) return context.skip();
        const run = await repo.createRun(runInput());
        const other = await repo.createRun(runInput());
        await repo.recordRerun(key(run), {
          time: T1,
          nodeIds: ['test', 'deploy'],
          reason: 'flaky test, déjà vu ✓',
        });
        await repo.recordRerun(key(run), { time: T2, nodeIds: ['deploy'], reason: null });
        expect(await repo.listReruns(key(run))).toEqual([
          { time: T1, nodeIds: ['test', 'deploy'], reason: 'flaky test, déjà vu ✓' },
          { time: T2, nodeIds: ['deploy'], reason: null },
        ]);
        expect(await repo.listReruns(key(other))).toEqual([]);
        const missing = { workflowName: 'deploy', runId: 999 };
        await expect(
          repo.recordRerun(missing, { time: T1, nodeIds: [], reason: null }),
        ).rejects.toMatchObject(refused('RUN_NOT_FOUND'));
      });
    });

    describe('inputs', () => {
      it('stores the input values given to createRun with their types, and returns them by name', async () => {
        const repo = await fresh();
        // A secret input is stored as null: its name, never its value.
        const inputs = {
          version: '1.2.3',
          replicas: 3,
          ratio: 0.5,
          dry_run: false,
          note: 'a\'b; "c"\n✓',
          token: null,
        };
        const withInputs = await repo.createRun({ ...runInput(), inputs });
        const without = await repo.createRun(runInput());
        const loaded = await repo.loadRun(key(withInputs));
        expect(loaded?.inputs).toEqual(inputs);
        expect(Object.keys(loaded?.inputs ?? {})).toEqual([
          'dry_run',
          'note',
          'ratio',
          'replicas',
          'token',
          'version',
        ]);
        // A run without inputs (every v1 runbook's) has none at all, not an empty table.
        expect(await repo.loadRun(key(without))).not.toHaveProperty('inputs');
        await repo.finishRun(key(withInputs), {
          status: 'nok',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 1,
          nodesSkipped: 0,
        });
        await repo.claimRun({
          ...key(withInputs),
          expectedStatus: 'nok',
          expectedOwner: null,
          owner: OTHER_OWNER,
          nodeIds: [],
          runbookHash: null,
        });
        expect((await repo.loadRun(key(withInputs)))?.inputs).toEqual(inputs);
      });
    });

    describe('answers', () => {
      it('remembers answers per run and node, the latest value winning, across a resume', async () => {
        const repo = await fresh();
        const first = await repo.createRun(runInput());
        const second = await repo.createRun(runInput());
        await repo.saveAnswer(key(first), 'notify', 'channel', '#ops');
        await repo.saveAnswer(key(first), 'notify', 'message', 'déployé ✓\nline two');
        await repo.saveAnswer(key(first), 'scale', 'replicas', '3');
        await repo.saveAnswer(key(first), 'scale', 'replicas', '5');
        await repo.saveAnswer(key(second), 'notify', 'channel', '#other');
        await repo.finishRun(key(first), {
          status: 'aborted',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 0,
          nodesSkipped: 0,
        });
        await repo.claimRun({
          ...key(first),
          expectedStatus: 'aborted',
          expectedOwner: null,
          owner: OTHER_OWNER,
          nodeIds: [],
          runbookHash: null,
        });
        expect((await repo.loadRun(key(first)))?.answers).toEqual({
          notify: { channel: '#ops', message: 'déployé ✓\nline two' },
          scale: { replicas: '5' },
        });
        expect((await repo.loadRun(key(second)))?.answers).toEqual({ notify: { channel: '#other' } });
      });

      it('stores an empty answer as the empty string', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.saveAnswer(key(run), 'notify', 'suffix', '');
        expect((await repo.loadRun(key(run)))?.answers).toEqual({ notify: { suffix: '' } });
      });
    });

    describe('outputs', () => {
      it("keeps each attempt's outputs and secret output keys with it, exactly as given, and none for an attempt without", async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        const first = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T1,
          status: 'running',
        });
        await repo.finishAttempt(first, {
          status: 'nok',
          endTime: T1,
          durationMs: 5,
          exitCode: 1,
          outputs: { image: 'app:1' },
        });
        const retry = await repo.startAttempt({
          ...key(run),
          nodeId: 'build',
          startTime: T2,
          status: 'running',
        });
        const outputs = Object.fromEntries([
          ['image', 'app:2 ✓ 日本語 🚀'],
          ['empty', ''],
          ['body', 'line one\r\nline two\n'],
          ['big', 'x'.repeat(64 * 1024)],
          // A key JavaScript gives a meaning to must come back as a plain key.
          ['__proto__', 'plain'],
        ]);
        await repo.finishAttempt(retry, { status: 'ok', endTime: T2, durationMs: 5, exitCode: 0, outputs });
        const other = await repo.startAttempt({
          ...key(run),
          nodeId: 'ship',
          startTime: T3,
          status: 'running',
        });
        // Secret outputs: only their keys are ever given, to show that they were produced.
        await repo.finishAttempt(other, {
          status: 'ok',
          endTime: T3,
          durationMs: 5,
          outputs: {},
          secretOutputs: ['token', 'api_key'],
        });
        const skipped = await repo.startAttempt({
          ...key(run),
          nodeId: 'prepare',
          startTime: T3,
          status: 'skipped',
        });

        const loaded = (await repo.loadRun(key(run)))?.attempts ?? [];
        expect(
          loaded.map((attempt) => [attempt.nodeId, attempt.attempt, attempt.outputs, attempt.secretOutputs]),
        ).toEqual([
          ['build', 1, { image: 'app:1' }, undefined],
          ['build', 2, outputs, undefined],
          ['ship', 1, undefined, ['token', 'api_key']],
          ['prepare', 1, undefined, undefined],
        ]);
        expect(Object.getPrototypeOf(loaded[1]?.outputs)).toBe(Object.prototype);
        expect(Object.keys(loaded[1]?.outputs ?? {}).sort()).toEqual([
          '__proto__',
          'big',
          'body',
          'empty',
          'image',
        ]);
        expect(skipped.outputs).toBeUndefined();
      });

      it('keeps outputs apart per run and returns copies', async () => {
        const repo = await fresh();
        const one = await repo.createRun(runInput());
        const two = await repo.createRun(runInput());
        for (const [run, value] of [
          [one, 'first'],
          [two, 'second'],
        ] as const) {
          const attempt = await repo.startAttempt({
            ...key(run),
            nodeId: 'build',
            startTime: T1,
            status: 'running',
          });
          await repo.finishAttempt(attempt, { status: 'ok', endTime: T1, durationMs: 1, outputs: { value } });
        }
        const loaded = await repo.loadRun(key(one));
        (loaded?.attempts[0]?.outputs as Record<string, string>)['value'] = 'changed';
        expect((await repo.loadRun(key(one)))?.attempts[0]?.outputs).toEqual({ value: 'first' });
        expect((await repo.loadRun(key(two)))?.attempts[0]?.outputs).toEqual({ value: 'second' });
      });
    });

    describe('isolation', () => {
      it('returns copies: changing a returned record changes nothing stored', async () => {
        const repo = await fresh();
        const run = await repo.createRun(runInput());
        await repo.startAttempt({ ...key(run), nodeId: 'build', startTime: T1, status: 'running' });
        await repo.saveAnswer(key(run), 'notify', 'channel', '#ops');
        const before = structuredClone(await repo.loadRun(key(run)));
        const loaded = await repo.loadRun(key(run));
        if (loaded === undefined || loaded.run.owner === null)
          throw new Error('run 1 should exist with an owner');
        // Deliberately break the readonly types, as a careless caller in plain JavaScript could.
        (loaded.run.nodeIds as string[]).push('intruder');
        (loaded.run.owner as { pid: number }).pid = 1;
        (loaded.run as { status: string }).status = 'ok';
        (loaded.attempts[0] as { status: string }).status = 'ok';
        (loaded.attempts as unknown[]).pop();
        (loaded.answers as Record<string, Record<string, string>>)['notify'] = { channel: '#changed' };
        (run.nodeIds as string[]).push('intruder');
        expect(await repo.loadRun(key(run))).toEqual(before);
      });
    });

    describe('who did what (SPEC §10.1)', () => {
      for (const identityCase of identityCases) {
        it(identityCase.name, () => identityCase.run(stores as ContractStores<RunRepository>));
      }
    });

    describe('audit log (SPEC §10.3)', () => {
      for (const auditCase of auditCases) {
        it(auditCase.name, () => auditCase.run(stores as ContractStores<RunRepository>));
      }
    });

    describe('approval gates (SPEC §10.2)', () => {
      for (const approvalCase of approvalCases) {
        it(approvalCase.name, () => approvalCase.run(stores as ContractStores<RunRepository>));
      }
    });

    describe('reopen', () => {
      for (const reopenCase of repositoryReopenCases) {
        it(reopenCase.name, () => reopenCase.run(stores as ContractStores<RunRepository>));
      }
    });

    // Optional in the port: a repository without it is never asked, and these cases are skipped for it.
    describe('ownerLeaseExpired', () => {
      const held: RunOwner = { host: 'host-elsewhere', pid: 31, processGroup: null };

      it('is false while the owner holds the run', async (context) => {
        const repo = await fresh();
        if (repo.ownerLeaseExpired === undefined) return context.skip();
        const run = await repo.createRun(runInput('deploy', { owner: held }));
        expect(await repo.ownerLeaseExpired(run)).toBe(false);
      });

      it('is false for a run that has ended, or that another owner has claimed since it was read', async (context) => {
        const repo = await fresh();
        if (repo.ownerLeaseExpired === undefined) return context.skip();
        const ended = await repo.createRun(runInput('deploy', { owner: held }));
        await repo.finishRun(key(ended), {
          status: 'ok',
          endTime: T1,
          nodesOk: 0,
          nodesNok: 0,
          nodesSkipped: 0,
        });
        expect(await repo.ownerLeaseExpired(ended)).toBe(false);
        const taken = await repo.createRun(runInput('deploy', { owner: held }));
        const claim = {
          ...key(taken),
          expectedStatus: 'running' as const,
          expectedOwner: held,
          owner: OTHER_OWNER,
        };
        expect(await repo.claimRun({ ...claim, nodeIds: [], runbookHash: null })).toBe(true);
        expect(await repo.ownerLeaseExpired(taken)).toBe(false);
      });

      it('is true once the owner stopped renewing for longer than its lease', async (context) => {
        const repo = await fresh();
        const leaseMs = options.leaseMs;
        if (repo.ownerLeaseExpired === undefined || leaseMs === undefined) return context.skip();
        const run = await repo.createRun(runInput('deploy', { owner: held }));
        // Closing the owner's store stops its renewals, as the owner's process dying would.
        const other = await stores.reopen(repo);
        await new Promise((resolve) => setTimeout(resolve, leaseMs * 1.5 + 100));
        expect(await other.ownerLeaseExpired?.(run)).toBe(true);
      });
    });
  });
}
