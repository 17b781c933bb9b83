import { describe, expect, it } from 'vitest';
import type { OutputStream } from '../ports/process-runner.js';
import { PromptClosedError } from '../ports/prompter.js';
import { FakeFunctionLoader } from './fake-function-loader.js';
import { FakeProcessRunner } from './fake-process-runner.js';
import { FakeProcessTable } from './fake-process-table.js';
import { FixedClock } from './fixed-clock.js';
import { manualNode } from './runbook-builder.js';
import { ScriptedPrompter, ScriptMismatchError } from './scripted-prompter.js';

const node = manualNode('m');

describe('ScriptedPrompter', () => {
  it('answers in order, records the questions, and throws PromptClosedError once the script is used up', async () => {
    const prompter = new ScriptedPrompter([{ manual: 'nok', note: 'n' }, { afterFailure: 'retry' }]);
    expect(await prompter.manual({ node, attempt: 1, canSkip: false })).toEqual({
      decision: 'nok',
      note: 'n',
    });
    expect(await prompter.afterFailure({ node, attempt: 1, reason: 'r', canSkip: false })).toBe('retry');
    await expect(prompter.confirmRepeat({ node })).rejects.toBeInstanceOf(PromptClosedError);
    expect(prompter.questions.map((q) => q.kind)).toEqual(['manual', 'after-failure', 'confirm-repeat']);
  });

  it('fails loudly when the next answer does not fit the question', async () => {
    const prompter = new ScriptedPrompter([{ repeat: true }]);
    await expect(prompter.manual({ node, attempt: 1, canSkip: false })).rejects.toBeInstanceOf(
      ScriptMismatchError,
    );
  });
});

describe('FixedClock', () => {
  it('stands still, or moves by its step on each reading, and advances on demand', () => {
    const still = new FixedClock(new Date('2030-01-01T00:00:00Z'));
    expect(still.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(still.now().toISOString()).toBe('2030-01-01T00:00:00.000Z');
    const stepping = new FixedClock(new Date('2030-01-01T00:00:00Z'), 250);
    stepping.now();
    stepping.advance(1000);
    expect(stepping.now().toISOString()).toBe('2030-01-01T00:00:01.250Z');
  });
});

describe('FakeProcessRunner', () => {
  const request = (command: string, onOutput: (stream: OutputStream, chunk: string) => void = () => {}) => ({
    command,
    cwd: '/w',
    timeoutMs: 1000,
    signal: new AbortController().signal,
    maxOutputBytes: 100,
    onOutput,
  });

  it('plays a list of scripts one per run, the last repeating, and streams the output', async () => {
    const runner = new FakeProcessRunner({ x: [{ exitCode: 1, stdout: 'a' }, { exitCode: 0 }] });
    const chunks: string[] = [];
    const codes: number[] = [];
    for (let i = 0; i < 3; i++)
      codes.push((await runner.run(request('x', (_s, c) => chunks.push(c)))).exitCode);
    expect(codes).toEqual([1, 0, 0]);
    expect(chunks).toEqual(['a']);
    expect(runner.commands).toEqual(['x', 'x', 'x']);
  });

  it('ends an unscripted command with 127', async () => {
    expect((await new FakeProcessRunner().run(request('nope'))).exitCode).toBe(127);
  });
});

describe('FakeFunctionLoader and FakeProcessTable', () => {
  it('loads only the functions it was given', async () => {
    const loader = new FakeFunctionLoader({ f: () => 1 });
    expect(await loader.load('f', '/d')).toBeTypeOf('function');
    await expect(loader.load('g', '/d')).rejects.toMatchObject({ code: 'FUNCTION_LOAD', functionName: 'g' });
  });

  it('sees its own pid and the listed ones alive, and records kills', async () => {
    const table = new FakeProcessTable({ pid: 10, alive: [20] });
    expect([table.isAlive(10), table.isAlive(20), table.isAlive(30)]).toEqual([true, true, false]);
    await table.killGroup(20, 5);
    expect(table.isAlive(20)).toBe(false);
    expect(table.killed).toEqual([{ processGroup: 20, graceMs: 5 }]);
  });
});
