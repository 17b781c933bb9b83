import type { Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import { functionOutputs } from './step-outputs.js';
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
    interactive: false,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  if (state === undefined) throw new Error('run not stored');
  const attempt = (nodeId: string, number = 1) => {
    const found = state.attempts.find((a) => a.nodeId === nodeId && a.attempt === number);
    if (found === undefined) throw new Error(`no attempt ${number} of ${nodeId}`);
    return found;
  };
  return { ports, events, outcome, state, attempt };
}

describe('Command outputs', () => {
  it('keeps what the command wrote to its output file with the attempt, in order', async () => {
    const { outcome, attempt } = await runWith(buildRunbook([commandNode('build', 'build')]), {
      processRunner: new FakeProcessRunner({
        build: { outputFile: 'image=app:1\nnotes<<EOF\nline 1\nline 2\nEOF\n' },
      }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempt('build').outputs).toEqual({ image: 'app:1', notes: 'line 1\nline 2' });
    expect(Object.keys(attempt('build').outputs ?? {})).toEqual(['image', 'notes']);
  });

  it('ends the attempt nok for an unusable file, keeping none of it, and names the problem', async () => {
    const { outcome, attempt } = await runWith(
      buildRunbook([commandNode('build', 'build'), commandNode('after', 'after', { dependsOn: ['build'] })]),
      {
        processRunner: new FakeProcessRunner({ build: { outputFile: 'image=app:1\nnot a line\n' } }),
      },
    );
    expect(outcome.status).toBe('nok');
    expect(outcome.failed).toMatchObject({
      nodeId: 'build',
      reason:
        'output file line 2: expected key=value or key<<DELIMITER (the line is not shown: it may hold a secret)',
    });
    expect(attempt('build')).toMatchObject({ status: 'nok', exitCode: 0 });
    expect(attempt('build').outputs).toBeUndefined();
  });

  it('a command without any output file (a runner of before outputs) has none and still ends ok', async () => {
    const { outcome, attempt } = await runWith(buildRunbook([commandNode('build', 'build')]), {
      processRunner: new FakeProcessRunner({ build: { exitCode: 0 } }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempt('build').outputs).toBeUndefined();
  });

  it('ends nok an attempt that exits 0 without a declared output, naming each missing one', async () => {
    const runbook = buildRunbook([
      commandNode('build', 'build', { outputs: ['image', 'digest'], secretOutputs: ['token'] }),
    ]);
    const { outcome, attempt } = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ build: { outputFile: 'image=app\n' } }),
    });
    expect(outcome.failed?.reason).toBe('declared outputs "digest", "token" not produced');
    expect(attempt('build')).toMatchObject({ status: 'nok', exitCode: 0, outputs: { image: 'app' } });
  });

  it("keeps a failed attempt's own reason when it also lacks a declared output", async () => {
    const runbook = buildRunbook([commandNode('build', 'build', { outputs: ['image'] })]);
    const { outcome } = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ build: { exitCode: 3, outputFile: '' } }),
    });
    expect(outcome.failed?.reason).toBe('exit code 3');
  });

  it("stores a secret output's key but never its value", async () => {
    const runbook = buildRunbook([commandNode('login', 'login', { secretOutputs: ['token'] })]);
    const { outcome, attempt, ports } = await runWith(runbook, {
      processRunner: new FakeProcessRunner({ login: { outputFile: 'user=ops\ntoken=s3cr3t-value\n' } }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempt('login').outputs).toEqual({ user: 'ops' });
    expect(attempt('login').secretOutputs).toEqual(['token']);
    expect(JSON.stringify(await ports.repository.loadRun(outcome))).not.toContain('s3cr3t-value');
  });

  it('gives a retry its own outputs: the failed attempt keeps what it wrote', async () => {
    const runbook = buildRunbook([commandNode('build', 'build')]);
    const { outcome, attempt } = await runWith(
      runbook,
      {
        processRunner: new FakeProcessRunner({
          build: [
            { exitCode: 1, outputFile: 'image=broken\n' },
            { exitCode: 0, outputFile: 'image=app:2\n' },
          ],
        }),
      },
      { retries: 1 },
    );
    expect(outcome.status).toBe('ok');
    expect(attempt('build', 1).outputs).toEqual({ image: 'broken' });
    expect(attempt('build', 2).outputs).toEqual({ image: 'app:2' });
  });
});

describe('Function outputs', () => {
  it('makes the keys of a returned plain object outputs: strings as they are, the rest as JSON', async () => {
    const runbook = buildRunbook([functionNode('f', 'f')]);
    const result = { image: 'app:1', replicas: 3, ready: true, tags: ['a', 'b'], meta: { x: null } };
    const { attempt } = await runWith(runbook, {
      functionLoader: new FakeFunctionLoader({ f: async () => result }),
    });
    expect(attempt('f').resultText).toBe(JSON.stringify(result));
    expect(attempt('f').outputs).toEqual({
      image: 'app:1',
      replicas: '3',
      ready: 'true',
      tags: '["a","b"]',
      meta: '{"x":null}',
    });
  });

  it('a node that declares no outputs keeps working as before: keys that are not names are left out', async () => {
    const runbook = buildRunbook([functionNode('f', 'f')]);
    const { outcome, attempt } = await runWith(runbook, {
      functionLoader: new FakeFunctionLoader({
        f: async () => ({ 'status-code': 200, big: 'x'.repeat(70 * 1024), ok: 'yes' }),
      }),
    });
    expect(outcome.status).toBe('ok');
    expect(attempt('f').outputs).toEqual({ ok: 'yes' });
  });

  it('a node that declares outputs is held to the rules: a value over 64 KiB ends it nok naming the key', async () => {
    const runbook = buildRunbook([functionNode('f', 'f', {}, { outputs: ['ok'] })]);
    const { outcome, attempt } = await runWith(runbook, {
      functionLoader: new FakeFunctionLoader({ f: async () => ({ big: 'x'.repeat(70 * 1024), ok: 'yes' }) }),
    });
    expect(outcome.failed?.reason).toBe('output "big" is larger than 64 KiB (outputs are never truncated)');
    expect(attempt('f').outputs).toBeUndefined();
  });

  it('gives no outputs for anything but a plain object', () => {
    expect(functionOutputs('text')).toBeUndefined();
    expect(functionOutputs([1, 2])).toBeUndefined();
    expect(functionOutputs(new Date(0))).toBeUndefined();
    expect(functionOutputs(null)).toBeUndefined();
    expect(functionOutputs({ n: 10n, f: () => 1, u: undefined })).toEqual({ n: '10' });
    expect(functionOutputs(Object.assign(Object.create(null), { a: 'b' }))).toEqual({ a: 'b' });
  });
});

describe('Manual outputs', () => {
  it('makes the note the output note', async () => {
    const runbook = buildRunbook([manualNode('check', { outputs: ['note'] })]);
    const { outcome, attempt } = await runWith(
      runbook,
      { answers: [{ manual: 'ok', note: 'db is primary' }] },
      {
        interactive: true,
      },
    );
    expect(outcome.status).toBe('ok');
    expect(attempt('check')).toMatchObject({
      resultText: 'db is primary',
      outputs: { note: 'db is primary' },
    });
  });

  it('ends nok a Manual step that must give a note when none is given', async () => {
    const runbook = buildRunbook([manualNode('check', { outputs: ['note'] })]);
    const { outcome } = await runWith(runbook, { answers: [{ manual: 'ok' }] }, { interactive: true });
    expect(outcome.failed?.reason).toMatch(/^declared output "note" not produced/);
  });
});
