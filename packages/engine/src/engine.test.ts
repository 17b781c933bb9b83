import type { Runbook } from '@playbook/domain';
import { ASK_PLACEHOLDER } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import { EngineError } from './engine-error.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import type { FunctionContext } from './ports/function-loader.js';
import type { CommandRequest } from './ports/process-runner.js';
import type { Prompter } from './ports/prompter.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode, manualNode } from './testing/runbook-builder.js';
import type { ScriptedAnswer } from './testing/scripted-prompter.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

type Setup = Partial<TestPorts> & { answers?: readonly ScriptedAnswer[] };

async function runWith(runbook: Runbook, setup: Setup = {}, options: Partial<RunOptions> = {}) {
  const ports = createTestPorts(setup);
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports, { killGraceMs: 50 }).run(runbook, {
    interactive: true,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  if (state === undefined) throw new Error('run not stored');
  const attempts = state.attempts.map((a) => `${a.nodeId}#${a.attempt}:${a.status}`);
  const attempt = (nodeId: string, number = 1) => {
    const found = state.attempts.find((a) => a.nodeId === nodeId && a.attempt === number);
    if (found === undefined) throw new Error(`no attempt ${number} of ${nodeId}`);
    return found;
  };
  const started = events.flatMap((e) => (e.type === 'node-started' ? [`${e.nodeId}#${e.attempt}`] : []));
  return { ports, events, outcome, state, attempts, attempt, started };
}

const ok = (command: string) => ({ [command]: { exitCode: 0 } });

describe('order', () => {
  it('runs nodes in topological order, declared first among ready ones', async () => {
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy', { dependsOn: ['build', 'approve'] }),
      commandNode('lint', 'lint'),
      commandNode('build', 'build', { dependsOn: ['lint'] }),
      commandNode('approve', 'approve'),
    ]);
    const { started, events } = await runWith(runbook, {
      processRunner: new FakeProcessRunner({
        ...ok('deploy'),
        ...ok('lint'),
        ...ok('build'),
        ...ok('approve'),
      }),
    });
    expect(started).toEqual(['lint#1', 'build#1', 'approve#1', 'deploy#1']);
    expect(events[0]).toMatchObject({
      type: 'run-started',
      trigger: 'run',
      plan: ['lint', 'build', 'approve', 'deploy'],
    });
  });
});

describe('attempts', () => {
  it('writes each attempt as running when it starts, numbered 1, 2, 3 per node', async () => {
    const seen: string[] = [];
    let ports: TestPorts | undefined;
    const spy = async () => {
      const state = await ports?.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
      const last = state?.attempts.at(-1);
      seen.push(`${last?.nodeId}#${last?.attempt}:${last?.status}`);
    };
    ports = createTestPorts({
      processRunner: new FakeProcessRunner({
        flaky: [
          { exitCode: 1, whileRunning: spy },
          { exitCode: 1, whileRunning: spy },
          { whileRunning: spy },
        ],
      }),
      answers: [{ afterFailure: 'retry' }, { afterFailure: 'retry' }],
    });
    const outcome = await createEngine(ports).run(buildRunbook([commandNode('flaky', 'flaky')]), {
      interactive: true,
    });
    expect(seen).toEqual(['flaky#1:running', 'flaky#2:running', 'flaky#3:running']);
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.attempts.map((a) => `${a.attempt}:${a.status}`)).toEqual(['1:nok', '2:nok', '3:ok']);
    expect(state?.attempts[0]).toMatchObject({
      startTime: expect.any(String),
      endTime: expect.any(String),
      durationMs: expect.any(Number),
    });
    expect(outcome.status).toBe('ok');
  });
});

describe('Manual nodes', () => {
  it.each([
    {
      name: 'ok with a note',
      answers: [{ manual: 'ok', note: 'done by hand' }] as ScriptedAnswer[],
      attempts: ['check#1:ok'],
      decision: 'ok',
      resultText: 'done by hand',
    },
    {
      name: 'ok without a note',
      answers: [{ manual: 'ok' }] as ScriptedAnswer[],
      attempts: ['check#1:ok'],
      decision: 'ok',
      resultText: null,
    },
    {
      name: 'skip, when skippable',
      skippable: true,
      answers: [{ manual: 'skip', note: 'not today' }] as ScriptedAnswer[],
      attempts: ['check#1:skipped'],
      decision: 'skip',
      resultText: 'not today',
    },
    {
      name: 'nok, then retry and ok',
      answers: [
        { manual: 'nok', note: 'broken' },
        { afterFailure: 'retry' },
        { manual: 'ok' },
      ] as ScriptedAnswer[],
      attempts: ['check#1:nok', 'check#2:ok'],
      decision: 'nok',
      resultText: 'broken',
    },
  ])('records $name', async ({ answers, attempts, decision, resultText, skippable }) => {
    const runbook = buildRunbook([
      manualNode('check', { skippable: skippable ?? false, prompt: 'Is it up?' }),
    ]);
    const run = await runWith(runbook, { answers });
    expect(run.attempts).toEqual(attempts);
    expect(run.attempt('check')).toMatchObject({ operatorDecision: decision, resultText });
    expect(run.ports.prompter.questions[0]).toEqual({
      kind: 'manual',
      nodeId: 'check',
      attempt: 1,
      canSkip: skippable ?? false,
    });
    expect(run.outcome.status).toBe('ok');
  });

  it('emits a prompt event before asking', async () => {
    const run = await runWith(buildRunbook([manualNode('check')]), { answers: [{ manual: 'ok' }] });
    const types = run.events.map((e) => e.type);
    expect(types).toEqual(['run-started', 'node-started', 'prompt', 'node-finished', 'run-finished']);
    expect(run.events[2]).toMatchObject({ type: 'prompt', nodeId: 'check', question: 'manual' });
  });

  it('ends nok without an operator, saying it needs one, and never prompts', async () => {
    const run = await runWith(buildRunbook([manualNode('check')]), {}, { interactive: false, retries: 3 });
    expect(run.attempts).toEqual(['check#1:nok']);
    expect(run.attempt('check').resultText).toMatch(/needs an operator/);
    expect(run.ports.prompter.questions).toEqual([]);
    expect(run.outcome).toMatchObject({
      status: 'nok',
      failed: { nodeId: 'check', reason: expect.stringMatching(/needs an operator/) },
    });
  });
});

describe('Command nodes', () => {
  it('runs in the runbook directory with the node timeout or the default, and stores output and exit code', async () => {
    const runbook = buildRunbook(
      [commandNode('build', 'make build', { timeout: 600 }), commandNode('test', 'make test')],
      { source: { directory: '/srv/app' } },
    );
    const processRunner = new FakeProcessRunner({
      'make build': { stdout: 'built\n', stderr: 'warning\n' },
      'make test': { exitCode: 0 },
    });
    const run = await runWith(runbook, { processRunner }, { env: { STAGE: 'prod' } });
    const [build, test] = processRunner.requests;
    expect(build).toMatchObject({
      command: 'make build',
      cwd: '/srv/app',
      timeoutMs: 600_000,
      maxOutputBytes: 1024 * 1024,
      env: { STAGE: 'prod' },
    });
    expect(test).toMatchObject({ timeoutMs: 300_000 });
    expect(run.attempt('build')).toMatchObject({
      status: 'ok',
      exitCode: 0,
      stdout: 'built\n',
      stderr: 'warning\n',
    });
    expect(run.events.filter((e) => e.type === 'output')).toMatchObject([
      { type: 'output', nodeId: 'build', attempt: 1, stream: 'stdout', chunk: 'built\n' },
      { type: 'output', nodeId: 'build', attempt: 1, stream: 'stderr', chunk: 'warning\n' },
    ]);
  });

  it('tells the command where it runs: workflow, run id, node id and attempt in PLAYBOOK_* variables', async () => {
    const processRunner = new FakeProcessRunner({ flaky: [{ exitCode: 1 }, { exitCode: 0 }] });
    await runWith(
      buildRunbook([commandNode('flaky', 'flaky')], { meta: { title: 'Ops' } }),
      { processRunner },
      { interactive: false, retries: 1, env: { STAGE: 'prod' } },
    );
    expect(processRunner.requests.map((request) => request.env)).toEqual([
      {
        STAGE: 'prod',
        PLAYBOOK_WORKFLOW: 'Ops',
        PLAYBOOK_RUN_ID: '1',
        PLAYBOOK_NODE_ID: 'flaky',
        PLAYBOOK_ATTEMPT: '1',
      },
      {
        STAGE: 'prod',
        PLAYBOOK_WORKFLOW: 'Ops',
        PLAYBOOK_RUN_ID: '1',
        PLAYBOOK_NODE_ID: 'flaky',
        PLAYBOOK_ATTEMPT: '2',
      },
    ]);
  });

  it('uses the configured default timeout and output cap', async () => {
    const ports = createTestPorts({ processRunner: new FakeProcessRunner(ok('x')) });
    await createEngine(ports, { defaultTimeoutSeconds: 7, maxOutputBytes: 100 }).run(
      buildRunbook([commandNode('x', 'x')]),
      { interactive: false },
    );
    expect(ports.processRunner.requests[0]).toMatchObject({ timeoutMs: 7000, maxOutputBytes: 100 });
  });

  it.each([
    {
      name: 'a non-zero exit',
      script: { exitCode: 3, stderr: 'boom\n' },
      exitCode: 3,
      reason: 'exit code 3',
    },
    { name: 'a timeout', script: { timedOut: true }, exitCode: 124, reason: 'timed out after 300 seconds' },
  ])('stores $name as nok with its exit code', async ({ script, exitCode, reason }) => {
    const run = await runWith(
      buildRunbook([commandNode('x', 'x')]),
      { processRunner: new FakeProcessRunner({ x: script }) },
      { interactive: false },
    );
    expect(run.attempt('x')).toMatchObject({ status: 'nok', exitCode });
    expect(run.events.find((e) => e.type === 'node-finished')).toMatchObject({
      status: 'nok',
      exitCode,
      reason,
    });
  });

  it('ends nok with the error when the command cannot start', async () => {
    const run = await runWith(
      buildRunbook([commandNode('x', 'x')]),
      { processRunner: new FakeProcessRunner({ x: { spawnError: 'spawn /bin/sh ENOENT' } }) },
      { interactive: false },
    );
    expect(run.attempt('x')).toMatchObject({ status: 'nok', exception: expect.stringContaining('ENOENT') });
    expect(run.outcome.failed?.reason).toMatch(/could not start the command: spawn \/bin\/sh ENOENT/);
  });

  it('keeps the output of a command the runner lost track of, and does not call it a failure to start', async () => {
    const script = {
      whileRunning: (request: CommandRequest) => {
        request.onOutput('stdout', 'started\n');
        throw new Error('the spawn helper ended while the command ran');
      },
    };
    const run = await runWith(
      buildRunbook([commandNode('x', 'x')]),
      { processRunner: new FakeProcessRunner({ x: script }) },
      { interactive: false },
    );
    expect(run.attempt('x')).toMatchObject({
      status: 'nok',
      stdout: 'started\n',
      exception: 'the spawn helper ended while the command ran',
    });
    expect(run.outcome.failed?.reason).toBe(
      'lost track of the command: the spawn helper ended while the command ran',
    );
  });

  it('records the process group as the owner’s while the command runs, and clears it after', async () => {
    let during: number | null | undefined;
    let ports: TestPorts | undefined;
    const processRunner = new FakeProcessRunner({
      x: {
        processGroup: 4711,
        whileRunning: async () => {
          const state = await ports?.repository.loadRun({ workflowName: 'Test runbook', runId: 1 });
          during = state?.run.owner?.processGroup;
        },
      },
    });
    ports = createTestPorts({ processRunner });
    const engine = createEngine(ports);
    let afterCommand: number | null | undefined;
    await engine.run(buildRunbook([commandNode('x', 'x'), manualNode('look')]), {
      interactive: false,
      onEvent: (event) => {
        if (event.type === 'node-started' && event.nodeId === 'look') {
          void ports?.repository.loadRun({ workflowName: 'Test runbook', runId: 1 }).then((s) => {
            afterCommand = s?.run.owner?.processGroup;
          });
        }
      },
    });
    expect(during).toBe(4711);
    expect(afterCommand).toBeNull();
  });
});

describe('Function nodes', () => {
  it('calls fn(params, context) and stores a string result as is', async () => {
    let seen: { params: Record<string, unknown>; context: FunctionContext } | undefined;
    const functionLoader = new FakeFunctionLoader({
      './ops.mjs#notify': (params, context) => {
        seen = { params, context };
        return 'sent';
      },
    });
    const runbook = buildRunbook(
      [functionNode('notify', './ops.mjs#notify', { channel: '#ops', count: 2 })],
      {
        source: { directory: '/srv/ops' },
      },
    );
    const run = await runWith(runbook, { functionLoader });
    expect(functionLoader.loads).toEqual([{ functionName: './ops.mjs#notify', baseDirectory: '/srv/ops' }]);
    expect(seen?.params).toEqual({ channel: '#ops', count: 2 });
    expect(seen?.context).toMatchObject({
      workflowName: 'Test runbook',
      runId: 1,
      nodeId: 'notify',
      runbookDirectory: '/srv/ops',
    });
    expect(seen?.context.signal.aborted).toBe(false);
    expect(run.attempt('notify')).toMatchObject({ status: 'ok', resultText: 'sent' });
  });

  it.each([
    { name: 'an object as JSON', value: { id: 7, tags: ['a'] }, resultText: '{"id":7,"tags":["a"]}' },
    { name: 'a number as JSON', value: 42, resultText: '42' },
    { name: 'nothing as null', value: undefined, resultText: null },
  ])('stores $name', async ({ value, resultText }) => {
    const functionLoader = new FakeFunctionLoader({ f: async () => value });
    const run = await runWith(buildRunbook([functionNode('f', 'f')]), { functionLoader });
    expect(run.attempt('f')).toMatchObject({ status: 'ok', resultText });
  });

  it('stores the message and stack of a throw, nok', async () => {
    const functionLoader = new FakeFunctionLoader({
      f: () => {
        throw new Error('disk full');
      },
    });
    const run = await runWith(
      buildRunbook([functionNode('f', 'f')]),
      { functionLoader },
      { interactive: false },
    );
    const { exception } = run.attempt('f');
    expect(run.attempt('f').status).toBe('nok');
    expect(exception).toMatch(/^Error: disk full\n\s+at /);
    expect(run.outcome.failed?.reason).toBe('threw: Error: disk full');
  });

  it('ends nok clearly when the function cannot be loaded', async () => {
    const run = await runWith(
      buildRunbook([functionNode('f', './missing.mjs#go')]),
      {},
      { interactive: false },
    );
    expect(run.attempt('f')).toMatchObject({ status: 'nok', exception: expect.stringMatching(/not found/) });
    expect(run.outcome.failed?.reason).toMatch(/^cannot load function "\.\/missing\.mjs#go": /);
  });

  it('streams logger lines as output events and captures them', async () => {
    const functionLoader = new FakeFunctionLoader({
      f: (_params, { logger }) => {
        logger.info('step one');
        logger.warn('careful');
        logger.error('bad');
        return 'done';
      },
    });
    const run = await runWith(buildRunbook([functionNode('f', 'f')]), { functionLoader });
    expect(
      run.events
        .filter((e) => e.type === 'output')
        .map((e) => e.type === 'output' && `${e.stream}:${e.chunk}`),
    ).toEqual(['stdout:step one\n', 'stderr:careful\n', 'stderr:bad\n']);
    expect(run.attempt('f')).toMatchObject({ stdout: 'step one\n', stderr: 'careful\nbad\n' });
  });

  it('bounds the captured logger output', async () => {
    const functionLoader = new FakeFunctionLoader({
      f: (_params, { logger }) => {
        for (let i = 0; i < 100; i++) logger.info(`line ${i}`);
      },
    });
    const ports = createTestPorts({ functionLoader });
    const outcome = await createEngine(ports, { maxOutputBytes: 40 }).run(
      buildRunbook([functionNode('f', 'f')]),
      {
        interactive: false,
      },
    );
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    const stdout = state?.attempts[0]?.stdout ?? '';
    expect(stdout.startsWith('line 0\nline 1\n')).toBe(true);
    expect(stdout).toMatch(/bytes dropped/);
    expect(stdout.endsWith('line 99\n')).toBe(true);
  });

  it('aborts the context signal at the timeout and ends the attempt nok, even if the function ignores it', async () => {
    let signal: AbortSignal | undefined;
    const functionLoader = new FakeFunctionLoader({
      polite: (_params, context) => {
        signal = context.signal;
        return new Promise((_resolve, reject) =>
          context.signal.addEventListener('abort', () => reject(new Error('stopped'))),
        );
      },
      stubborn: () => new Promise(() => {}),
    });
    const runbook = buildRunbook([
      functionNode('polite', 'polite', {}, { timeout: 0.05 }),
      functionNode('stubborn', 'stubborn', {}, { timeout: 0.05 }),
    ]);
    const run = await runWith(runbook, { functionLoader }, { interactive: false });
    expect(signal?.aborted).toBe(true);
    for (const id of ['polite', 'stubborn']) {
      expect(run.attempt(id)).toMatchObject({
        status: 'nok',
        exception: 'Function timed out after 0.05 seconds',
      });
      expect(run.attempt(id).stderr).toMatch(/timed out after 0\.05 seconds/);
    }
  });
  it('does not time out at once when the limit is longer than a timer can wait', async () => {
    const functionLoader = new FakeFunctionLoader({
      f: () => new Promise((resolve) => setTimeout(() => resolve('done'), 20)),
    });
    const runbook = buildRunbook([functionNode('f', 'f', {}, { timeout: 30 * 24 * 3600 })]);
    const run = await runWith(runbook, { functionLoader }, { interactive: false });
    expect(run.attempt('f')).toMatchObject({ status: 'ok', resultText: 'done' });
  });
});

describe('ask params (ASK_PLACEHOLDER)', () => {
  const runbook = buildRunbook([
    functionNode('notify', 'notify', { channel: '#ops', message: ASK_PLACEHOLDER }),
  ]);
  const capture = () => {
    const calls: Record<string, unknown>[] = [];
    return { calls, functionLoader: new FakeFunctionLoader({ notify: (params) => void calls.push(params) }) };
  };

  it('takes a value given up front without asking, and remembers it', async () => {
    const { calls, functionLoader } = capture();
    const run = await runWith(runbook, { functionLoader }, { values: { notify: { message: 'hi' } } });
    expect(calls).toEqual([{ channel: '#ops', message: 'hi' }]);
    expect(run.ports.prompter.questions).toEqual([]);
    expect(run.state.answers).toEqual({ notify: { message: 'hi' } });
  });

  it('asks the operator otherwise, and remembers the answer for the run', async () => {
    const { calls, functionLoader } = capture();
    const run = await runWith(runbook, { functionLoader, answers: [{ value: 'from operator' }] });
    expect(calls).toEqual([{ channel: '#ops', message: 'from operator' }]);
    expect(run.ports.prompter.questions).toEqual([{ kind: 'ask-value', nodeId: 'notify', param: 'message' }]);
    expect(run.state.answers).toEqual({ notify: { message: 'from operator' } });
  });

  it('does not ask again on a retry', async () => {
    let calls = 0;
    const functionLoader = new FakeFunctionLoader({
      notify: () => {
        calls++;
        if (calls === 1) throw new Error('first try fails');
      },
    });
    const run = await runWith(runbook, {
      functionLoader,
      answers: [{ value: 'v' }, { afterFailure: 'retry' }],
    });
    expect(run.ports.prompter.questions.map((q) => q.kind)).toEqual(['ask-value', 'after-failure']);
    expect(run.attempts).toEqual(['notify#1:nok', 'notify#2:ok']);
  });

  it('ends nok without an operator, saying it needs one', async () => {
    const { calls, functionLoader } = capture();
    const run = await runWith(runbook, { functionLoader }, { interactive: false, retries: 2 });
    expect(calls).toEqual([]);
    expect(run.attempts).toEqual(['notify#1:nok']);
    expect(run.attempt('notify').resultText).toMatch(/"message" of "notify": it needs an operator/);
  });

  it.each([
    {
      name: 'an unknown node',
      values: { ghost: { message: 'x' } },
      message: /node "ghost", which is not in the runbook/,
    },
    { name: 'an unknown param', values: { notify: { mesage: 'x' } }, message: /no parameter "mesage"/ },
    {
      name: 'a param that is not asked',
      values: { notify: { channel: 'x' } },
      message: /no parameter "channel" set to "\$\{ask\}"/,
    },
  ])('refuses a value for $name before the run starts', async ({ values, message }) => {
    const ports = createTestPorts();
    const attempt = createEngine(ports).run(runbook, { interactive: false, values });
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_VALUE' });
    expect(await ports.repository.findLatestRun('Test runbook')).toBeUndefined();
  });
});

describe('after a nok attempt', () => {
  it.each([
    { name: 'a plain node', options: {}, canSkip: false },
    { name: 'a skippable node', options: { skippable: true }, canSkip: true },
    { name: 'a critical node', options: { critical: true }, canSkip: false },
  ])('offers skip for $name only when skippable and not critical', async ({ options, canSkip }) => {
    const run = await runWith(buildRunbook([commandNode('x', 'x', options)]), {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }),
      answers: [{ afterFailure: 'abort' }],
    });
    expect(run.ports.prompter.questions).toEqual([
      { kind: 'after-failure', nodeId: 'x', attempt: 1, canSkip, reason: 'exit code 1' },
    ]);
  });

  it('writes a skip as a new attempt, skipped, decision "skip", and lets dependents run', async () => {
    const runbook = buildRunbook([
      commandNode('x', 'x', { skippable: true }),
      commandNode('y', 'y', { dependsOn: ['x'] }),
    ]);
    const run = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 }, ...ok('y') }),
      answers: [{ afterFailure: 'skip' }],
    });
    expect(run.attempts).toEqual(['x#1:nok', 'x#2:skipped', 'y#1:ok']);
    expect(run.attempt('x', 2).operatorDecision).toBe('skip');
    expect(run.outcome).toMatchObject({ status: 'ok', counts: { ok: 1, nok: 0, skipped: 1 } });
  });

  it('asks again when skip is answered for a node that cannot be skipped', async () => {
    const run = await runWith(buildRunbook([commandNode('x', 'x')]), {
      processRunner: new FakeProcessRunner({ x: [{ exitCode: 1 }, { exitCode: 0 }] }),
      answers: [{ afterFailure: 'skip' }, { afterFailure: 'retry' }],
    });
    expect(run.attempts).toEqual(['x#1:nok', 'x#2:ok']);
  });

  it('aborts the run on abort: later nodes never run', async () => {
    const runbook = buildRunbook([commandNode('x', 'x'), commandNode('y', 'y')]);
    const run = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ x: { exitCode: 2 }, ...ok('y') }),
      answers: [{ afterFailure: 'abort' }],
    });
    expect(run.attempts).toEqual(['x#1:nok']);
    expect(run.outcome).toMatchObject({
      status: 'aborted',
      interrupted: false,
      failed: { nodeId: 'x', reason: 'exit code 2 (aborted by the operator)' },
    });
    expect(run.state.run).toMatchObject({ status: 'aborted', owner: null, endTime: expect.any(String) });
  });

  it('aborts cleanly when the prompter’s input ends', async () => {
    const runbook = buildRunbook([manualNode('m'), commandNode('y', 'y')]);
    const run = await runWith(runbook, { processRunner: new FakeProcessRunner(ok('y')) });
    expect(run.attempts).toEqual(['m#1:nok']);
    expect(run.attempt('m').operatorDecision).toBe('abort');
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false });
  });

  it('gives the prompter’s own reason when no answer comes (input ended, or unrecognised answers)', async () => {
    // The scripted prompter says "no scripted answer left …"; a fixed text would hide which case it was.
    const manual = await runWith(buildRunbook([manualNode('m')]));
    expect(manual.outcome.failed?.reason).toBe('no answer: no scripted answer left for a manual question');
    const failure = await runWith(buildRunbook([commandNode('x', 'x')]), {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }),
    });
    expect(failure.outcome.failed?.reason).toBe(
      'exit code 1 (aborted, no answer: no scripted answer left for a after-failure question)',
    );
  });

  it('writes each answer on the failed attempt too, keeping a decision it already has (SPEC §9.3)', async () => {
    const runbook = buildRunbook([
      commandNode('x', 'x', { skippable: true }),
      manualNode('m'),
      commandNode('z', 'z'),
    ]);
    const run = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 }, z: { exitCode: 2 } }),
      answers: [
        { afterFailure: 'retry' },
        { afterFailure: 'skip' },
        { manual: 'nok', note: 'not yet' },
        { afterFailure: 'retry' },
        { manual: 'ok' },
        { afterFailure: 'abort' },
      ],
    });
    const decisions = run.state.attempts.map(
      (a) => `${a.nodeId}#${a.attempt}:${a.status}:${a.operatorDecision}`,
    );
    expect(decisions).toEqual([
      'x#1:nok:retry',
      'x#2:nok:skip',
      'x#3:skipped:skip',
      // The operator's own nok at the prompt stays the record of that attempt.
      'm#1:nok:nok',
      'm#2:ok:ok',
      'z#1:nok:abort',
    ]);
  });

  it('records abort on the failed attempt when input ends at the question, and nothing on an interrupt', async () => {
    const closed = await runWith(buildRunbook([commandNode('x', 'x')]), {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }),
    });
    expect(closed.attempt('x').operatorDecision).toBe('abort');

    const controller = new AbortController();
    const prompter = {
      afterFailure: () => {
        controller.abort();
        return new Promise(() => {});
      },
    };
    const interrupted = await runWith(
      buildRunbook([commandNode('x', 'x')]),
      { processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }), prompter: prompter as never },
      { signal: controller.signal },
    );
    expect(interrupted.outcome.status).toBe('aborted');
    expect(interrupted.attempt('x')).toMatchObject({ status: 'nok', operatorDecision: null, exitCode: 1 });
  });

  it('aborts cleanly when input ends at the retry question', async () => {
    const run = await runWith(buildRunbook([commandNode('x', 'x')]), {
      processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }),
    });
    expect(run.outcome.status).toBe('aborted');
    expect(run.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted' });
  });
});

describe('without an operator', () => {
  it('retries a failed node automatically up to `retries` times', async () => {
    const run = await runWith(
      buildRunbook([commandNode('x', 'x'), commandNode('y', 'y')]),
      {
        processRunner: new FakeProcessRunner({
          x: [{ exitCode: 1 }, { exitCode: 1 }, { exitCode: 0 }],
          ...ok('y'),
        }),
      },
      { interactive: false, retries: 2 },
    );
    expect(run.attempts).toEqual(['x#1:nok', 'x#2:nok', 'x#3:ok', 'y#1:ok']);
    expect(run.outcome.status).toBe('ok');
    // An automatic retry is told apart from one an operator chose.
    expect(run.state.attempts.map((a) => a.operatorDecision)).toEqual([
      'auto-retry',
      'auto-retry',
      null,
      null,
    ]);
  });

  it('leaves the node nok once the retries are used up, without prompting', async () => {
    const run = await runWith(
      buildRunbook([commandNode('x', 'x')]),
      { processRunner: new FakeProcessRunner({ x: { exitCode: 1 } }) },
      { interactive: false, retries: 1 },
    );
    expect(run.attempts).toEqual(['x#1:nok', 'x#2:nok']);
    // The last failure is not retried: no decision.
    expect(run.state.attempts.map((a) => a.operatorDecision)).toEqual(['auto-retry', null]);
    expect(run.ports.prompter.questions).toEqual([]);
    expect(run.outcome.status).toBe('nok');
  });

  it('blocks every descendant of a nok node while independent branches go on', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('b', 'b', { dependsOn: ['a'] }),
      commandNode('c', 'c', { dependsOn: ['b'] }),
      commandNode('d', 'd'),
      commandNode('e', 'e', { dependsOn: ['d'] }),
    ]);
    const run = await runWith(
      runbook,
      {
        processRunner: new FakeProcessRunner({
          a: { exitCode: 1 },
          ...ok('b'),
          ...ok('c'),
          ...ok('d'),
          ...ok('e'),
        }),
      },
      { interactive: false },
    );
    expect(run.ports.processRunner.commands).toEqual(['a', 'd', 'e']);
    expect(run.events.filter((e) => e.type === 'node-blocked')).toMatchObject([
      { type: 'node-blocked', nodeId: 'b', name: 'b', blockedBy: 'a' },
      { type: 'node-blocked', nodeId: 'c', name: 'c', blockedBy: 'a' },
    ]);
    expect(run.outcome).toMatchObject({
      status: 'nok',
      counts: { ok: 2, nok: 1, skipped: 0 },
      failed: { nodeId: 'a', reason: 'exit code 1' },
    });
    expect(run.state.run).toMatchObject({ status: 'nok', nodesOk: 2, nodesNok: 1, nodesSkipped: 0 });
  });

  it('stops the run at once when a critical node ends nok', async () => {
    const runbook = buildRunbook([commandNode('a', 'a', { critical: true }), commandNode('d', 'd')]);
    const run = await runWith(
      runbook,
      { processRunner: new FakeProcessRunner({ a: { exitCode: 1 }, ...ok('d') }) },
      { interactive: false },
    );
    expect(run.ports.processRunner.commands).toEqual(['a']);
    expect(run.outcome).toMatchObject({
      status: 'nok',
      failed: { nodeId: 'a' },
      counts: { ok: 0, nok: 1, skipped: 0 },
    });
  });
});

describe('run status and counts', () => {
  it('counts nodes by their latest attempt', async () => {
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('b', 'b', { skippable: true }),
      manualNode('c'),
    ]);
    const run = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ a: [{ exitCode: 1 }, { exitCode: 0 }], b: { exitCode: 1 } }),
      answers: [{ afterFailure: 'retry' }, { afterFailure: 'skip' }, { manual: 'ok' }],
    });
    expect(run.attempts).toEqual(['a#1:nok', 'a#2:ok', 'b#1:nok', 'b#2:skipped', 'c#1:ok']);
    expect(run.outcome).toMatchObject({ status: 'ok', failed: null, counts: { ok: 2, nok: 0, skipped: 1 } });
    expect(run.events.at(-1)).toMatchObject({
      type: 'run-finished',
      status: 'ok',
      counts: { ok: 2, nok: 0, skipped: 1 },
    });
  });
});

describe('interrupts', () => {
  it('stops the running command, marks the attempt interrupted and the run aborted, and asks nothing more', async () => {
    const controller = new AbortController();
    const runbook = buildRunbook([commandNode('long', 'sleep 100'), manualNode('next')]);
    const run = await runWith(
      runbook,
      {
        processRunner: new FakeProcessRunner({ 'sleep 100': { untilAborted: true } }),
        answers: [{ manual: 'ok' }],
      },
      {
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'node-started') controller.abort();
        },
      },
    );
    expect(run.ports.processRunner.requests[0]?.signal.aborted).toBe(true);
    expect(run.attempts).toEqual(['long#1:nok']);
    expect(run.attempt('long')).toMatchObject({ operatorDecision: 'interrupted', exitCode: 130 });
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
    expect(run.ports.prompter.questions).toEqual([]);
    expect(run.state.run.status).toBe('aborted');
  });

  it('aborts a function’s context signal', async () => {
    const controller = new AbortController();
    const functionLoader = new FakeFunctionLoader({
      wait: (_p, context) => {
        controller.abort();
        return new Promise((resolve) => context.signal.addEventListener('abort', () => resolve('late')));
      },
    });
    const run = await runWith(
      buildRunbook([functionNode('f', 'wait')]),
      { functionLoader },
      { signal: controller.signal },
    );
    expect(run.attempt('f')).toMatchObject({
      status: 'nok',
      operatorDecision: 'interrupted',
      resultText: null,
    });
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
  });

  it('ends an attempt waiting for the operator as interrupted', async () => {
    const controller = new AbortController();
    const waiting: Prompter = {
      manual: () => {
        controller.abort();
        return new Promise(() => {});
      },
      afterFailure: () => Promise.reject(new Error('must not be asked')),
      askValue: () => Promise.reject(new Error('must not be asked')),
      confirmRepeat: () => Promise.reject(new Error('must not be asked')),
    };
    const ports = createTestPorts({ prompter: waiting as never });
    const outcome = await createEngine(ports).run(buildRunbook([manualNode('m')]), {
      interactive: true,
      signal: controller.signal,
    });
    const state = await ports.repository.loadRun({ workflowName: 'Test runbook', runId: outcome.runId });
    expect(state?.attempts[0]).toMatchObject({ status: 'nok', operatorDecision: 'interrupted' });
    expect(outcome).toMatchObject({ status: 'aborted', interrupted: true });
  });

  it('creates no run when already interrupted before run()', async () => {
    const controller = new AbortController();
    controller.abort(new Error('deploy window closed'));
    const ports = createTestPorts();
    const events: EngineEvent[] = [];
    const started = createEngine(ports).run(buildRunbook([commandNode('x', 'x')]), {
      interactive: false,
      signal: controller.signal,
      onEvent: (event) => events.push(event),
    });
    await expect(started).rejects.toMatchObject({
      name: 'EngineError',
      code: 'ABORTED',
      message: 'the run was not started: its signal was already aborted (deploy window closed)',
    });
    expect(await ports.repository.findLatestRun('Test runbook')).toBeUndefined();
    expect(ports.processRunner.commands).toEqual([]);
    expect(events).toEqual([]);
  });

  it('keeps the abort reason with the attempt it interrupted', async () => {
    const controller = new AbortController();
    const run = await runWith(
      buildRunbook([commandNode('wait', 'sleep 100')]),
      {
        processRunner: new FakeProcessRunner({
          'sleep 100': {
            untilAborted: true,
            whileRunning: () => controller.abort(new Error('deploy window closed')),
          },
        }),
      },
      { signal: controller.signal },
    );
    expect(run.attempt('wait')).toMatchObject({
      status: 'nok',
      operatorDecision: 'interrupted',
      resultText: 'deploy window closed',
    });
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
  });
});

describe('invalid runbooks', () => {
  it('refuses a dependency cycle before creating a run', async () => {
    const ports = createTestPorts();
    const runbook = buildRunbook([
      manualNode('a', { dependsOn: ['b'] }),
      manualNode('b', { dependsOn: ['a'] }),
    ]);
    await expect(createEngine(ports).run(runbook, { interactive: false })).rejects.toThrow(EngineError);
    expect(await ports.repository.findLatestRun('Test runbook')).toBeUndefined();
  });
});
