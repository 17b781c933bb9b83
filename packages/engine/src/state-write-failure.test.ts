import type { RunState } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { recoverStaleRun } from './recover-stale-run.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FakeProcessTable } from './testing/fake-process-table.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const WRITES = [
  'createRun',
  'claimRun',
  'setOwnerProcessGroup',
  'startAttempt',
  'finishAttempt',
  'recordDecision',
  'finishRun',
  'saveAnswer',
] as const;
type Write = (typeof WRITES)[number];

/**
 * A store whose writes fail as a full disk or a lock held past the busy timeout make them fail: `failAt` is the
 * number of the first write that fails (1-based, counted over every write method), `failing` how many fail from
 * there (Infinity: the store stays broken). A write that fails changes nothing.
 */
class FailingWrites extends InMemoryRunRepository {
  writes = 0;
  readonly failed: Write[] = [];
  constructor(
    readonly failAt: number,
    readonly failing: number,
  ) {
    super();
    for (const name of WRITES) {
      const original = (this[name] as (...args: unknown[]) => Promise<unknown>).bind(this);
      (this as unknown as Record<Write, unknown>)[name] = async (...args: unknown[]) => {
        this.writes += 1;
        if (this.writes >= this.failAt && this.writes < this.failAt + this.failing) {
          this.failed.push(name);
          // Shaped as the SQL adapters fail a write (StateStoreError QUERY_FAILED): the engine sees only the port.
          throw Object.assign(new Error('database is locked'), { code: 'QUERY_FAILED' });
        }
        return original(...args);
      };
    }
  }
}

const runbook = buildRunbook([
  commandNode('a', 'a'),
  commandNode('b', 'b', { dependsOn: ['a'] }),
  commandNode('c', 'c', { dependsOn: ['b'] }),
]);
const scripts = () =>
  new FakeProcessRunner({ a: { stdout: 'a out\n' }, b: { exitCode: 3 }, c: { stdout: 'c out\n' } });
const KEY = { workflowName: 'Test runbook', runId: 1 };

function describeState(state: RunState | undefined): string[] {
  if (state === undefined) return [];
  return [
    `run:${state.run.status}`,
    ...state.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}/${a.operatorDecision}`),
  ];
}

describe('a state write that fails in the middle of a step', () => {
  it('ends the attempt nok (exit code kept, the error as its exception) and the run aborted', async () => {
    // Writes: createRun 1, a: start 2, group 3, finish 4; b: start 5, group 6, finish 7 ← fails once.
    const repository = new FailingWrites(7, 1);
    const ports = createTestPorts({ repository, processRunner: scripts() });
    await expect(createEngine(ports).run(runbook, { interactive: false })).rejects.toThrow(
      'database is locked',
    );
    expect(repository.failed).toEqual(['finishAttempt']);
    const state = await repository.loadRun(KEY);
    expect(describeState(state)).toEqual(['run:aborted', 'a#1:ok/null', 'b#1:nok/null']);
    const b = state?.attempts[1];
    expect(b).toMatchObject({ exitCode: 3, stdout: null, durationMs: expect.any(Number) });
    expect(b?.exception).toContain('database is locked');
    expect(state?.run).toMatchObject({ nodesOk: 1, nodesNok: 1, owner: null });
  });

  it('leaves the run running under its owner when nothing can be written; a recovery then ends it', async () => {
    const repository = new FailingWrites(7, Number.POSITIVE_INFINITY);
    const ports = createTestPorts({ repository, processRunner: scripts() });
    await expect(createEngine(ports).run(runbook, { interactive: false })).rejects.toThrow(
      'database is locked',
    );
    const state = await repository.loadRun(KEY);
    expect(describeState(state)).toEqual(['run:running', 'a#1:ok/null', 'b#1:running/null']);
    expect(state?.run.owner).toMatchObject({ pid: ports.processTable.pid });

    // The owner is gone (its process exited): another process records what the crash rule says.
    repository.writes = Number.NEGATIVE_INFINITY;
    const other = createTestPorts({ repository, processTable: new FakeProcessTable({ pid: 99 }) });
    expect((await recoverStaleRun(other, KEY)).recovered).toBe(true);
    expect(describeState(await repository.loadRun(KEY))).toEqual([
      'run:aborted',
      'a#1:ok/null',
      'b#1:nok/interrupted',
    ]);
  });

  // Whichever write fails, once or for good: never an `aborted` run with an attempt still `running` under it,
  // and a resume from another process (the owner is gone) completes the run without re-running what ended ok.
  const cases = [];
  for (let failAt = 1; failAt <= 12; failAt++) {
    for (const failing of [1, 2, Number.POSITIVE_INFINITY]) cases.push({ failAt, failing });
  }
  it.each(cases)(
    'write $failAt failing $failing time(s): consistent, resumable',
    async ({ failAt, failing }) => {
      const repository = new FailingWrites(failAt, failing);
      const processRunner = scripts();
      const ports = createTestPorts({ repository, processRunner });
      const outcome = await createEngine(ports)
        .run(runbook, { interactive: false })
        .then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      const state = await repository.loadRun(KEY);
      if ('value' in outcome) {
        // The failure came after the run was written ended (or never came): b ended nok, as it does.
        expect(outcome.value.status).toBe('nok');
        return;
      }
      expect(String(outcome.error)).toContain('database is locked');
      if (state === undefined) return; // createRun itself failed: nothing was written
      const running = state.attempts.filter((a) => a.status === 'running');
      if (state.run.status !== 'running') expect(running).toEqual([]);
      expect(running.length).toBeLessThanOrEqual(1);
      const okBefore = state.attempts.filter((a) => a.status === 'ok').map((a) => a.nodeId);

      repository.writes = Number.NEGATIVE_INFINITY;
      const fixed = new FakeProcessRunner({ a: {}, b: {}, c: {} });
      const resumed = await createEngine(
        createTestPorts({
          repository,
          processRunner: fixed,
          processTable: new FakeProcessTable({ pid: 99 }),
        }),
      ).resume(runbook, { interactive: false });
      expect(resumed.status).toBe('ok');
      expect(fixed.commands.filter((command) => okBefore.includes(command))).toEqual([]);
      const after = await repository.loadRun(KEY);
      expect(after?.attempts.filter((a) => a.status === 'running')).toEqual([]);
    },
  );

  // The decision written on a failed attempt (SPEC §9.3) is a write like the others: when it fails, the run stops.
  it.each([
    { how: 'an operator', options: { interactive: true }, answers: [{ afterFailure: 'retry' as const }] },
    { how: 'an automatic retry', options: { interactive: false, retries: 1 }, answers: [] },
  ])(
    'a retry by $how whose decision cannot be written aborts the run, resumable',
    async ({ options, answers }) => {
      // createRun 1, x: start 2, group 3, finish 4; the decision on x#1 5 ← fails once.
      const repository = new FailingWrites(5, 1);
      const single = buildRunbook([commandNode('x', 'x')]);
      const processRunner = new FakeProcessRunner({ x: { exitCode: 1 } });
      const ports = createTestPorts({ repository, processRunner, answers });
      await expect(createEngine(ports).run(single, options)).rejects.toThrow('database is locked');
      expect(repository.failed).toEqual(['recordDecision']);
      // No retry was started on an answer the history does not hold.
      expect(processRunner.commands).toEqual(['x']);
      expect(describeState(await repository.loadRun(KEY))).toEqual(['run:aborted', 'x#1:nok/null']);

      const resumed = await createEngine(
        createTestPorts({ repository, processRunner: new FakeProcessRunner({ x: {} }) }),
      ).resume(single, { interactive: false });
      expect(resumed.status).toBe('ok');
    },
  );

  it('a Manual step answered while the store fails is recorded nok, not left running', async () => {
    // createRun 1, m: start 2, finish 3 ← fails once.
    const repository = new FailingWrites(3, 1);
    const ports = createTestPorts({ repository, answers: [{ manual: 'ok' }] });
    await expect(
      createEngine(ports).run(buildRunbook([manualNode('m')]), { interactive: true }),
    ).rejects.toThrow('database is locked');
    expect(describeState(await repository.loadRun(KEY))).toEqual(['run:aborted', 'm#1:nok/null']);
  });
});
