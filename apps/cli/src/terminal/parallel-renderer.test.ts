import { PassThrough } from 'node:stream';
import type { EngineEvent, EventBody, EventStamp } from '@playbook/engine';
import { describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import { Renderer } from './renderer.js';

function setup(options: { clock?: boolean; now?: () => number } = {}) {
  const collect = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    return { stream, text: () => text };
  };
  const out = collect();
  const err = collect();
  const renderer = new Renderer({
    output: out.stream,
    notes: collect().stream,
    clock: options.clock === true ? err.stream : null,
    colors: createColors(false),
    resumeCommand: (runId) => `playbook resume x ${runId}`,
    parallel: true,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const handle = (event: EventBody & Partial<EventStamp>) =>
    renderer.handle({
      runId: 1,
      workflow: 'W',
      timestamp: '2025-05-03T12:08:00.000Z',
      ...event,
    } as EngineEvent);
  const start = (nodeId: string, name = nodeId, kind: 'Command' | 'Manual' | 'Function' = 'Command') =>
    handle({ type: 'node-started', nodeId, name, kind, attempt: 1 });
  const output = (nodeId: string, chunk: string, stream: 'stdout' | 'stderr' = 'stdout') =>
    handle({ type: 'output', nodeId, attempt: 1, stream, chunk });
  const finish = (nodeId: string) =>
    handle({
      type: 'node-finished',
      nodeId,
      name: nodeId,
      attempt: 1,
      status: 'ok',
      durationMs: 10,
      operatorDecision: null,
      exitCode: 0,
      reason: null,
    });
  return { renderer, handle, start, output, finish, out: out.text, err: err.text };
}

// SPEC §9.1: output of steps running together is shown as whole lines, each prefixed with the step's name.
describe('Renderer with steps running together', () => {
  it("prefixes whole lines with the step's name and never cuts one line with another", () => {
    const { start, output, finish, out } = setup();
    start('build', 'Build');
    start('test', 'Test');
    output('build', 'compil');
    output('test', 'ok 1\nok ');
    output('build', 'ing\nlinking');
    output('test', '2\n', 'stdout');
    output('test', 'warn\n', 'stderr');
    finish('test');
    // A last line without a line feed is shown when its step ends.
    finish('build');
    const lines = out().split('\n');
    expect(lines.filter((line) => line.includes(' │ '))).toEqual([
      '  Test │ ok 1',
      '  Build │ compiling',
      '  Test │ ok 2',
      '  Test │ warn',
      '  Build │ linking',
    ]);
  });

  it('shows a control character of a step name as a picture, never acts on it', () => {
    const { start, output, finish, out } = setup();
    start('a', 'evil\u001b[2J');
    output('a', 'line\n');
    finish('a');
    expect(out()).toContain('  evil␛[2J │ line\n');
    expect(out()).not.toContain('\u001b');
  });

  it('prints nothing while a question waits, and what was held once it is answered', () => {
    const { renderer, handle, start, output, out } = setup();
    start('flood');
    start('ask', 'ask', 'Manual');
    handle({ type: 'prompt', nodeId: 'ask', question: 'manual' });
    const before = out();
    output('flood', 'one\ntwo\n');
    expect(out()).toBe(before);
    renderer.answered();
    expect(out().slice(before.length)).toBe('  flood │ one\n  flood │ two\n');
  });

  it('keeps at most a few MiB while a question waits, and says how many lines it left out', () => {
    const { renderer, handle, start, output, out } = setup();
    start('flood');
    handle({ type: 'prompt', nodeId: 'flood', question: 'ask-value' });
    const line = `${'x'.repeat(1023)}\n`;
    for (let i = 0; i < 10_000; i++) output('flood', line);
    renderer.answered();
    const shown = out();
    expect(shown.length).toBeLessThan(6 * 1024 * 1024);
    expect(shown).toMatch(/… \d+ more lines printed while the question waited are not shown here/);
  });

  it('shows every running command on the clock line with its time', async () => {
    let now = 0;
    const { start, err } = setup({ clock: true, now: () => now });
    start('a', 'Alpha');
    now = 1500;
    start('b', 'Beta');
    now = 3200;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(err()).toContain('Alpha 3s · Beta 1s');
  });
});
