import type { RunOwner } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { EngineEvent } from './events.js';
import { recoverStaleRun, recoverStaleRuns, runLiveness } from './recover-stale-run.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FakeProcessTable } from './testing/fake-process-table.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const WORKFLOW = 'Test runbook';
const KEY = { workflowName: WORKFLOW, runId: 1 };
const DEAD = 777;
const GROUP = 888;

/**
 * Run 1 as a crashed owner leaves it: `a` ok, `b` skipped, `c` running (its command's group recorded), `d`
 * never started. The process table sees the group alive and the owner dead unless told otherwise.
 */
async function crashedRun(options: { alive?: number[]; host?: string; trigger?: 'resume' } = {}) {
  const repository = new InMemoryRunRepository();
  const owner: RunOwner = { host: 'test-host', pid: DEAD, processGroup: null };
  await repository.createRun({
    workflowName: WORKFLOW,
    startTime: '2024-12-31T00:00:00.000Z',
    owner,
    runbookHash: 'hash-1',
    nodeIds: ['a', 'b', 'c', 'd'],
  });
  const write = async (nodeId: string, status: 'ok' | 'skipped' | 'running', second: number) => {
    const attempt = await repository.startAttempt({
      ...KEY,
      nodeId,
      startTime: `2024-12-31T00:00:0${second}.000Z`,
      status: status === 'skipped' ? 'skipped' : 'running',
    });
    if (status === 'ok') {
      await repository.finishAttempt(attempt, {
        status: 'ok',
        endTime: '2024-12-31T00:00:02.000Z',
        durationMs: 1,
      });
    }
  };
  await write('a', 'ok', 1);
  await write('b', 'skipped', 2);
  await write('c', 'running', 3);
  if (options.trigger === 'resume') {
    // A run that was resumed once already: recovery must keep its trigger.
    await repository.finishRun(KEY, {
      status: 'aborted',
      endTime: 'x',
      nodesOk: 0,
      nodesNok: 0,
      nodesSkipped: 0,
    });
    await repository.claimRun({
      ...KEY,
      expectedStatus: 'aborted',
      expectedOwner: null,
      owner,
      nodeIds: ['a', 'b', 'c', 'd'],
      runbookHash: 'hash-1',
    });
  }
  await repository.setOwnerProcessGroup(KEY, GROUP);
  const processTable = new FakeProcessTable({
    ...(options.host === undefined ? {} : { host: options.host }),
    alive: options.alive ?? [GROUP],
  });
  return { repository, processTable, ports: createTestPorts({ repository, processTable }) };
}

describe('recoverStaleRun', () => {
  it('ends a run whose owner died aborted: group stopped, running attempt interrupted, counts, owner cleared', async () => {
    const { ports, processTable, repository } = await crashedRun();
    const result = await recoverStaleRun(ports, KEY, { killGraceMs: 25 });

    expect(processTable.killed).toEqual([{ processGroup: GROUP, graceMs: 25 }]);
    expect(processTable.alive.has(GROUP)).toBe(false);
    const state = await repository.loadRun(KEY);
    expect(state?.run).toMatchObject({
      status: 'aborted',
      trigger: 'run',
      owner: null,
      endTime: expect.any(String),
      nodesOk: 1,
      nodesNok: 1,
      nodesSkipped: 1,
      nodeIds: ['a', 'b', 'c', 'd'],
      runbookHash: 'hash-1',
    });
    expect(state?.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`)).toEqual([
      'a#1:ok',
      'b#1:skipped',
      'c#1:nok',
    ]);
    expect(state?.attempts[2]).toMatchObject({
      operatorDecision: 'interrupted',
      endTime: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(result).toEqual({
      recovered: true,
      run: state?.run,
      recoveredAt: state?.run.endTime,
      interrupted: [state?.attempts[2]],
      previousOwner: { host: 'test-host', pid: DEAD, processGroup: GROUP },
    });
  });

  it('keeps the trigger of a run that had been resumed', async () => {
    const { ports, repository } = await crashedRun({ trigger: 'resume' });
    expect((await recoverStaleRun(ports, KEY)).recovered).toBe(true);
    expect((await repository.loadRun(KEY))?.run).toMatchObject({ status: 'aborted', trigger: 'resume' });
  });

  it('leaves a run driven by a live process on this host alone', async () => {
    const { ports, processTable, repository } = await crashedRun({ alive: [DEAD, GROUP] });
    const before = await repository.loadRun(KEY);
    const result = await recoverStaleRun(ports, KEY);
    expect(result).toEqual({ recovered: false, reason: 'live-owner', run: before?.run });
    expect(processTable.killed).toEqual([]);
    expect(await repository.loadRun(KEY)).toEqual(before);
  });

  it('leaves a run owned by another host alone: its owner cannot be checked from here', async () => {
    const { ports, processTable, repository } = await crashedRun({ host: 'elsewhere' });
    const before = await repository.loadRun(KEY);
    expect(await recoverStaleRun(ports, KEY)).toMatchObject({ recovered: false, reason: 'other-host' });
    expect(processTable.killed).toEqual([]);
    expect(await repository.loadRun(KEY)).toEqual(before);
  });

  it('leaves ended and unknown runs alone', async () => {
    const { ports, repository } = await crashedRun();
    expect(await recoverStaleRun(ports, { workflowName: WORKFLOW, runId: 9 })).toEqual({
      recovered: false,
      reason: 'not-found',
    });
    await recoverStaleRun(ports, KEY);
    const ended = await repository.loadRun(KEY);
    expect(await recoverStaleRun(ports, KEY)).toMatchObject({ recovered: false, reason: 'not-running' });
    expect(await repository.loadRun(KEY)).toEqual(ended);
    expect(ports.processTable.killed).toHaveLength(1);
  });

  it('of two concurrent recoveries exactly one takes the run over and writes it', async () => {
    const { ports, repository } = await crashedRun();
    const other = { ...ports, processTable: new FakeProcessTable({ pid: 5000, alive: [GROUP] }) };
    const results = await Promise.all([recoverStaleRun(ports, KEY), recoverStaleRun(other, KEY)]);
    expect(results.filter((r) => r.recovered)).toHaveLength(1);
    expect(results.find((r) => !r.recovered)).toMatchObject({ reason: 'claim-lost' });
    const state = await repository.loadRun(KEY);
    expect(state?.run).toMatchObject({ status: 'aborted', owner: null });
    // Only the winner ended the attempt: one interrupted attempt, no second write rejected.
    expect(state?.attempts.filter((a) => a.operatorDecision === 'interrupted')).toHaveLength(1);
  });

  it('leaves the run claimed by this process, group still recorded, when stopping the group fails', async () => {
    const { repository } = await crashedRun();
    const processTable = new FakeProcessTable({ alive: [GROUP] });
    processTable.killGroup = async () => {
      throw new Error('kill failed');
    };
    const ports = createTestPorts({ repository, processTable });
    await expect(recoverStaleRun(ports, KEY)).rejects.toThrow('kill failed');
    // Still running, now under this (live) process with the orphan's group: once this process is gone too,
    // the next recovery finds the group to stop.
    expect((await repository.loadRun(KEY))?.run).toMatchObject({
      status: 'running',
      owner: { host: 'test-host', pid: processTable.pid, processGroup: GROUP },
    });
    expect((await repository.loadRun(KEY))?.attempts[2]?.status).toBe('running');
  });
});

describe('runLiveness', () => {
  const run = (owner: RunOwner | null, status: 'running' | 'ok' = 'running') => ({
    ...KEY,
    startTime: 't',
    endTime: null,
    status,
    nodesOk: 0,
    nodesNok: 0,
    nodesSkipped: 0,
    trigger: 'run' as const,
    owner,
    runbookHash: null,
    nodeIds: [],
  });
  const table = new FakeProcessTable({ host: 'here', alive: [10] });
  it('tells stale, live, other-host and not-running runs apart', () => {
    expect(runLiveness(run({ host: 'here', pid: 11, processGroup: null }), table)).toBe('stale');
    expect(runLiveness(run(null), table)).toBe('stale');
    expect(runLiveness(run({ host: 'here', pid: 10, processGroup: null }), table)).toBe('live-owner');
    expect(runLiveness(run({ host: 'there', pid: 11, processGroup: null }), table)).toBe('other-host');
    expect(runLiveness(run({ host: 'here', pid: 11, processGroup: null }, 'ok'), table)).toBe('not-running');
  });
});

describe('recoverStaleRuns and the engine', () => {
  it('recovers only the stale running runs of the workflow asked about', async () => {
    const repository = new InMemoryRunRepository();
    const owner = (pid: number, host = 'test-host'): RunOwner => ({ host, pid, processGroup: null });
    const create = (workflowName: string, o: RunOwner) =>
      repository.createRun({ workflowName, startTime: 't', owner: o, runbookHash: null, nodeIds: [] });
    await create(WORKFLOW, owner(DEAD)); // 1: stale
    await create(WORKFLOW, owner(10)); // 2: live
    await create(WORKFLOW, owner(DEAD, 'elsewhere')); // 3: another host
    await create('Other', owner(DEAD)); // stale, other workflow
    const ports = createTestPorts({ repository, processTable: new FakeProcessTable({ alive: [10] }) });

    const recovered = await recoverStaleRuns(ports, WORKFLOW);
    expect(recovered.map((r) => `${r.workflowName}#${r.runId}:${r.status}`)).toEqual([
      `${WORKFLOW}#1:aborted`,
    ]);
    expect((await repository.listRunningRuns()).map((r) => `${r.workflowName}#${r.runId}`)).toEqual([
      'Other#1',
      `${WORKFLOW}#2`,
      `${WORKFLOW}#3`,
    ]);
    expect((await recoverStaleRuns(ports)).map((r) => r.workflowName)).toEqual(['Other']);
  });

  it('run ends earlier runs of its workflow whose owner died before it starts a new one', async () => {
    const { ports, repository, processTable } = await crashedRun();
    const engine = createEngine(
      { ...ports, processRunner: new FakeProcessRunner({ only: {} }) },
      { killGraceMs: 5 },
    );
    const events: EngineEvent[] = [];
    const outcome = await engine.run(buildRunbook([commandNode('only', 'only')]), {
      interactive: false,
      onEvent: (event) => events.push(event),
    });
    expect(outcome).toMatchObject({ runId: 2, status: 'ok' });
    // Told first, before the new run starts.
    expect(events.slice(0, 2)).toEqual([
      {
        type: 'stale-run-recovered',
        runId: 1,
        workflow: WORKFLOW,
        // The time of the recovery, from the Clock port: the recovered run's end time.
        timestamp: (await repository.loadRun(KEY))?.run.endTime,
        ownerHost: 'test-host',
        ownerPid: DEAD,
        interrupted: ['c'],
      },
      expect.objectContaining({ type: 'run-started', runId: 2 }),
    ]);
    expect(processTable.killed).toEqual([{ processGroup: GROUP, graceMs: 5 }]);
    expect((await repository.loadRun(KEY))?.run).toMatchObject({ status: 'aborted', owner: null });
  });

  it('resume recovers through the same code, then continues the run in place', async () => {
    const { ports, repository, processTable } = await crashedRun();
    const runbook = buildRunbook(['a', 'b', 'c', 'd'].map((id) => commandNode(id, id)));
    const engine = createEngine(
      { ...ports, processRunner: new FakeProcessRunner({ c: {}, d: {} }) },
      { killGraceMs: 5 },
    );
    const events: EngineEvent[] = [];
    const outcome = await engine.resume(runbook, {
      interactive: false,
      onEvent: (event) => events.push(event),
    });
    expect(outcome).toMatchObject({ runId: 1, status: 'ok' });
    expect(events.slice(0, 2)).toEqual([
      {
        type: 'stale-run-recovered',
        runId: 1,
        workflow: WORKFLOW,
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
        ownerHost: 'test-host',
        ownerPid: DEAD,
        interrupted: ['c'],
      },
      expect.objectContaining({ type: 'run-started', runId: 1, trigger: 'resume' }),
    ]);
    expect(processTable.killed).toEqual([{ processGroup: GROUP, graceMs: 5 }]);
    const state = await repository.loadRun(KEY);
    expect(state?.run).toMatchObject({ status: 'ok', trigger: 'resume', owner: null });
    expect(state?.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}:${a.operatorDecision}`)).toEqual([
      'a#1:ok:null',
      'b#1:skipped:null',
      'c#1:nok:interrupted',
      'c#2:ok:null',
      'd#1:ok:null',
    ]);
  });
});
