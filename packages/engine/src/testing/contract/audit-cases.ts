import type { RunKey } from '@playbook/domain';
import { expect } from 'vitest';
import { verifyRun } from '../../audit/verify-run.js';
import type { OperatorIdentity } from '../../ports/identity.js';
import type { RunHistory } from '../../ports/run-history.js';
import type { RunRepository } from '../../ports/run-repository.js';
import { key, OWNER, runInput, T0, T1, T2, T3 } from './fixtures.js';
import type { ReopenCase } from './reopen-cases.js';

const ALICE: OperatorIdentity = { operator: 'alice', osUser: 'ops@host-a' };

/** The repository's history side; the audit cases need it. */
function history(repo: RunRepository): RunHistory {
  const found = repo as RunRepository & Partial<RunHistory>;
  if (found.auditLog === undefined || found.loadRun === undefined) {
    throw new Error('the audit cases need a repository that is also a RunHistory (auditLog)');
  }
  return found as RunHistory;
}

async function verdict(repo: RunRepository, run: RunKey) {
  const state = await repo.loadRun(run);
  if (state === undefined) throw new Error('run not found');
  return verifyRun(run, await history(repo).auditLog(run), state);
}

/** What `runRepositoryContract` checks of the audit log (SPEC §10.3); each case also checks it across a reopen. */
export const auditCases: readonly ReopenCase<RunRepository>[] = [
  {
    name: 'appends one chained entry per change, and the run verifies intact, also after a reopen',
    async run(stores) {
      let repo = await stores.fresh();
      const run = await repo.createRun(
        runInput('deploy', {
          by: ALICE,
          session: { kind: 'run', at: T0, by: ALICE, flags: [], runbookHash: null },
        }),
      );
      const attempt = await repo.startAttempt({
        ...key(run),
        nodeId: 'build',
        startTime: T1,
        status: 'running',
        by: ALICE,
      });
      await repo.finishAttempt(attempt, {
        status: 'nok',
        endTime: T2,
        durationMs: 1000,
        exitCode: 2,
        stdout: 'déployé ✓\n',
        stderr: 'boom\n',
        ran: { command: 'make', params: null, cwd: '/srv', envKeys: ['A'] },
      });
      await repo.recordDecision(attempt, 'abort', ALICE);
      // A decision already there is kept, and nothing is logged for it.
      await repo.recordDecision(attempt, 'retry', ALICE);
      await repo.saveAnswer(key(run), 'ship', 'target', 'prod', ALICE);
      await repo.finishRun(key(run), {
        status: 'aborted',
        endTime: T3,
        nodesOk: 0,
        nodesNok: 1,
        nodesSkipped: 0,
        by: ALICE,
      });
      expect(
        await repo.claimRun({
          ...key(run),
          expectedStatus: 'aborted',
          expectedOwner: null,
          owner: OWNER,
          nodeIds: run.nodeIds,
          runbookHash: run.runbookHash,
          by: ALICE,
          session: { kind: 'resume', at: T3, by: ALICE, flags: ['--node', 'build'], runbookHash: null },
        }),
      ).toBe(true);
      const log = await history(repo).auditLog(key(run));
      expect(log.unchained).toBe(false);
      expect(log.entries.map((entry) => [entry.seq, JSON.parse(entry.entry).kind])).toEqual([
        [1, 'run-created'],
        [2, 'session'],
        [3, 'attempt-started'],
        [4, 'attempt-ended'],
        [5, 'decision'],
        [6, 'answer'],
        [7, 'run-finished'],
        [8, 'run-claimed'],
        [9, 'session'],
      ]);
      expect(await verdict(repo, key(run))).toMatchObject({ status: 'intact', entries: 9 });
      const head = await history(repo).auditHead(key(run));
      expect(head).toEqual({ seq: 9, hash: log.entries[8]?.hash });
      repo = await stores.reopen(repo);
      expect(await verdict(repo, key(run))).toMatchObject({ status: 'intact', head });
      expect(await history(repo).auditHead({ workflowName: 'deploy', runId: 99 })).toBeUndefined();
    },
  },
  {
    name: 'never forks a chain: concurrent writers to one run each append in turn',
    async run(stores) {
      const repo = await stores.fresh();
      const run = await repo.createRun(runInput());
      const nodes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
      const attempts = await Promise.all(
        nodes.map((nodeId) =>
          repo.startAttempt({ ...key(run), nodeId, startTime: T1, status: 'running', by: ALICE }),
        ),
      );
      await Promise.all(
        attempts.map((attempt) =>
          repo.finishAttempt(attempt, { status: 'ok', endTime: T2, durationMs: 1, stdout: attempt.nodeId }),
        ),
      );
      const log = await history(repo).auditLog(key(run));
      expect(log.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
      expect(await verdict(repo, key(run))).toMatchObject({ status: 'intact', entries: 17 });
    },
  },
];
