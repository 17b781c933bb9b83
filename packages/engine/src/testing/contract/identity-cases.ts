import { expect } from 'vitest';
import type { OperatorIdentity, SessionInput, WhatRan } from '../../ports/identity.js';
import type { RunHistory } from '../../ports/run-history.js';
import type { RunRepository } from '../../ports/run-repository.js';
import { key, OWNER, runInput, T0, T1, T2, T3 } from './fixtures.js';
import type { ReopenCase } from './reopen-cases.js';

const ALICE: OperatorIdentity = { operator: 'alice', osUser: 'ops@host-a' };
const BOB: OperatorIdentity = { operator: null, osUser: 'bob@host-b' };
const HASH = 'ab'.repeat(32);
const RAN: WhatRan = {
  command: "echo 'déployé' | tee out.log",
  params: null,
  cwd: '/srv/runbooks',
  envKeys: ['PLAYBOOK_ATTEMPT', 'PLAYBOOK_RUN_ID'],
};

function session(kind: SessionInput['kind'], at: string, by: OperatorIdentity): SessionInput {
  return { kind, at, by, flags: ['--non-interactive', '--set', 'ask.value=***'], runbookHash: HASH };
}

/** The identity as a store gives it back: the database role is the store's own (null, or a name). */
function stored(by: OperatorIdentity): unknown {
  return { ...by, dbUser: expect.toBeOneOf([null, expect.any(String)]) };
}

/** What `runRepositoryContract` checks of who did what (SPEC §10.1); each case also checks it across a reopen. */
export const identityCases: readonly ReopenCase<RunRepository>[] = [
  {
    name: 'records who started a run, its session and its runbook text (once per hash)',
    async run(stores) {
      let repo = await stores.fresh();
      const run = await repo.createRun(
        runInput('deploy', { by: ALICE, session: session('run', T0, ALICE), runbookText: '[runbook]\n' }),
      );
      expect(run.startedBy).toEqual(stored(ALICE));
      // A second run of the same file stores no second copy, and never replaces the first.
      await repo.createRun(runInput('deploy', { by: BOB, runbookText: 'changed?' }));
      repo = await stores.reopen(repo);
      const state = await repo.loadRun(key(run));
      expect(state?.run.startedBy).toEqual(stored(ALICE));
      expect(state?.sessions).toEqual([{ ...session('run', T0, ALICE), by: stored(ALICE), seq: 1 }]);
      const history = repo as RunRepository & Partial<RunHistory>;
      if (history.runbookText !== undefined) {
        expect(await history.runbookText(HASH)).toBe('[runbook]\n');
        expect(await history.runbookText('cd'.repeat(32))).toBeUndefined();
      }
    },
  },
  {
    name: 'numbers the sessions of a run in order: run, then each resume',
    async run(stores) {
      let repo = await stores.fresh();
      const run = await repo.createRun(runInput('deploy', { by: ALICE, session: session('run', T0, ALICE) }));
      await repo.finishRun(key(run), {
        status: 'aborted',
        endTime: T1,
        nodesOk: 0,
        nodesNok: 0,
        nodesSkipped: 0,
      });
      const claimed = await repo.claimRun({
        ...key(run),
        expectedStatus: 'aborted',
        expectedOwner: null,
        owner: OWNER,
        nodeIds: run.nodeIds,
        runbookHash: HASH,
        by: BOB,
        session: session('resume', T2, BOB),
      });
      expect(claimed).toBe(true);
      repo = await stores.reopen(repo);
      const state = await repo.loadRun(key(run));
      expect(state?.sessions?.map((s) => [s.seq, s.kind, s.at, s.by.osUser])).toEqual([
        [1, 'run', T0, 'ops@host-a'],
        [2, 'resume', T2, 'bob@host-b'],
      ]);
      // The run's starter stays who started it.
      expect(state?.run.startedBy).toEqual(stored(ALICE));
    },
  },
  {
    name: 'records who ran each attempt and what it ran',
    async run(stores) {
      let repo = await stores.fresh();
      const run = await repo.createRun(runInput('deploy', { by: ALICE }));
      const first = await repo.startAttempt({
        ...key(run),
        nodeId: 'build',
        startTime: T1,
        status: 'running',
        by: ALICE,
      });
      expect(first.by).toEqual(stored(ALICE));
      await repo.finishAttempt(first, { status: 'ok', endTime: T2, durationMs: 1000, exitCode: 0, ran: RAN });
      await repo.startAttempt({
        ...key(run),
        nodeId: 'ship',
        startTime: T3,
        status: 'skipped',
        operatorDecision: 'skip',
        by: BOB,
      });
      repo = await stores.reopen(repo);
      const attempts = (await repo.loadRun(key(run)))?.attempts ?? [];
      expect(attempts.map((a) => [a.nodeId, a.by, a.ran ?? null])).toEqual([
        ['build', stored(ALICE), RAN],
        ['ship', stored(BOB), null],
      ]);
    },
  },
];
