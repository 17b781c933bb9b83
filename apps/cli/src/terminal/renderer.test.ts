import { PassThrough } from 'node:stream';
import type { EngineEvent, EventBody, EventStamp } from '@playbook/engine';
import { describe, expect, it } from 'vitest';
import { createColors } from './colors.js';
import { formatDuration } from './format.js';
import { Renderer } from './renderer.js';

function collect() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream, text: () => text };
}

function setup(options: { clock?: boolean; now?: () => number; names?: Record<string, string> } = {}) {
  const out = collect();
  const err = collect();
  const notes = collect();
  const renderer = new Renderer({
    output: out.stream,
    notes: notes.stream,
    clock: options.clock ? err.stream : null,
    colors: createColors(false),
    resumeCommand: (runId) => `playbook resume deploy.playbook.toml ${runId}`,
    ...(options.now ? { now: options.now } : {}),
    ...(options.names ? { nodeNames: new Map(Object.entries(options.names)) } : {}),
  });
  // Events as the engine stamps them; a test gives only what it is about.
  const handle = (event: EventBody & Partial<EventStamp>) =>
    renderer.handle({
      runId: 3,
      workflow: 'Deploy',
      timestamp: '2025-05-03T12:08:00.000Z',
      ...event,
    } as EngineEvent);
  return { renderer, handle, out: out.text, err: err.text, notes: notes.text };
}

describe('Renderer', () => {
  it('tells a run from its id to a summary naming the failure and the resume command', () => {
    const { handle, out } = setup();
    handle({
      type: 'run-started',
      runId: 3,
      trigger: 'run',
      plan: ['build', 'test', 'ship'],
      kept: [],
    });
    handle({
      type: 'node-started',
      nodeId: 'build',
      name: 'Build image',
      kind: 'Command',
      attempt: 1,
    });
    handle({ type: 'output', nodeId: 'build', attempt: 1, stream: 'stdout', chunk: 'step 1\nstep' });
    handle({ type: 'output', nodeId: 'build', attempt: 1, stream: 'stdout', chunk: ' 2\n' });
    handle({ type: 'output', nodeId: 'build', attempt: 1, stream: 'stderr', chunk: 'warn' });
    handle({
      type: 'node-finished',
      nodeId: 'build',
      name: 'Build image',
      attempt: 1,
      status: 'nok',
      durationMs: 1234,
      operatorDecision: null,
      exitCode: 2,
      reason: 'exit code 2',
    });
    handle({ type: 'node-blocked', nodeId: 'ship', name: 'ship', blockedBy: 'build' });
    handle({
      type: 'run-finished',
      runId: 3,
      status: 'nok',
      counts: { ok: 1, nok: 1, skipped: 0 },
      durationMs: 2000,
      failed: { nodeId: 'build', name: 'Build image', reason: 'exit code 2' },
      stopped: [],
    });
    const text = out();
    expect(text.split('\n')[0]).toBe('Run 3 of "Deploy" started · 3 steps');
    expect(text).toContain('› [1/3] Build image (build) Command\n');
    expect(text).toContain(
      '  │ step 1\n  │ step 2\n  │ warn\n✖ Build image (build) nok · attempt 1 · 1.2s\n  exit code 2\n',
    );
    expect(text).toContain('⊘ ship blocked: depends on build, which ended nok');
    expect(text).toContain('Run 3 of "Deploy" ended nok after 2.0s · 1 ok, 1 nok, 0 skipped, 1 not run');
    expect(text).toContain('Failed: Build image (build) — exit code 2');
    // test never started, ship was blocked: neither ran.
    expect(text).toContain('  Not run: test, ship\n  Resume with: playbook resume deploy.playbook.toml 3');
  });

  it('names the steps an aborted run did not reach, by name, a long list cut short', () => {
    const plan = Array.from({ length: 15 }, (_, index) => `s${index + 1}`);
    const { handle, out } = setup({ names: { s2: 'Second step' } });
    handle({ type: 'run-started', workflow: 'Big', runId: 1, trigger: 'run', plan, kept: [] });
    handle({ type: 'node-started', nodeId: 's1', name: 's1', kind: 'Manual', attempt: 1 });
    handle({
      type: 'node-finished',
      nodeId: 's1',
      name: 's1',
      attempt: 1,
      status: 'nok',
      durationMs: 5,
      operatorDecision: 'abort',
      exitCode: null,
      reason: 'aborted by the operator',
    });
    handle({
      type: 'run-finished',
      workflow: 'Big',
      runId: 1,
      status: 'aborted',
      counts: { ok: 0, nok: 1, skipped: 0 },
      durationMs: 10,
      failed: { nodeId: 's1', name: 's1', reason: 'aborted by the operator' },
      stopped: [],
    });
    expect(out()).toContain('› [1/15] s1 Manual\n');
    expect(out()).toContain('  Not run: Second step (s2), s3, s4, s5, s6, s7, s8, s9, s10, s11 and 4 more\n');
  });

  it('tells a stale run recovered before the run starts, in one line on the notes stream', () => {
    const { handle, out, notes } = setup();
    handle({
      type: 'stale-run-recovered',
      runId: 2,
      ownerHost: 'box',
      ownerPid: 4242,
      interrupted: ['ship'],
    });
    handle({
      type: 'run-started',
      runId: 3,
      trigger: 'run',
      plan: ['ship'],
      kept: [],
    });
    expect(notes()).toBe(
      'note: run 2 of "Deploy" was left running by process 4242, which is gone: recorded as aborted; step ship interrupted\n',
    );
    expect(out()).toMatch(/^Run 3 of "Deploy" started/);
  });

  it('shows kept nodes and the changes of the file on resume, and no resume hint after ok', () => {
    const { handle, out } = setup({ names: { a: 'Build', c: 'Check' } });
    handle({
      type: 'run-started',
      runId: 2,
      trigger: 'resume',
      plan: ['a', 'b', 'c'],
      kept: [
        { nodeId: 'a', status: 'ok' },
        { nodeId: 'b', status: 'skipped' },
      ],
      changes: { added: ['c'], removed: ['old'] },
    });
    handle({
      type: 'run-finished',
      runId: 2,
      status: 'ok',
      counts: { ok: 2, nok: 0, skipped: 1 },
      durationMs: 10,
      failed: null,
      stopped: [],
    });
    const text = out();
    expect(text).toContain(
      'Run 2 of "Deploy" resumed · 3 steps, 2 kept\n✔ Build (a) kept (ok)\n↷ b kept (skipped)\n',
    );
    expect(text).toContain('added:   Check (c)');
    expect(text).toContain('removed: old');
    expect(text).toContain('✔ Run 2 of "Deploy" ended ok');
    expect(text).not.toContain('Resume with');
  });

  it('marks an interrupted attempt with ⊘, and a skip with ↷', () => {
    const { handle, out } = setup();
    const base = { nodeId: 'a', name: 'a', attempt: 1, durationMs: 5, exitCode: null } as const;
    handle({
      ...base,
      type: 'node-finished',
      status: 'nok',
      operatorDecision: 'interrupted',
      reason: 'interrupted',
    });
    handle({
      ...base,
      type: 'node-finished',
      status: 'skipped',
      operatorDecision: 'skip',
      reason: null,
      attempt: 2,
    });
    expect(out()).toBe('⊘ a interrupted · attempt 1 · 5ms\n↷ a skipped · attempt 2 · 5ms\n');
  });

  it('tells a failure of its own drawing, reported by the engine, as one warning on the notes stream', () => {
    const { handle, notes } = setup();
    handle({
      type: 'error',
      source: 'listener',
      eventType: 'output',
      message: 'write EPIPE',
      error: new Error('write EPIPE'),
    });
    expect(notes()).toBe('warning: showing the run failed at output: write EPIPE\n');
  });

  it('ends an open output line before a prompt', () => {
    const { renderer, handle, out } = setup();
    handle({ type: 'node-started', nodeId: 'a', name: 'a', kind: 'Command', attempt: 1 });
    handle({ type: 'output', nodeId: 'a', attempt: 1, stream: 'stdout', chunk: 'Continue?' });
    handle({ type: 'prompt', nodeId: 'a', question: 'after-failure' });
    expect(out().endsWith('  │ Continue?\n')).toBe(true);
    renderer.dispose();
  });

  it('draws a running clock on the status stream after a second, and clears it before output', async () => {
    let now = 0;
    const { renderer, handle, out, err } = setup({ clock: true, now: () => now });
    handle({ type: 'node-started', nodeId: 'a', name: 'Wait', kind: 'Command', attempt: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(err()).toBe('');
    now = 2500;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(err()).toContain('Wait 2s');
    handle({ type: 'output', nodeId: 'a', attempt: 1, stream: 'stdout', chunk: 'done\n' });
    expect(err().endsWith('\r\x1b[2K')).toBe(true);
    expect(out()).toContain('  │ done\n');
    renderer.dispose();
    const drawn = err();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(err()).toBe(drawn);
  });

  it('counts down to an automatic retry on the status stream; the next attempt clears it', async () => {
    let now = 0;
    const { renderer, handle, out, err } = setup({ clock: true, now: () => now });
    handle({
      type: 'retry-wait',
      nodeId: 'fetch',
      name: 'Fetch',
      attempt: 1,
      nextTry: 2,
      tries: 3,
      delayMs: 5000,
    });
    expect(out()).toBe('↻ Fetch (fetch) retrying automatically in 5.0s (try 2 of 3)\n');
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(err()).toContain('↻ Fetch: retrying in 5s');
    now = 3200;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(err()).toContain('↻ Fetch: retrying in 2s');
    handle({ type: 'node-started', nodeId: 'fetch', name: 'Fetch', kind: 'Command', attempt: 2 });
    expect(err().endsWith('\r\x1b[2K')).toBe(true);
    renderer.dispose();
  });

  it('says which rollback and cleanup steps still run when a run aborts, and how to skip them', () => {
    const { handle, out } = setup({ names: { rollback: 'Roll back', cleanup: 'cleanup' } });
    handle({ type: 'run-aborting', cause: 'interrupted', steps: ['rollback', 'cleanup'] });
    handle({ type: 'run-aborting', cause: 'abort', steps: ['cleanup'] });
    expect(out()).toBe(
      '! Aborting: the rollback and cleanup steps whose dependencies have ended still run (Roll back (rollback), ' +
        'cleanup); press Ctrl-C again to skip them\n' +
        '! Aborting: the rollback and cleanup steps whose dependencies have ended still run (cleanup); press ' +
        'Ctrl-C, or answer abort again, to skip them\n',
    );
  });

  it('keeps the clock on one row of the terminal, however long the step name', async () => {
    let now = 0;
    const out = collect();
    const err = collect();
    // A terminal 40 columns wide: the clock must not wrap, or every redraw would leave a row behind.
    const clock = Object.assign(err.stream, { columns: 40 });
    const renderer = new Renderer({
      output: out.stream,
      notes: err.stream,
      clock,
      colors: createColors(false),
      resumeCommand: (runId) => `playbook resume x ${runId}`,
      now: () => now,
    });
    const name = 'A step name far longer than the terminal is wide, so the clock must be cut';
    renderer.handle({
      runId: 1,
      workflow: 'x',
      timestamp: '2025-05-03T12:08:00.000Z',
      type: 'node-started',
      nodeId: 'a',
      name,
      kind: 'Command',
      attempt: 1,
    });
    now = 12_000;
    await new Promise((resolve) => setTimeout(resolve, 150));
    renderer.dispose();
    const frames = err
      .text()
      .split('\r\x1b[2K')
      .filter((frame) => frame !== '');
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      expect(frame).toMatch(/^. A step name far.*… 12s$/);
      expect(Array.from(frame).length).toBeLessThan(40);
    }
  });
});

describe('formatDuration', () => {
  it('reads naturally at every scale', () => {
    expect([420, 3210, 125_000, 3_720_000].map(formatDuration)).toEqual([
      '420ms',
      '3.2s',
      '2m 05s',
      '1h 02m',
    ]);
  });

  it('shows a node`s description before it runs, for every kind of node (SPEC §2.3)', () => {
    const { renderer, handle, out } = setup();
    for (const kind of ['Command', 'Function', 'Manual'] as const) {
      handle({
        type: 'node-started',
        nodeId: kind.toLowerCase(),
        name: kind.toLowerCase(),
        kind,
        attempt: 1,
        description: `What the ${kind} step does.\nAnd why.`,
      });
    }
    handle({ type: 'node-started', nodeId: 'bare', name: 'bare', kind: 'Command', attempt: 1 });
    expect(out()).toBe(
      '› command Command\n  What the Command step does.\n  And why.\n' +
        '› function Function\n  What the Function step does.\n  And why.\n' +
        '› manual Manual\n  What the Manual step does.\n  And why.\n' +
        '› bare Command\n',
    );
    renderer.dispose();
  });

  it('shows the control characters of titles, names, descriptions and reasons; live output stays raw', () => {
    const { handle, out, notes } = setup();
    const evil = '\x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x9b3J\u202e';
    handle({
      type: 'stale-run-recovered',
      workflow: `T${evil}`,
      runId: 1,
      ownerHost: null,
      ownerPid: null,
      interrupted: [],
    });
    handle({
      type: 'run-started',
      workflow: `T${evil}`,
      runId: 2,
      trigger: 'resume',
      plan: ['a'],
      kept: [],
      changes: { added: [], removed: [`gone${evil}`] },
    });
    handle({
      type: 'node-started',
      nodeId: 'a',
      name: `A${evil}`,
      kind: 'Command',
      attempt: 1,
      description: `D${evil}`,
    });
    handle({
      type: 'output',
      nodeId: 'a',
      attempt: 1,
      stream: 'stdout',
      chunk: 'own \x1b[1mcommand\x1b[0m\n',
    });
    handle({
      type: 'node-finished',
      nodeId: 'a',
      name: `A${evil}`,
      attempt: 1,
      status: 'nok',
      durationMs: 5,
      operatorDecision: null,
      exitCode: null,
      reason: `R${evil}`,
    });
    handle({
      type: 'run-finished',
      workflow: `T${evil}`,
      runId: 2,
      status: 'nok',
      counts: { ok: 0, nok: 1, skipped: 0 },
      durationMs: 9,
      failed: { nodeId: 'a', name: `A${evil}`, reason: `R${evil}` },
      stopped: [],
    });
    const shown = '␛]52;c;cm0gLXJmIH4=␇␛[2J\\u009b3J\\u202e';
    const text = out().replace('own \x1b[1mcommand\x1b[0m', '');
    expect(out()).toContain('  │ own \x1b[1mcommand\x1b[0m\n');
    expect(text).not.toMatch(/[\x1b\x07\x9b\u202e]/);
    expect(notes()).not.toMatch(/[\x1b\x07\x9b\u202e]/);
    for (const part of [`T${shown}`, `A${shown}`, `D${shown}`, `R${shown}`, `gone${shown}`]) {
      expect(text).toContain(part);
    }
    expect(notes()).toContain(`T${shown}`);
  });
});
