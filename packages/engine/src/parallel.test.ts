import type { Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import type { Prompter } from './ports/prompter.js';
import { type FakeCommandScript, FakeProcessRunner } from './testing/fake-process-runner.js';
import { InMemoryRunRepository } from './testing/memory-run-repository.js';
import { buildRunbook, commandNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

async function runWith(runbook: Runbook, ports: TestPorts, options: Partial<RunOptions>) {
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports).run(runbook, {
    interactive: false,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  const attempts = (state?.attempts ?? [])
    .map((a) => `${a.nodeId}#${a.attempt}:${a.status}/${a.operatorDecision}`)
    .sort();
  const started = events.filter((e) => e.type === 'node-started').map((e) => e.nodeId);
  const log = events
    .filter((e) => e.type === 'node-started' || e.type === 'node-finished')
    .map((e) => `${e.type === 'node-started' ? '+' : '-'}${e.nodeId}`);
  return { outcome, attempts, events, started, log };
}

/** A command held until `release(name)`; tells which commands are running at once. */
function gatedCommands() {
  const running = new Set<string>();
  let most = 0;
  const gates = new Map<string, () => void>();
  const waiting = new Map<string, Promise<void>>();
  const gate = (name: string): Promise<void> => {
    let promise = waiting.get(name);
    if (promise === undefined) {
      promise = new Promise<void>((resolve) => gates.set(name, resolve));
      waiting.set(name, promise);
    }
    return promise;
  };
  const script = (name: string, extra: Partial<FakeCommandScript> = {}): FakeCommandScript => ({
    ...extra,
    whileRunning: async () => {
      running.add(name);
      most = Math.max(most, running.size);
      await gate(name);
      running.delete(name);
    },
  });
  const release = (name: string) => {
    gate(name);
    gates.get(name)?.();
  };
  return { script, release, running, most: () => most };
}

/** Resolves once `test` holds, polling the event loop. */
async function until(test: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !test(); turn++) await new Promise((r) => setImmediate(r));
  expect(test()).toBe(true);
}

// SPEC §9.1: with --concurrency N, up to N ready nodes run at once, earliest-declared first.
describe('parallel branches (RunOptions.concurrency)', () => {
  it('runs up to N ready nodes at once, earliest-declared first, a dependent only after its dependencies', async () => {
    const gated = gatedCommands();
    const runbook = buildRunbook([
      commandNode('late', 'late', { dependsOn: ['a'] }),
      commandNode('a', 'a'),
      commandNode('b', 'b'),
      commandNode('c', 'c'),
      commandNode('d', 'd'),
    ]);
    const processRunner = new FakeProcessRunner({
      a: gated.script('a'),
      b: gated.script('b'),
      c: gated.script('c'),
      d: gated.script('d'),
      late: gated.script('late'),
    });
    const ports = createTestPorts({ processRunner });
    const done = runWith(runbook, ports, { concurrency: 2 });
    await until(() => gated.running.size === 2);
    expect([...gated.running]).toEqual(['a', 'b']);
    // `late` is declared first: it starts as soon as `a` has ended, before `c` and `d`, declared after it.
    gated.release('a');
    await until(() => gated.running.has('late'));
    expect([...gated.running].sort()).toEqual(['b', 'late']);
    for (const name of ['b', 'late', 'c', 'd']) {
      await until(() => gated.running.has(name));
      gated.release(name);
    }
    const run = await done;
    expect(gated.most()).toBe(2);
    expect(run.started).toEqual(['a', 'b', 'late', 'c', 'd']);
    expect(run.outcome).toMatchObject({ status: 'ok', counts: { ok: 5 } });
    expect(run.log.indexOf('+late')).toBeGreaterThan(run.log.indexOf('-a'));
  });

  it('keeps the plan order exactly with concurrency 1', async () => {
    const runbook = buildRunbook([
      commandNode('late', 'late', { dependsOn: ['a'] }),
      commandNode('a', 'a'),
      commandNode('b', 'b'),
    ]);
    for (const options of [{}, { concurrency: 1 }]) {
      const processRunner = new FakeProcessRunner({ a: {}, b: {}, late: {} });
      const run = await runWith(runbook, createTestPorts({ processRunner }), options);
      expect(run.log).toEqual(['+a', '-a', '+late', '-late', '+b', '-b']);
    }
  });

  it('after a critical nok starts no new success node, lets the running ones finish, then runs the rollback', async () => {
    const gated = gatedCommands();
    const runbook = buildRunbook([
      commandNode('deploy', 'deploy', { critical: true }),
      commandNode('slow', 'slow'),
      commandNode('next', 'next'),
      commandNode('rollback', 'rollback', { dependsOn: ['deploy'], runIf: 'failure' }),
    ]);
    const processRunner = new FakeProcessRunner({
      deploy: gated.script('deploy', { exitCode: 1 }),
      slow: gated.script('slow'),
      next: {},
      rollback: {},
    });
    const done = runWith(runbook, createTestPorts({ processRunner }), { concurrency: 2 });
    await until(() => gated.running.size === 2);
    gated.release('deploy');
    // `slow` still runs and is not stopped; nothing new starts beside it but the rollback.
    await until(() => processRunner.commands.includes('rollback'));
    gated.release('slow');
    const run = await done;
    expect(processRunner.commands).toEqual(['deploy', 'slow', 'rollback']);
    expect(run.attempts).toEqual(['deploy#1:nok/null', 'rollback#1:ok/null', 'slow#1:ok/null']);
    expect(run.outcome).toMatchObject({ status: 'nok', failed: { nodeId: 'deploy' } });
  });

  it('an interrupt stops every running node: each attempt nok, interrupted; the run aborted', async () => {
    const interrupt = new AbortController();
    const runbook = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b'), commandNode('c', 'c')]);
    const processRunner = new FakeProcessRunner({
      a: { untilAborted: true },
      b: { untilAborted: true },
      c: { untilAborted: true },
    });
    const done = runWith(runbook, createTestPorts({ processRunner }), {
      concurrency: 3,
      signal: interrupt.signal,
    });
    await until(() => processRunner.commands.length === 3);
    interrupt.abort(new Error('interrupted by the operator'));
    const run = await done;
    expect(run.attempts).toEqual(['a#1:nok/interrupted', 'b#1:nok/interrupted', 'c#1:nok/interrupted']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
  });

  it('after an interrupt, the cleanup step runs once the interrupted nodes have ended, not interrupted itself', async () => {
    const interrupt = new AbortController();
    const cleanup = new AbortController();
    const runbook = buildRunbook([
      commandNode('a', 'a'),
      commandNode('b', 'b'),
      commandNode('tidy', 'tidy', { dependsOn: ['a', 'b'], runIf: 'always' }),
    ]);
    const processRunner = new FakeProcessRunner({
      a: { untilAborted: true },
      b: { untilAborted: true },
      tidy: {
        whileRunning: (request) => {
          expect(request.signal.aborted).toBe(false);
        },
      },
    });
    const done = runWith(runbook, createTestPorts({ processRunner }), {
      concurrency: 2,
      signal: interrupt.signal,
      cleanupSignal: cleanup.signal,
    });
    await until(() => processRunner.commands.length === 2);
    interrupt.abort();
    const run = await done;
    expect(run.attempts).toEqual(['a#1:nok/interrupted', 'b#1:nok/interrupted', 'tidy#1:ok/null']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
    expect(run.events.filter((e) => e.type === 'run-aborting')).toMatchObject([{ steps: ['tidy'] }]);
  });

  it("an operator's abort after a failure stops the nodes running beside it", async () => {
    const runbook = buildRunbook([commandNode('fails', 'fails'), commandNode('long', 'long')]);
    const processRunner = new FakeProcessRunner({ fails: { exitCode: 3 }, long: { untilAborted: true } });
    const ports = createTestPorts({ processRunner, answers: [{ afterFailure: 'abort' }] });
    const run = await runWith(runbook, ports, { concurrency: 2, interactive: true });
    expect(run.attempts).toEqual(['fails#1:nok/abort', 'long#1:nok/interrupted']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false, failed: { nodeId: 'fails' } });
  });

  it('a hang-up lets the running nodes finish and starts nothing new', async () => {
    const gated = gatedCommands();
    const hangup = new AbortController();
    const runbook = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b'), commandNode('c', 'c')]);
    const processRunner = new FakeProcessRunner({ a: gated.script('a'), b: gated.script('b'), c: {} });
    const done = runWith(runbook, createTestPorts({ processRunner }), {
      concurrency: 2,
      hangup: hangup.signal,
    });
    await until(() => gated.running.size === 2);
    hangup.abort(new Error('the terminal was closed (SIGHUP)'));
    gated.release('a');
    gated.release('b');
    const run = await done;
    expect(processRunner.commands).toEqual(['a', 'b']);
    expect(run.attempts).toEqual(['a#1:ok/null', 'b#1:ok/null']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false });
  });

  it('after a hang-up, a node that ends nok does not stop the nodes still running beside it', async () => {
    const gated = gatedCommands();
    const hangup = new AbortController();
    let stoppedB: boolean | undefined;
    const runbook = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b'), commandNode('c', 'c')]);
    const processRunner = new FakeProcessRunner({
      a: gated.script('a', { exitCode: 1 }),
      b: {
        whileRunning: async (request) => {
          await gated.script('b').whileRunning?.(request);
          stoppedB = request.signal.aborted;
        },
      },
      c: gated.script('c', { exitCode: 124 }),
    });
    const done = runWith(runbook, createTestPorts({ processRunner }), {
      concurrency: 3,
      hangup: hangup.signal,
    });
    await until(() => gated.running.size === 3);
    hangup.abort(new Error('the terminal was closed (SIGHUP)'));
    gated.release('a');
    await until(() => gated.running.size === 2);
    gated.release('c');
    await until(() => gated.running.size === 1);
    gated.release('b');
    const run = await done;
    // Each ends as it would have: none is stopped or recorded interrupted by another's failure.
    expect(stoppedB).toBe(false);
    expect(run.attempts).toEqual(['a#1:nok/null', 'b#1:ok/null', 'c#1:nok/null']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false, failed: { nodeId: 'a' } });
  });

  it('asks one question at a time', async () => {
    let open = 0;
    let most = 0;
    const asked: string[] = [];
    const prompter: Pick<Prompter, 'manual'> = {
      manual: async ({ node }) => {
        asked.push(node.id);
        open++;
        most = Math.max(most, open);
        await new Promise((r) => setTimeout(r, 5));
        open--;
        return { decision: 'ok', note: '' };
      },
    };
    const runbook = buildRunbook([manualNode('m1'), manualNode('m2'), manualNode('m3')]);
    const run = await runWith(runbook, createTestPorts({ prompter: prompter as never }), {
      concurrency: 3,
      interactive: true,
    });
    expect(asked).toEqual(['m1', 'm2', 'm3']);
    expect(most).toBe(1);
    expect(run.outcome.status).toBe('ok');
    // The three started together; their questions came one after the other.
    expect(run.started).toEqual(['m1', 'm2', 'm3']);
  });

  it('a store that fails while nodes run side by side: the run rejects once every node has ended', async () => {
    const gated = gatedCommands();
    const repository = new InMemoryRunRepository();
    const finish = repository.finishAttempt.bind(repository);
    let failures = 0;
    repository.finishAttempt = async (key, outcome) => {
      // Once: the engine's clean-up after the error writes the attempt as ended.
      if (key.nodeId === 'a' && failures++ === 0) {
        throw Object.assign(new Error('database is locked'), { code: 'QUERY_FAILED' });
      }
      return finish(key, outcome);
    };
    const runbook = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b'), commandNode('c', 'c')]);
    const processRunner = new FakeProcessRunner({ a: {}, b: gated.script('b'), c: {} });
    const done = runWith(runbook, createTestPorts({ processRunner, repository }), { concurrency: 3 });
    await until(() => gated.running.has('b'));
    gated.release('b');
    await expect(done).rejects.toThrow('database is locked');
    const state = await repository.loadRun({ workflowName: runbook.meta.title, runId: 1 });
    // Nothing is left running behind the error: the failed write's attempt is ended by the engine's clean-up.
    expect(state?.attempts.filter((attempt) => attempt.status === 'running')).toEqual([]);
  });
});
