import type { Runbook } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from './engine.js';
import type { RunOptions } from './engine-types.js';
import type { EngineEvent } from './events.js';
import type { Prompter } from './ports/prompter.js';
import { FakeProcessRunner } from './testing/fake-process-runner.js';
import { buildRunbook, commandNode, manualNode } from './testing/runbook-builder.js';
import { createTestPorts, type TestPorts } from './testing/test-ports.js';

const TERMINAL_CLOSED = new Error('the terminal was closed (SIGHUP)');

async function runWith(runbook: Runbook, ports: TestPorts, options: Partial<RunOptions>) {
  const events: EngineEvent[] = [];
  const outcome = await createEngine(ports).run(runbook, {
    interactive: true,
    onEvent: (event) => events.push(event),
    ...options,
  });
  const state = await ports.repository.loadRun({ workflowName: runbook.meta.title, runId: outcome.runId });
  const attempts = (state?.attempts ?? []).map(
    (a) => `${a.nodeId}#${a.attempt}:${a.status}/${a.operatorDecision}`,
  );
  return { outcome, state, attempts, events };
}

/** A command whose run closes the operator's terminal midway (aborts `hangup`), then ends as scripted. */
function hangsUpWhileRunning(hangup: AbortController, script: { exitCode?: number } = {}) {
  return {
    ...script,
    whileRunning: (request: { signal: AbortSignal }) => {
      hangup.abort(TERMINAL_CLOSED);
      // The running step is let finish: its own signal (the interrupt) does not fire.
      expect(request.signal.aborted).toBe(false);
    },
  };
}

// SPEC §11: SIGHUP (the operator's terminal is gone) lets the running step finish and records it, starts
// nothing new, ends a pending question as end of input, and ends the run `aborted`, resumable.
describe('the operator hangs up (RunOptions.hangup)', () => {
  const chain = buildRunbook([commandNode('a', 'a'), commandNode('b', 'b', { dependsOn: ['a'] })]);

  it('lets the running command finish and records it, then starts nothing new', async () => {
    const hangup = new AbortController();
    const processRunner = new FakeProcessRunner({ a: hangsUpWhileRunning(hangup), b: {} });
    const run = await runWith(chain, createTestPorts({ processRunner }), { hangup: hangup.signal });
    expect(processRunner.commands).toEqual(['a']);
    expect(run.attempts).toEqual(['a#1:ok/null']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false, counts: { ok: 1 } });
    expect(run.state?.run).toMatchObject({ status: 'aborted', owner: null });
    expect(run.events.at(-1)).toMatchObject({ type: 'run-finished', status: 'aborted' });
  });

  it('neither retries a failed step automatically nor asks what to do after it', async () => {
    for (const interactive of [true, false]) {
      const hangup = new AbortController();
      const processRunner = new FakeProcessRunner({ a: hangsUpWhileRunning(hangup, { exitCode: 2 }) });
      const ports = createTestPorts({ processRunner, answers: [{ afterFailure: 'retry' }] });
      const run = await runWith(chain, ports, { hangup: hangup.signal, interactive, retries: 3 });
      expect(processRunner.commands).toEqual(['a']);
      expect(ports.prompter.questions).toEqual([]);
      expect(run.attempts).toEqual(['a#1:nok/null']);
      expect(run.outcome.status).toBe('aborted');
      expect(run.outcome.failed?.reason).toBe('exit code 2 (the terminal was closed (SIGHUP))');
    }
  });

  it('ends a pending question as end of input: the attempt nok, decision abort, the run aborted', async () => {
    const hangup = new AbortController();
    let asked = false;
    const waiting: Pick<Prompter, 'manual'> = {
      manual: () => {
        asked = true;
        setTimeout(() => hangup.abort(TERMINAL_CLOSED), 5);
        return new Promise(() => {});
      },
    };
    const ports = createTestPorts({ prompter: waiting as never });
    const run = await runWith(buildRunbook([manualNode('m'), manualNode('n')]), ports, {
      hangup: hangup.signal,
    });
    expect(asked).toBe(true);
    expect(run.attempts).toEqual(['m#1:nok/abort']);
    expect(run.outcome).toMatchObject({
      status: 'aborted',
      interrupted: false,
      failed: { nodeId: 'm', reason: expect.stringContaining('the terminal was closed (SIGHUP)') },
    });
  });

  it('asks nothing once the operator is gone', async () => {
    const hangup = new AbortController();
    hangup.abort(TERMINAL_CLOSED);
    const ports = createTestPorts({ answers: [{ manual: 'ok' }] });
    const run = await runWith(buildRunbook([manualNode('m')]), ports, { hangup: hangup.signal });
    expect(ports.prompter.questions).toEqual([]);
    expect(run.attempts).toEqual([]);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: false });
  });

  it('ends the run as it would have when the step let finish was the last one', async () => {
    const hangup = new AbortController();
    const processRunner = new FakeProcessRunner({ a: {}, b: hangsUpWhileRunning(hangup) });
    const run = await runWith(chain, createTestPorts({ processRunner }), { hangup: hangup.signal });
    expect(run.attempts).toEqual(['a#1:ok/null', 'b#1:ok/null']);
    expect(run.outcome.status).toBe('ok');
  });

  it('leaves a run that resume completes, keeping the step that finished', async () => {
    const hangup = new AbortController();
    const ports = createTestPorts({
      processRunner: new FakeProcessRunner({ a: hangsUpWhileRunning(hangup), b: {} }),
    });
    await runWith(chain, ports, { hangup: hangup.signal });
    const again = new FakeProcessRunner({ a: {}, b: {} });
    const outcome = await createEngine({ ...ports, processRunner: again }).resume(chain, {
      interactive: false,
    });
    expect(outcome.status).toBe('ok');
    expect(again.commands).toEqual(['b']);
  });

  it('lets an interrupt that follows still stop the running step', async () => {
    const hangup = new AbortController();
    const interrupt = new AbortController();
    const processRunner = new FakeProcessRunner({
      a: {
        untilAborted: true,
        whileRunning: () => {
          hangup.abort(TERMINAL_CLOSED);
          setTimeout(() => interrupt.abort(), 5);
        },
      },
    });
    const run = await runWith(chain, createTestPorts({ processRunner }), {
      hangup: hangup.signal,
      signal: interrupt.signal,
    });
    expect(run.attempts).toEqual(['a#1:nok/interrupted']);
    expect(run.outcome).toMatchObject({ status: 'aborted', interrupted: true });
  });
});
