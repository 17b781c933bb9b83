import type { RunRecord } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { ownerLiveness, recoverStaleRun } from './recover-stale-run.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FakeProcessTable } from './testing/fake-process-table.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const WORKFLOW = 'Test runbook';
const KEY = { workflowName: WORKFLOW, runId: 1 };
const GROUP = 888;

/** A repository shared across hosts whose owner lease is expired or not, as the test says. */
class LeasedRepository extends InMemoryRunRepository {
  expired = false;
  readonly asked: RunRecord[] = [];
  async ownerLeaseExpired(run: RunRecord): Promise<boolean> {
    this.asked.push(run);
    return this.expired;
  }
}

/** Run 1 owned by process 777 on host `elsewhere`, attempt `a` running its command in group 888 there. */
async function runOnAnotherHost(expired: boolean) {
  const repository = new LeasedRepository();
  repository.expired = expired;
  await repository.createRun({
    workflowName: WORKFLOW,
    startTime: '2024-12-31T00:00:00.000Z',
    owner: { host: 'elsewhere', pid: 777, processGroup: null },
    runbookHash: null,
    nodeIds: ['a', 'b'],
  });
  await repository.startAttempt({
    ...KEY,
    nodeId: 'a',
    startTime: '2024-12-31T00:00:01.000Z',
    status: 'running',
  });
  await repository.setOwnerProcessGroup(KEY, GROUP);
  // The same numbers are alive here: a group number from another host must never be signalled on this one.
  const processTable = new FakeProcessTable({ host: 'here', alive: [777, GROUP] });
  return { repository, processTable, ports: createTestPorts({ repository, processTable }) };
}

describe('an owner on another host, judged by the repository lease', () => {
  it('is live while its lease holds: not recovered, resume refused', async () => {
    const { ports, repository, processTable } = await runOnAnotherHost(false);
    const run = (await repository.loadRun(KEY))?.run;
    expect(run && (await ownerLiveness(run, ports))).toBe('other-host');
    expect(await recoverStaleRun(ports, KEY)).toMatchObject({ recovered: false, reason: 'other-host' });
    const resume = createEngine(ports).resume(buildRunbook([commandNode('a', 'a'), commandNode('b', 'b')]), {
      interactive: false,
    });
    await expect(resume).rejects.toMatchObject({ code: 'RUN_IN_PROGRESS' });
    expect(processTable.killed).toEqual([]);
    expect((await repository.loadRun(KEY))?.run.status).toBe('running');
  });

  it('is stale once its lease expired: recovered without signalling its group here', async () => {
    const { ports, repository, processTable } = await runOnAnotherHost(true);
    const result = await recoverStaleRun(ports, KEY);
    expect(result.recovered).toBe(true);
    expect(processTable.killed).toEqual([]);
    const state = await repository.loadRun(KEY);
    expect(state?.run).toMatchObject({ status: 'aborted', owner: null, trigger: 'run' });
    expect(state?.attempts[0]).toMatchObject({ status: 'nok', operatorDecision: 'interrupted' });
  });

  it('lets resume take the run over once its lease expired', async () => {
    const { ports, repository, processTable } = await runOnAnotherHost(true);
    const engine = createEngine({ ...ports, processRunner: new FakeProcessRunner({ a: {}, b: {} }) });
    const outcome = await engine.resume(buildRunbook([commandNode('a', 'a'), commandNode('b', 'b')]), {
      interactive: false,
    });
    expect(outcome).toMatchObject({ runId: 1, status: 'ok' });
    expect(processTable.killed).toEqual([]);
    const attempts = (await repository.loadRun(KEY))?.attempts ?? [];
    expect(attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`)).toEqual([
      'a#1:nok',
      'a#2:ok',
      'b#1:ok',
    ]);
  });

  it('is not asked about owners on this host: their process is checked directly', async () => {
    const repository = new LeasedRepository();
    repository.expired = true;
    const run = await repository.createRun({
      workflowName: WORKFLOW,
      startTime: 't',
      owner: { host: 'here', pid: 10, processGroup: null },
      runbookHash: null,
      nodeIds: [],
    });
    const processTable = new FakeProcessTable({ host: 'here', alive: [10] });
    expect(await ownerLiveness(run, { repository, processTable })).toBe('live-owner');
    expect(repository.asked).toEqual([]);
  });
});
