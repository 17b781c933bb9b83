import type { Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { ResumeOptions } from './engine-types.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FixedClock } from './testing/fixed-clock.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

// build → test → deploy, and lint beside them: test's downstream is test and deploy.
const runbook = buildRunbook([
  commandNode('build', 'build'),
  commandNode('test', 'test', { dependsOn: ['build'] }),
  commandNode('lint', 'lint'),
  commandNode('deploy', 'deploy', { dependsOn: ['test', 'lint'] }),
]);
const allOk = { build: {}, test: {}, lint: {}, deploy: {} };

/** Runs the runbook to ok, then resumes it with `options`; what ran, how it ended and what was recorded. */
async function rerun(options: Partial<ResumeOptions>, resumeRunbook: Runbook = runbook) {
  const repository = new InMemoryRunRepository();
  const clock = new FixedClock(new Date('2025-01-01T00:00:00.000Z'), 1000);
  const first = await createEngine(
    createTestPorts({ repository, clock, processRunner: new FakeProcessRunner(allOk) }),
  ).run(runbook, { interactive: false });
  expect(first.status).toBe('ok');
  const ports = createTestPorts({ repository, clock, processRunner: new FakeProcessRunner(allOk) });
  const outcome = await createEngine(ports).resume(resumeRunbook, { interactive: false, ...options });
  const state = await repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
  return {
    outcome,
    commands: ports.processRunner.commands,
    trigger: state?.run.trigger,
    reruns: await repository.listReruns({ workflowName: 'Test runbook', runId: 1 }),
  };
}

describe('re-running steps (SPEC §9.4)', () => {
  it('--only runs just that node again, on a run that ended ok, and records the reason', async () => {
    const result = await rerun({ runId: 1, fromNode: 'test', rerun: 'only', reason: ' flaky result ' });
    expect(result.commands).toEqual(['test']);
    expect(result.outcome.status).toBe('ok');
    expect(result.trigger).toBe('resume');
    expect(result.reruns).toEqual([{ time: expect.any(String), nodeIds: ['test'], reason: 'flaky result' }]);
  });

  it('--downstream runs the node and everything that depends on it, directly or not, in plan order', async () => {
    const result = await rerun({ runId: 1, fromNode: 'test', rerun: 'downstream', reason: 'new test data' });
    expect(result.commands).toEqual(['test', 'deploy']);
    expect(result.reruns.map((r) => r.nodeIds)).toEqual([['test', 'deploy']]);
  });

  it('the run ends with its new status', async () => {
    const repository = new InMemoryRunRepository();
    await createEngine(createTestPorts({ repository, processRunner: new FakeProcessRunner(allOk) })).run(
      runbook,
      {
        interactive: false,
      },
    );
    const ports = createTestPorts({
      repository,
      processRunner: new FakeProcessRunner({ test: { exitCode: 1 } }),
    });
    const outcome = await createEngine(ports).resume(runbook, {
      interactive: false,
      runId: 1,
      fromNode: 'test',
      rerun: 'only',
      reason: 'check',
    });
    expect(outcome.status).toBe('nok');
    expect((await repository.loadRun({ workflowName: 'Test runbook', runId: 1 }))?.run.status).toBe('nok');
  });

  it('refuses an ok run without a reason or without its explicit id, and writes nothing', async () => {
    await expect(rerun({ runId: 1, fromNode: 'test', rerun: 'only' })).rejects.toMatchObject({
      code: 'RERUN_REFUSED',
      message:
        'run 1 of "Test runbook" ended ok: re-running a step of it needs a reason (--reason <text>), which is recorded',
    });
    // Without a run id, the newest resumable run is looked for: an ok run never is.
    await expect(rerun({ fromNode: 'test', rerun: 'only', reason: 'x' })).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
  });

  it('refuses a re-run without a node, and a node that is not (or no longer) in the runbook', async () => {
    await expect(rerun({ runId: 1, rerun: 'downstream', reason: 'x' })).rejects.toMatchObject({
      code: 'RERUN_REFUSED',
    });
    await expect(rerun({ runId: 1, fromNode: 'ghost', rerun: 'only', reason: 'x' })).rejects.toMatchObject({
      code: 'NODE_NOT_FOUND',
      message: 'node "ghost" is not in the runbook',
    });
    const without = buildRunbook(
      runbook.nodes
        .filter((node) => node.id !== 'lint')
        .map((node) => ({
          ...node,
          dependsOn: node.dependsOn.filter((id) => id !== 'lint'),
        })),
    );
    await expect(
      rerun({ runId: 1, fromNode: 'lint', rerun: 'downstream', reason: 'x' }, without),
    ).rejects.toMatchObject({
      code: 'NODE_NOT_FOUND',
      message: 'node "lint" is no longer in the runbook: it was removed from the file since run 1 started',
    });
  });
});
