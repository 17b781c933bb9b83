import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { ownerLiveness, recoverStaleRun } from './recover-stale-run.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FakeProcessTable } from './testing/fake-process-table.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const KEY = { workflowName: 'Test runbook', runId: 1 };
const DEAD = 777;
const GROUP = 888;
const SHOW = 100;
const RESUME = 200;
const runbook = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b', { dependsOn: ['a'] })]);

/** A process table whose `killGroup` takes `ms`, as stopping an orphan that ignores SIGTERM does. */
class SlowKill extends FakeProcessTable {
  constructor(
    pid: number,
    alive: number[],
    readonly ms: number,
  ) {
    super({ pid, alive });
  }
  override async killGroup(processGroup: number, graceMs: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    await super.killGroup(processGroup, graceMs);
  }
}

/** Run 1 as `kill -9` of its owner leaves it: `a` running in group 888, the owner dead. */
async function crashed() {
  const repository = new InMemoryRunRepository();
  await repository.createRun({
    ...KEY,
    startTime: '2024-12-31T00:00:00.000Z',
    owner: { host: 'test-host', pid: DEAD, processGroup: null },
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
  return repository;
}

// SPEC §2.5 / §2.7: a `show` that recovers a crashed run (taking it over to stop the orphan and record the run
// aborted) must not make a `resume` started meanwhile refuse the run as "driven by a live process".
describe('resume while another process recovers the crashed run', () => {
  it('waits for the recovery to end, then resumes', async () => {
    const repository = await crashed();
    // Two processes on one host: each sees the other alive, the crashed owner dead.
    const show = createTestPorts({ repository, processTable: new SlowKill(SHOW, [RESUME, GROUP], 150) });
    const recovering = recoverStaleRun(show, KEY);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const during = (await repository.loadRun(KEY))?.run;
    expect(during).toMatchObject({ status: 'running', owner: { pid: SHOW, processGroup: GROUP } });
    expect(during?.endTime).not.toBeNull();

    const resumePorts = createTestPorts({
      repository,
      processTable: new FakeProcessTable({ pid: RESUME, alive: [SHOW] }),
      processRunner: new FakeProcessRunner({ a: {}, b: {} }),
    });
    expect(during && (await ownerLiveness(during, resumePorts))).toBe('ending');
    const outcome = await createEngine(resumePorts).resume(runbook, { interactive: false });
    expect((await recovering).recovered).toBe(true);
    expect(outcome).toMatchObject({ runId: 1, status: 'ok' });
    const attempts = (await repository.loadRun(KEY))?.attempts ?? [];
    expect(attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}/${a.operatorDecision}`)).toEqual([
      'a#1:nok/interrupted',
      'a#2:ok/null',
      'b#1:ok/null',
    ]);
  });

  it('still refuses a run a live process drives (no end time)', async () => {
    const repository = await crashed();
    await repository.claimRun({
      ...KEY,
      expectedStatus: 'running',
      expectedOwner: { host: 'test-host', pid: DEAD, processGroup: GROUP },
      owner: { host: 'test-host', pid: SHOW, processGroup: null },
      nodeIds: ['a', 'b'],
      runbookHash: null,
    });
    const ports = createTestPorts({ repository, processTable: new FakeProcessTable({ alive: [SHOW] }) });
    await expect(createEngine(ports).resume(runbook, { interactive: false })).rejects.toMatchObject({
      code: 'RUN_IN_PROGRESS',
      message: expect.stringContaining(`driven by live process ${SHOW}`),
    });
  });

  it('recovers the run itself when the recovering process died midway', async () => {
    const repository = await crashed();
    // A recovery that took the run over, set its end time, and died before writing it aborted.
    await repository.claimRun({
      ...KEY,
      expectedStatus: 'running',
      expectedOwner: { host: 'test-host', pid: DEAD, processGroup: GROUP },
      owner: { host: 'test-host', pid: SHOW, processGroup: GROUP },
      nodeIds: ['a', 'b'],
      runbookHash: null,
      trigger: 'run',
      endTime: '2024-12-31T00:00:05.000Z',
    });
    const processTable = new FakeProcessTable({ pid: RESUME, alive: [GROUP] });
    const ports = createTestPorts({
      repository,
      processTable,
      processRunner: new FakeProcessRunner({ a: {}, b: {} }),
    });
    const outcome = await createEngine(ports).resume(runbook, { interactive: false });
    expect(outcome.status).toBe('ok');
    expect(processTable.killed.map((k) => k.processGroup)).toEqual([GROUP]);
  });
});
