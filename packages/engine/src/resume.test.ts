import { ASK_PLACEHOLDER, type Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { ResumeOptions } from './engine-types.js';
import type { EngineEvent, RunStartedEvent } from './events.js';
import type { ClaimRunInput } from './ports/run-repository.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { FakeProcessTable } from './testing/fake-process-table.js';
import { FixedClock } from './testing/fixed-clock.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode, functionNode } from './testing/runbook-builder.js';
import type { ScriptedAnswer } from './testing/scripted-prompter.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

const WORKFLOW = 'Test runbook';

/** Runs `runbook` non-interactively with `first` scripts, then resumes with `then` scripts. */
async function runThenResume(
  runbook: Runbook,
  first: ConstructorParameters<typeof FakeProcessRunner>[0],
  then: ConstructorParameters<typeof FakeProcessRunner>[0],
  options: Partial<ResumeOptions> & { answers?: ScriptedAnswer[]; resumeRunbook?: Runbook } = {},
) {
  const repository = new InMemoryRunRepository();
  // One clock for both sessions, so that the resume's attempts start after the first run's.
  const clock = new FixedClock(new Date('2025-01-01T00:00:00.000Z'), 1000);
  const firstPorts = createTestPorts({ repository, clock, processRunner: new FakeProcessRunner(first) });
  const firstOutcome = await createEngine(firstPorts).run(runbook, { interactive: false });
  const { answers, resumeRunbook, ...resumeOptions } = options;
  const ports = createTestPorts({
    repository,
    clock,
    processRunner: new FakeProcessRunner(then),
    answers: answers ?? [],
  });
  return {
    firstOutcome,
    ...(await resume(ports, resumeRunbook ?? runbook, { interactive: false, ...resumeOptions })),
  };
}

async function resume(ports: TestPorts, runbook: Runbook, options: ResumeOptions) {
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports, { killGraceMs: 25 }).resume(runbook, {
    ...options,
    onEvent: (event) => events.push(event),
  });
  const state = await ports.repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId });
  if (state === undefined) throw new Error('run not stored');
  const started = events.find((e): e is RunStartedEvent => e.type === 'run-started');
  return {
    ports,
    events,
    outcome,
    state,
    started,
    attempts: state.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`),
    commands: ports.processRunner.commands,
  };
}

const chain = buildRunbook([
  commandNode('a', 'a'),
  commandNode('b', 'b', { dependsOn: ['a'] }),
  commandNode('c', 'c', { dependsOn: ['b'] }),
]);
const okAll = { a: {}, b: {}, c: {} };

describe('resume in place', () => {
  it('keeps ok and skipped nodes, runs the others, same run id, trigger resume, attempts continue', async () => {
    const run = await runThenResume(chain, { a: {}, b: { exitCode: 1 } }, okAll);
    expect(run.firstOutcome).toMatchObject({ runId: 1, status: 'nok' });
    expect(run.commands).toEqual(['b', 'c']);
    expect(run.attempts).toEqual(['a#1:ok', 'b#1:nok', 'b#2:ok', 'c#1:ok']);
    expect(run.outcome).toMatchObject({ runId: 1, status: 'ok', counts: { ok: 3, nok: 0, skipped: 0 } });
    expect(run.state.run).toMatchObject({ runId: 1, trigger: 'resume', status: 'ok', nodesOk: 3 });
    expect(run.started).toMatchObject({ trigger: 'resume', kept: [{ nodeId: 'a', status: 'ok' }] });
    expect(run.started?.changes).toBeUndefined();
  });

  it('with fromNode, runs that node and every node after it whatever their status; earlier ones keep theirs', async () => {
    const runbook = buildRunbook([...chain.nodes, commandNode('d', 'd', { dependsOn: ['c'] })]);
    const run = await runThenResume(
      runbook,
      { ...okAll, d: { exitCode: 1 } },
      { ...okAll, d: {} },
      { fromNode: 'b' },
    );
    expect(run.commands).toEqual(['b', 'c', 'd']);
    expect(run.attempts).toEqual(['a#1:ok', 'b#1:ok', 'c#1:ok', 'd#1:nok', 'b#2:ok', 'c#2:ok', 'd#2:ok']);
    expect(run.started?.kept).toEqual([{ nodeId: 'a', status: 'ok' }]);
  });

  it('with fromNode, blocks nodes whose earlier dependency was not re-run and is not ok', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('x', 'x'),
      commandNode('b', 'b', { dependsOn: ['a'] }),
    ]);
    const run = await runThenResume(
      runbook,
      { a: { exitCode: 1 }, x: {} },
      { a: {}, x: {}, b: {} },
      { fromNode: 'x' },
    );
    expect(run.commands).toEqual(['x']);
    expect(run.events).toContainEqual(
      expect.objectContaining({ type: 'node-blocked', nodeId: 'b', name: 'b', blockedBy: 'a' }),
    );
    expect(run.outcome).toMatchObject({ status: 'nok', failed: { nodeId: 'a', reason: 'exit code 1' } });
  });

  it.each([
    {
      name: 'runs it again when the operator says yes',
      interactive: true,
      answers: [{ repeat: true }],
      commands: ['a', 'b', 'c'],
    },
    {
      name: 'keeps it when the operator says no',
      interactive: true,
      answers: [{ repeat: false }],
      commands: ['b', 'c'],
    },
    {
      name: 'keeps it without asking when non-interactive',
      interactive: false,
      answers: [],
      commands: ['b', 'c'],
    },
  ])('offers a repeatable ok node again: $name', async ({ interactive, answers, commands }) => {
    const runbook = buildRunbook([commandNode('a', 'a', { repeatable: true }), ...chain.nodes.slice(1)]);
    const run = await runThenResume(runbook, { a: {}, b: { exitCode: 1 } }, okAll, { interactive, answers });
    expect(run.commands).toEqual(commands);
    expect(run.ports.prompter.questions).toEqual(
      interactive ? [{ kind: 'confirm-repeat', nodeId: 'a' }] : [],
    );
    const types = run.events.map((e) => e.type);
    // The run is announced before the question, so the operator knows which run it is about.
    if (interactive) expect(types.slice(0, 2)).toEqual(['run-started', 'prompt']);
  });

  it('takes the newest aborted, nok or running run when no run id is given', async () => {
    const repository = new InMemoryRunRepository();
    const ports = createTestPorts({
      repository,
      processRunner: new FakeProcessRunner({ a: { exitCode: 1 }, b: {}, c: {} }),
    });
    const engine = createEngine(ports);
    const single = buildRunbook([commandNode('a', 'a')]);
    await engine.run(single, { interactive: false }); // run 1: nok
    await engine.run(single, { interactive: false }); // run 2: nok
    const passing = createTestPorts({ repository, processRunner: new FakeProcessRunner({ a: {} }) });
    await createEngine(passing).run(single, { interactive: false }); // run 3: ok
    const run = await resume(
      createTestPorts({ repository, processRunner: new FakeProcessRunner({ a: {} }) }),
      single,
      {
        interactive: false,
      },
    );
    expect(run.outcome.runId).toBe(2);
  });

  it('resumes a given run id', async () => {
    const repository = new InMemoryRunRepository();
    const failing = createTestPorts({
      repository,
      processRunner: new FakeProcessRunner({ a: { exitCode: 1 } }),
    });
    const single = buildRunbook([commandNode('a', 'a')]);
    await createEngine(failing).run(single, { interactive: false });
    await createEngine(failing).run(single, { interactive: false });
    const run = await resume(
      createTestPorts({ repository, processRunner: new FakeProcessRunner({ a: {} }) }),
      single,
      {
        interactive: false,
        runId: 1,
      },
    );
    expect(run.outcome).toMatchObject({ runId: 1, status: 'ok' });
  });

  it('does not ask a remembered ask answer again', async () => {
    const repository = new InMemoryRunRepository();
    const calls: unknown[] = [];
    const runbook = buildRunbook([
      functionNode('notify', 'notify', { message: ASK_PLACEHOLDER }),
      commandNode('after', 'after', { dependsOn: ['notify'] }),
    ]);
    const functionLoader = new FakeFunctionLoader({
      notify: (params) => {
        calls.push(params.message);
        if (calls.length === 1) throw new Error('first try fails');
      },
    });
    const first = createTestPorts({
      repository,
      functionLoader,
      answers: [{ value: 'hello' }, { afterFailure: 'abort' }],
    });
    const firstOutcome = await createEngine(first).run(runbook, { interactive: true });
    expect(firstOutcome.status).toBe('aborted');
    const run = await resume(
      createTestPorts({ repository, functionLoader, processRunner: new FakeProcessRunner({ after: {} }) }),
      runbook,
      { interactive: true },
    );
    expect(run.ports.prompter.questions).toEqual([]);
    expect(calls).toEqual(['hello', 'hello']);
    expect(run.outcome.status).toBe('ok');
  });

  it('reports nodes added and removed when the runbook changed, and ignores removed ones in counts', async () => {
    const changed = buildRunbook([commandNode('a', 'a'), commandNode('c2', 'c2', { dependsOn: ['a'] })], {
      source: { hash: 'hash-2' },
    });
    const run = await runThenResume(
      chain,
      { a: {}, b: { exitCode: 1 } },
      { c2: {} },
      { resumeRunbook: changed },
    );
    expect(run.started?.changes).toEqual({ added: ['c2'], removed: ['b', 'c'] });
    expect(run.commands).toEqual(['c2']);
    expect(run.outcome).toMatchObject({ status: 'ok', counts: { ok: 2, nok: 0, skipped: 0 } });
    expect(run.state.run.nodeIds).toEqual(['a', 'c2']);
    expect(run.state.run.runbookHash).toBe('hash-2');
  });
});

describe('changed steps', () => {
  const changed = buildRunbook(
    [
      commandNode('a', 'a'),
      commandNode('b', 'b-fixed', { dependsOn: ['a'] }),
      commandNode('c', 'c', { dependsOn: ['b'] }),
    ],
    { source: { hash: 'hash-2' } },
  );

  it('names the nodes whose definition changed when the runbook the run started with is known', async () => {
    const asked: string[] = [];
    const run = await runThenResume(
      chain,
      { a: {}, b: { exitCode: 1 } },
      { 'b-fixed': {}, c: {} },
      {
        resumeRunbook: changed,
        previousRunbook: async (hash) => {
          asked.push(hash);
          return chain;
        },
      },
    );
    expect(asked).toEqual(['hash-1']);
    expect(run.started?.changes).toEqual({ added: [], removed: [], changed: ['b'] });
    expect(run.outcome.status).toBe('ok');
  });

  it('names only added and removed nodes when that runbook is not known', async () => {
    const run = await runThenResume(
      chain,
      { a: {}, b: { exitCode: 1 } },
      { 'b-fixed': {}, c: {} },
      { resumeRunbook: changed, previousRunbook: async () => Promise.reject(new Error('gone')) },
    );
    expect(run.started?.changes).toEqual({ added: [], removed: [] });
    expect(run.outcome.status).toBe('ok');
  });
});

describe('refusals', () => {
  const single = buildRunbook([commandNode('a', 'a')]);

  it('refuses an ok run, saying why', async () => {
    const ports = createTestPorts({ processRunner: new FakeProcessRunner({ a: {} }) });
    await createEngine(ports).run(single, { interactive: false });
    const attempt = createEngine(ports).resume(single, { interactive: false, runId: 1 });
    await expect(attempt).rejects.toMatchObject({ code: 'RUN_NOT_RESUMABLE', runId: 1 });
    await expect(attempt).rejects.toThrow(/ended ok: there is nothing to resume/);
  });

  it('refuses when there is no run to resume', async () => {
    const ports = createTestPorts();
    await expect(createEngine(ports).resume(single, { interactive: false })).rejects.toMatchObject({
      code: 'RUN_NOT_FOUND',
    });
    await expect(createEngine(ports).resume(single, { interactive: false, runId: 9 })).rejects.toThrow(
      /has no run 9/,
    );
  });

  it('refuses an unknown fromNode', async () => {
    const ports = createTestPorts();
    await expect(
      createEngine(ports).resume(single, { interactive: false, fromNode: 'ghost' }),
    ).rejects.toMatchObject({
      code: 'NODE_NOT_FOUND',
      nodeId: 'ghost',
    });
  });

  async function runningRun(owner: { host: string; pid: number }, processGroup: number | null = null) {
    const repository = new InMemoryRunRepository();
    await repository.createRun({
      workflowName: WORKFLOW,
      startTime: '2025-01-01T00:00:00.000Z',
      owner: { ...owner, processGroup: null },
      runbookHash: 'hash-1',
      nodeIds: ['a'],
    });
    if (processGroup !== null)
      await repository.setOwnerProcessGroup({ workflowName: WORKFLOW, runId: 1 }, processGroup);
    await repository.startAttempt({
      workflowName: WORKFLOW,
      runId: 1,
      nodeId: 'a',
      startTime: '2025-01-01T00:00:01.000Z',
      status: 'running',
    });
    return repository;
  }

  it('refuses a running run whose owner is alive on this host, naming host and pid', async () => {
    const repository = await runningRun({ host: 'test-host', pid: 777 });
    const ports = createTestPorts({ repository, processTable: new FakeProcessTable({ alive: [777] }) });
    const attempt = createEngine(ports).resume(single, { interactive: false });
    await expect(attempt).rejects.toMatchObject({ code: 'RUN_IN_PROGRESS' });
    await expect(attempt).rejects.toThrow(/live process 777 on host test-host/);
  });

  it('refuses a running run owned by another host: it cannot be checked', async () => {
    const repository = await runningRun({ host: 'other-host', pid: 777 });
    const ports = createTestPorts({ repository });
    const attempt = createEngine(ports).resume(single, { interactive: false });
    await expect(attempt).rejects.toMatchObject({ code: 'RUN_IN_PROGRESS' });
    await expect(attempt).rejects.toThrow(/process 777 on host other-host; .*cannot be checked/);
  });

  it('recovers a run whose owner died: stops its process group, records the attempt interrupted, continues', async () => {
    const repository = await runningRun({ host: 'test-host', pid: 777 }, 888);
    const processTable = new FakeProcessTable({ alive: [888] });
    const ports = createTestPorts({
      repository,
      processTable,
      processRunner: new FakeProcessRunner({ a: {} }),
    });
    const run = await resume(ports, single, { interactive: false });
    expect(processTable.killed).toEqual([{ processGroup: 888, graceMs: 25 }]);
    expect(run.attempts).toEqual(['a#1:nok', 'a#2:ok']);
    expect(run.state.attempts[0]).toMatchObject({
      operatorDecision: 'interrupted',
      endTime: expect.any(String),
    });
    expect(run.outcome).toMatchObject({ runId: 1, status: 'ok' });
    expect(run.state.run).toMatchObject({ trigger: 'resume', owner: null });
  });

  it('refuses with RUN_CLAIM_LOST when another process claims the run first', async () => {
    class RacedRepository extends InMemoryRunRepository {
      override async claimRun(_input: ClaimRunInput): Promise<boolean> {
        return false;
      }
    }
    const repository = new RacedRepository();
    const failing = createTestPorts({
      repository,
      processRunner: new FakeProcessRunner({ a: { exitCode: 1 } }),
    });
    await createEngine(failing).run(single, { interactive: false });
    await expect(createEngine(failing).resume(single, { interactive: false })).rejects.toMatchObject({
      code: 'RUN_CLAIM_LOST',
    });
  });

  it('aborts cleanly when input ends at the repeat question', async () => {
    const runbook = buildRunbook([commandNode('a', 'a', { repeatable: true }), commandNode('b', 'b')]);
    const run = await runThenResume(
      runbook,
      { a: {}, b: { exitCode: 1 } },
      { a: {}, b: {} },
      { interactive: true },
    );
    expect(run.outcome.status).toBe('aborted');
    expect(run.commands).toEqual([]);
    expect(run.events.map((e) => e.type)).toEqual(['run-started', 'prompt', 'run-finished']);
    expect(run.state.run.status).toBe('aborted');
    // The summary names the node asked about and why the run stopped there.
    expect(run.outcome.failed).toMatchObject({
      nodeId: 'a',
      reason: expect.stringContaining('no answer to "run it again?"'),
    });
  });
});
