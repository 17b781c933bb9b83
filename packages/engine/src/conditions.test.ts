import type { CommandNode, RetryPolicy, Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode, manualNode } from './testing/runbook-builder.js';
import type { ScriptedAnswer } from './testing/scripted-prompter.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

// when, run_if, retry, cwd and expected_duration (SPEC §8.4), with fake ports.

type Setup = Partial<TestPorts> & { answers?: readonly ScriptedAnswer[] };

async function runWith(runbook: Runbook, setup: Setup = {}, options: Partial<RunOptions> = {}) {
  const ports = createTestPorts(setup);
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports, { killGraceMs: 50, heartbeatSeconds: 0 }).run(runbook, {
    interactive: false,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  if (state === undefined) throw new Error('run not stored');
  const attempts = state.attempts.map(
    (a) =>
      `${a.nodeId}#${a.attempt}:${a.status}${a.operatorDecision === null ? '' : `/${a.operatorDecision}`}`,
  );
  return { ports, events, outcome, state, attempts };
}

const scripts = (codes: Record<string, number | readonly number[]>) =>
  new FakeProcessRunner(
    Object.fromEntries(
      Object.entries(codes).map(([command, code]) => [
        command,
        (Array.isArray(code) ? code : [code]).map((exitCode) => ({ exitCode })),
      ]),
    ),
  );
const withRetry = (node: CommandNode, retry: RetryPolicy): CommandNode => ({ ...node, retry });

describe('when', () => {
  it('false records the node skipped with the decision "condition" and the expression; dependents still run', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('b', 'b', { dependsOn: ['a'], when: "steps.a.status == 'nok'" }),
      commandNode('c', 'c', { dependsOn: ['b'], when: "steps.b.status == 'skipped'" }),
    ]);
    const { outcome, attempts, state } = await runWith(runbook, {
      processRunner: scripts({ a: 0, b: 0, c: 0 }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempts).toEqual(['a#1:ok', 'b#1:skipped/condition', 'c#1:ok']);
    expect(state.attempts[1]?.resultText).toBe("steps.a.status == 'nok'");
  });

  it('a when that fails at run time ends the attempt nok and is never retried automatically', async () => {
    const runbook = buildRunbook([
      withRetry(commandNode('a', 'a', { when: 'steps.a.outputs.missing == "x"' }), {
        attempts: 3,
        delay: 0,
        backoff: 1,
      }),
      commandNode('b', 'b', { when: '"yes"' }),
    ]);
    const { outcome, attempts, state } = await runWith(runbook, { processRunner: scripts({ a: 0, b: 0 }) });
    expect(outcome.status).toBe('nok');
    expect(attempts).toEqual(['a#1:nok', 'b#1:nok']);
    expect(state.attempts[0]?.exception).toContain('has no output `missing`');
    expect(state.attempts[1]?.exception).toBe('`when` ("yes") gave the string "yes", not true or false');
  });

  it('may skip a critical node', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a', { critical: true, when: 'false' }),
      commandNode('b', 'b'),
    ]);
    const { outcome, attempts } = await runWith(runbook, { processRunner: scripts({ b: 0 }) });
    expect(outcome.status).toBe('ok');
    expect(attempts).toEqual(['a#1:skipped/condition', 'b#1:ok']);
  });
});

describe('run_if', () => {
  const deploy = (code: number, critical = false) => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy', { critical }),
      commandNode('verify', 'verify', { dependsOn: ['deploy'] }),
      commandNode('rollback', 'rollback', { dependsOn: ['deploy'], runIf: 'failure' }),
      commandNode('announce', 'announce', { dependsOn: ['rollback'] }),
      commandNode('cleanup', 'cleanup', { dependsOn: ['verify', 'rollback'], runIf: 'always' }),
      commandNode('next', 'next', { dependsOn: ['verify'] }),
    ]);
    return runWith(runbook, {
      processRunner: scripts({ deploy: code, verify: 0, rollback: 0, announce: 0, cleanup: 0, next: 0 }),
    });
  };

  it('all well: the failure step and its success dependents are skipped (run_if), cleanup runs, the run is ok', async () => {
    const { outcome, attempts, state } = await deploy(0);
    expect(outcome.status).toBe('ok');
    expect(attempts).toEqual([
      'deploy#1:ok',
      'verify#1:ok',
      'rollback#1:skipped/run_if',
      'announce#1:skipped/run_if',
      'cleanup#1:ok',
      'next#1:ok',
    ]);
    expect(state.attempts[2]?.resultText).toBe('run_if = "failure": no step it depends on ended nok');
  });

  it('a failure: the rollback and the cleanup run, the blocked step does not, the run stays nok', async () => {
    const { outcome, attempts, events } = await deploy(1);
    expect(outcome.status).toBe('nok');
    expect(outcome.failed?.nodeId).toBe('deploy');
    expect(attempts).toEqual(['deploy#1:nok', 'rollback#1:ok', 'announce#1:ok', 'cleanup#1:ok']);
    expect(events.filter((e) => e.type === 'node-blocked').map((e) => e.nodeId)).toEqual(['verify', 'next']);
  });

  it('a critical nok starts no further success step, but the rollback and the cleanup run', async () => {
    const { outcome, attempts } = await deploy(1, true);
    expect(outcome.status).toBe('nok');
    expect(attempts).toEqual(['deploy#1:nok', 'rollback#1:ok', 'cleanup#1:ok']);
  });

  it('after the operator aborts, the failure and always steps whose dependencies ended run; the run is aborted', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy'),
      commandNode('other', 'other'),
      commandNode('rollback', 'rollback', { dependsOn: ['deploy'], runIf: 'failure' }),
      commandNode('late', 'late', { dependsOn: ['other'], runIf: 'always' }),
      commandNode('cleanup', 'cleanup', { dependsOn: ['deploy'], runIf: 'always' }),
    ]);
    const { outcome, attempts, events } = await runWith(
      runbook,
      {
        processRunner: scripts({ deploy: 1, other: 0, rollback: 0, late: 0, cleanup: 0 }),
        answers: [{ afterFailure: 'abort' }],
      },
      { interactive: true },
    );
    expect(outcome.status).toBe('aborted');
    // `other` never ran: `late` waits for it (a resume runs both).
    expect(attempts).toEqual(['deploy#1:nok/abort', 'rollback#1:ok', 'cleanup#1:ok']);
    expect(events.find((e) => e.type === 'run-aborting')).toMatchObject({
      cause: 'abort',
      steps: ['rollback', 'late', 'cleanup'],
    });
  });

  it('abort again during a cleanup step skips the remaining ones', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy'),
      commandNode('rollback', 'rollback', { dependsOn: ['deploy'], runIf: 'failure' }),
      commandNode('cleanup', 'cleanup', { dependsOn: ['deploy'], runIf: 'always' }),
    ]);
    const { outcome, attempts } = await runWith(
      runbook,
      {
        processRunner: scripts({ deploy: 1, rollback: 1, cleanup: 0 }),
        answers: [{ afterFailure: 'abort' }, { afterFailure: 'abort' }],
      },
      { interactive: true },
    );
    expect(outcome.status).toBe('aborted');
    expect(attempts).toEqual(['deploy#1:nok/abort', 'rollback#1:nok/abort']);
  });

  it('after an interrupt the cleanup runs under cleanupSignal, which a second interrupt aborts', async () => {
    const interrupt = new AbortController();
    const second = new AbortController();
    const runbook = buildRunbook([
      commandNode('slow', 'slow'),
      commandNode('cleanup', 'cleanup', { dependsOn: ['slow'], runIf: 'always' }),
      commandNode('more', 'more', { dependsOn: ['slow'], runIf: 'always' }),
    ]);
    const processRunner = new FakeProcessRunner({
      slow: {
        untilAborted: true,
        whileRunning: () => interrupt.abort(new Error('interrupted by the operator')),
      },
      cleanup: { untilAborted: true, whileRunning: () => second.abort() },
      more: { exitCode: 0 },
    });
    const { outcome, attempts } = await runWith(
      runbook,
      { processRunner },
      { signal: interrupt.signal, cleanupSignal: second.signal },
    );
    expect(outcome).toMatchObject({ status: 'aborted', interrupted: true });
    expect(attempts).toEqual(['slow#1:nok/interrupted', 'cleanup#1:nok/interrupted']);
    expect(processRunner.requests[1]?.signal).toBe(second.signal);
  });

  it('a resume keeps a run_if skip and still skips its success dependents', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('rollback', 'rollback', { dependsOn: ['a'], runIf: 'failure' }),
      commandNode('after', 'after', { dependsOn: ['rollback'] }),
      commandNode('b', 'b'),
    ]);
    const ports = createTestPorts({ processRunner: scripts({ a: 0, rollback: 0, after: 0, b: [1, 0] }) });
    const engine = createEngine(ports, { heartbeatSeconds: 0 });
    expect((await engine.run(runbook, { interactive: false })).status).toBe('nok');
    const resumed = await engine.resume(runbook, { interactive: false });
    expect(resumed.status).toBe('ok');
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
    expect(state?.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`)).toEqual([
      'a#1:ok',
      'rollback#1:skipped',
      'after#1:skipped',
      'b#1:nok',
      'b#2:ok',
    ]);
  });
});

describe('retry', () => {
  it('retries with delay and backoff through the clock, each retried try recorded auto-retry', async () => {
    const runbook = buildRunbook([withRetry(commandNode('a', 'a'), { attempts: 4, delay: 2, backoff: 1.5 })]);
    const { outcome, attempts, ports, events } = await runWith(runbook, {
      processRunner: scripts({ a: [1, 1, 1, 0] }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempts).toEqual(['a#1:nok/auto-retry', 'a#2:nok/auto-retry', 'a#3:nok/auto-retry', 'a#4:ok']);
    expect(ports.clock.sleeps).toEqual([2000, 3000, 4500]);
    expect(events.filter((e) => e.type === 'retry-wait').map((e) => [e.nextTry, e.tries, e.delayMs])).toEqual(
      [
        [2, 4, 2000],
        [3, 4, 3000],
        [4, 4, 4500],
      ],
    );
  });

  it('replaces --retries, then asks the operator when tries run out', async () => {
    const runbook = buildRunbook([withRetry(commandNode('a', 'a'), { attempts: 2, delay: 0, backoff: 1 })]);
    const { attempts, ports } = await runWith(
      runbook,
      { processRunner: scripts({ a: [1, 1, 0] }), answers: [{ afterFailure: 'retry' }] },
      { interactive: true, retries: 5 },
    );
    expect(attempts).toEqual(['a#1:nok/auto-retry', 'a#2:nok/retry', 'a#3:ok']);
    expect(ports.clock.sleeps).toEqual([]);
  });

  it('retries only the listed exit codes, and a timeout only when 124 is listed', async () => {
    const runbook = buildRunbook([
      withRetry(commandNode('listed', 'listed'), { attempts: 3, delay: 0, backoff: 1, exitCodes: [75] }),
      withRetry(commandNode('timeout', 'timeout'), { attempts: 3, delay: 0, backoff: 1 }),
      withRetry(commandNode('timeout124', 'timeout124'), {
        attempts: 2,
        delay: 0,
        backoff: 1,
        exitCodes: [124],
      }),
    ]);
    const { attempts } = await runWith(runbook, {
      processRunner: new FakeProcessRunner({
        listed: [{ exitCode: 75 }, { exitCode: 2 }],
        timeout: { timedOut: true },
        timeout124: [{ timedOut: true }, { exitCode: 0 }],
      }),
    });
    expect(attempts).toEqual([
      'listed#1:nok/auto-retry',
      'listed#2:nok',
      'timeout#1:nok',
      'timeout124#1:nok/auto-retry',
      'timeout124#2:ok',
    ]);
  });

  it('works on Function nodes', async () => {
    let calls = 0;
    const functionLoader = new FakeFunctionLoader({
      flaky: () => {
        calls += 1;
        if (calls < 3) throw new Error(`try ${calls}`);
        return 'done';
      },
    });
    const node = { ...functionNode('f', 'flaky'), retry: { attempts: 3, delay: 1, backoff: 1 } };
    const { attempts } = await runWith(buildRunbook([node]), { functionLoader });
    expect(attempts).toEqual(['f#1:nok/auto-retry', 'f#2:nok/auto-retry', 'f#3:ok']);
  });

  it('an interrupt during the wait ends the run aborted, the failed try without a decision', async () => {
    const interrupt = new AbortController();
    const runbook = buildRunbook([withRetry(commandNode('a', 'a'), { attempts: 3, delay: 10, backoff: 1 })]);
    const ports = createTestPorts({ processRunner: scripts({ a: 1 }) });
    ports.clock.sleep = async () => {
      interrupt.abort();
    };
    const outcome = await createEngine(ports, { heartbeatSeconds: 0 }).run(runbook, {
      interactive: false,
      signal: interrupt.signal,
    });
    expect(outcome).toMatchObject({ status: 'aborted', interrupted: true });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
    expect(state?.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}/${a.operatorDecision}`)).toEqual([
      'a#1:nok/null',
    ]);
  });
});

describe('cwd and expected_duration', () => {
  it('runs a command in its cwd, relative to the runbook, templates rendered', async () => {
    const runbook = buildRunbook([
      { ...commandNode('a', 'a'), cwd: 'app/${{ run.workflow }}' },
      { ...commandNode('b', 'b'), cwd: '/abs' },
    ]);
    const { ports } = await runWith(runbook, { processRunner: scripts({ a: 0, b: 0 }) });
    expect(ports.processRunner.requests.map((r) => r.cwd)).toEqual(['/runbooks/app/Test runbook', '/abs']);
  });

  it('tells once that an attempt is overdue', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a', { expectedDuration: 30 }),
      manualNode('m', { expectedDuration: 5 }),
    ]);
    const { events } = await runWith(
      runbook,
      { processRunner: scripts({ a: 0 }), answers: [{ manual: 'ok' }] },
      { interactive: true },
    );
    const overdue = events.filter((e) => e.type === 'overdue');
    expect(overdue.map((e) => [e.nodeId, e.attempt, e.expectedSeconds])).toEqual([
      ['a', 1, 30],
      ['m', 1, 5],
    ]);
  });
});
