import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import { FakeFunctionLoader } from './testing/fake-function-loader.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, functionNode } from './testing/runbook-builder.js';
import { createTestPorts } from './testing/test-ports.js';

const WORKFLOW = 'Test runbook';

/** A runbook with output from both kinds of step: a command and a function that logs three lines. */
const runbook = buildRunbook([commandNode('build', 'build'), functionNode('notify', 'notify', {})]);

function ports() {
  return createTestPorts({
    processRunner: new FakeProcessRunner({ build: { stdout: 'compiled\n', stderr: 'warning\n' } }),
    functionLoader: new FakeFunctionLoader({
      notify: (_params, context) => {
        for (const line of ['one', 'two', 'three']) context.logger.info(line);
        return 'sent';
      },
    }),
  });
}

/** Runs `runbook` with a listener that records every event and then calls `misbehave` on it. */
async function runWithListener(
  misbehave: (event: EngineEvent) => unknown,
  options: Partial<RunOptions> = {},
) {
  const testPorts = ports();
  const events: EngineEvent[] = [];
  const outcome = await createEngine(testPorts).run(runbook, {
    interactive: false,
    onEvent: (event) => {
      events.push(event);
      return misbehave(event);
    },
    ...options,
  });
  const state = await testPorts.repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId });
  // Let a rejected promise of an async listener be seen, as it would be later in a real program.
  await new Promise((resolve) => setImmediate(resolve));
  return { outcome, state, events, errors: events.filter((event) => event.type === 'error') };
}

/** What a run records, without the listener's doing: status, counts, and each attempt's outcome. */
async function recordedWithoutListener() {
  const testPorts = ports();
  const outcome = await createEngine(testPorts).run(runbook, { interactive: false });
  return {
    outcome,
    state: await testPorts.repository.loadRun({ workflowName: WORKFLOW, runId: outcome.runId }),
  };
}

describe('a listener that throws never changes what the run records', () => {
  it.each(['run-started', 'node-started', 'output', 'node-finished', 'run-finished'] as const)(
    'throwing on %s: the run ends ok, recorded exactly as without the listener',
    async (type) => {
      const run = await runWithListener((event) => {
        if (event.type === type) throw new Error(`listener broke on ${event.type}`);
      });
      const expected = await recordedWithoutListener();
      expect(run.outcome).toEqual(expected.outcome);
      expect(run.state).toEqual(expected.state);
      expect(run.state?.run).toMatchObject({ status: 'ok', owner: null });
      // Reported once, to the listener, whatever number of events it failed on (output: five chunks).
      expect(run.errors).toEqual([
        expect.objectContaining({
          type: 'error',
          source: 'listener',
          eventType: type,
          message: `listener broke on ${type}`,
          runId: 1,
          workflow: WORKFLOW,
        }),
      ]);
      // Every event after the failure was still delivered.
      expect(run.events.filter((event) => event.type !== 'error').at(-1)?.type).toBe('run-finished');
    },
  );

  it('an async listener that rejects: no unhandled rejection, reported once', async () => {
    const run = await runWithListener(async (event) => {
      if (event.type === 'output') throw new Error('cannot forward output');
    });
    expect(run.state?.run.status).toBe('ok');
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatchObject({ eventType: 'output', message: 'cannot forward output' });
  });

  it('a listener that also throws on the error event is left alone', async () => {
    const run = await runWithListener(() => {
      throw 'not even an Error';
    });
    expect(run.outcome.status).toBe('ok');
    expect(run.errors).toEqual([
      expect.objectContaining({ eventType: 'run-started', message: 'not even an Error' }),
    ]);
  });
});

describe('event stamps', () => {
  it('every event carries the run id, the workflow and an ISO timestamp from the Clock port', async () => {
    const run = await runWithListener(() => {});
    expect(run.events.map((event) => event.type)).toEqual([
      'run-started',
      'node-started',
      'output',
      'output',
      'node-finished',
      'node-started',
      'output',
      'output',
      'output',
      'node-finished',
      'run-finished',
    ]);
    const stamps = run.events.map(({ runId, workflow, timestamp }) => ({ runId, workflow, timestamp }));
    for (const stamp of stamps) {
      expect(stamp).toEqual({ runId: 1, workflow: WORKFLOW, timestamp: expect.any(String) });
      // The test clock starts at 2025-01-01T00:00:00Z and moves 1 s per reading.
      expect(stamp.timestamp).toMatch(/^2025-01-01T00:0\d:\d\d\.000Z$/);
    }
    const times = stamps.map((stamp) => Date.parse(stamp.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
