import { expect } from 'vitest';
import { verifyRun } from '../../audit/verify-run.js';
import type { OperatorIdentity } from '../../ports/identity.js';
import type { RunHistory } from '../../ports/run-history.js';
import type { RecordApprovalInput, RunRepository } from '../../ports/run-repository.js';
import { key, runInput, T1, T2, T3 } from './fixtures.js';
import type { ReopenCase } from './reopen-cases.js';

const HASH = 'ab'.repeat(32);
const ALICE: OperatorIdentity = { operator: 'alice', osUser: 'ops@host-a' };
const BOB: OperatorIdentity = { operator: 'bob', osUser: 'ops@host-b' };

/** A run of `deploy` whose `gate` waits (SPEC §10.2): `prepare` ended ok, the run ended `waiting`. */
async function waitingRun(repo: RunRepository) {
  const run = await repo.createRun(
    runInput('deploy', { runbookHash: HASH, nodeIds: ['prepare', 'gate', 'ship'] }),
  );
  const attempt = await repo.startAttempt({
    ...key(run),
    nodeId: 'prepare',
    startTime: T1,
    status: 'running',
  });
  await repo.finishAttempt(attempt, { status: 'ok', endTime: T1, durationMs: 0 });
  await repo.finishRun(key(run), {
    status: 'waiting',
    endTime: T1,
    nodesOk: 1,
    nodesNok: 0,
    nodesSkipped: 0,
  });
  return run;
}

function decision(
  run: { workflowName: string; runId: number },
  by: OperatorIdentity,
  overrides: Partial<RecordApprovalInput> = {},
): RecordApprovalInput {
  const decision = overrides.decision ?? 'approve';
  return {
    workflowName: run.workflowName,
    runId: run.runId,
    nodeId: 'gate',
    round: 1,
    who: by.operator as string,
    decision,
    at: T2,
    note: null,
    by,
    runbookHash: HASH,
    inputsSha256: null,
    min: 2,
    countsIfRejected: { ok: 1, nok: 1, skipped: 0 },
    session: { kind: decision, at: T2, by, flags: [], runbookHash: HASH },
    ...overrides,
  };
}

/**
 * What `runRepositoryContract` checks of approval gates (SPEC §10.2), for a repository with `recordApproval`
 * (the cases pass without checking anything for one without: the port makes it optional).
 */
export const approvalCases: readonly ReopenCase<RunRepository>[] = [
  {
    name: 'records one decision per person; the min-th approval writes the gate ok, with its audit entries',
    async run(stores) {
      let repo = await stores.fresh();
      if (repo.recordApproval === undefined) return;
      const run = await waitingRun(repo);
      const first = await repo.recordApproval(decision(run, ALICE, { note: 'looks right' }));
      expect(first).toEqual({ kind: 'recorded', gate: 'waiting', approvers: ['alice'] });
      // The same person again, from another host: refused, nothing written.
      const again = await repo.recordApproval(decision(run, { ...ALICE, osUser: 'alice@elsewhere' }));
      expect(again).toEqual({ kind: 'refused', reason: 'twice', decision: 'approve' });
      const second = await repo.recordApproval(decision(run, BOB, { at: T3 }));
      expect(second).toEqual({ kind: 'recorded', gate: 'approved', approvers: ['alice', 'bob'] });
      repo = await stores.reopen(repo);
      const state = await repo.loadRun(key(run));
      expect(
        state?.approvals?.map((a) => [a.seq, a.who, a.decision, a.round, a.note, a.runbookHash]),
      ).toEqual([
        [1, 'alice', 'approve', 1, 'looks right', HASH],
        [2, 'bob', 'approve', 1, null, HASH],
      ]);
      const gate = state?.attempts.find((a) => a.nodeId === 'gate');
      expect(gate).toMatchObject({
        attempt: 1,
        status: 'ok',
        operatorDecision: 'approved',
        resultText: 'approved by alice, bob',
      });
      expect(state?.run.status).toBe('waiting');
      expect(state?.sessions?.map((s) => s.kind)).toEqual(['approve', 'approve']);
      const history = repo as RunRepository & Partial<RunHistory>;
      if (history.auditLog !== undefined && state !== undefined) {
        expect(verifyRun(key(run), await history.auditLog(key(run)), state).status).toBe('intact');
      }
    },
  },
  {
    name: 'a rejection writes the gate nok and ends the run nok; a run that does not wait refuses',
    async run(stores) {
      let repo = await stores.fresh();
      if (repo.recordApproval === undefined) return;
      const run = await waitingRun(repo);
      const rejected = await repo.recordApproval(
        decision(run, BOB, { decision: 'reject', note: 'not today' }),
      );
      expect(rejected).toEqual({ kind: 'recorded', gate: 'rejected', approvers: [] });
      repo = await stores.reopen(repo);
      const state = await repo.loadRun(key(run));
      expect(state?.run).toMatchObject({ status: 'nok', nodesOk: 1, nodesNok: 1 });
      expect(state?.attempts.find((a) => a.nodeId === 'gate')).toMatchObject({
        status: 'nok',
        operatorDecision: 'rejected',
        resultText: 'rejected by bob: not today',
      });
      const again = repo.recordApproval?.bind(repo) as NonNullable<RunRepository['recordApproval']>;
      expect(await again(decision(run, ALICE))).toEqual({
        kind: 'refused',
        reason: 'not-waiting',
        status: 'nok',
      });
      expect(await again(decision(run, ALICE, { runbookHash: 'cd'.repeat(32) }))).toMatchObject({
        kind: 'refused',
      });
    },
  },
  {
    name: 'two people deciding at the same moment: both recorded, the gate decided once',
    async run(stores) {
      const repo = await stores.fresh();
      const record = repo.recordApproval?.bind(repo);
      if (record === undefined) return;
      const run = await waitingRun(repo);
      const outcomes = await Promise.all([
        record(decision(run, ALICE, { min: 1 })),
        record(decision(run, BOB, { min: 1 })),
      ]);
      expect(outcomes.map((o) => (o.kind === 'recorded' ? o.gate : o.kind)).sort()).toEqual([
        'approved',
        'decided-before',
      ]);
      const state = await repo.loadRun(key(run));
      expect(state?.approvals?.map((a) => a.who).sort()).toEqual(['alice', 'bob']);
      expect(state?.attempts.filter((a) => a.nodeId === 'gate')).toHaveLength(1);
    },
  },
];
