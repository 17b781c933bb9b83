import type { RunState } from '@playbook/domain';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine.js';
import { FakeProcessRunner } from '../testing/fake-process-runner.js';
import { InMemoryRunRepository } from '../testing/memory-run-repository.js';
import { buildRunbook, commandNode } from '../testing/runbook-builder.js';
import { createTestPorts } from '../testing/test-ports.js';
import { type AuditLog, sha256Hex } from './audit-entry.js';
import { verifyRun } from './verify-run.js';

/** A run of two steps, the first failing once and retried, kept in memory with its audit log. */
async function recorded(): Promise<{ log: AuditLog; state: RunState }> {
  const runner = new FakeProcessRunner({
    build: [
      { exitCode: 1, stdout: 'first\n' },
      { exitCode: 0, stdout: 'built\n' },
    ],
    ship: { exitCode: 0, stdout: 'shipped\n' },
  });
  const ports = createTestPorts({ identity: { operator: 'alice', osUser: 'ops@a' }, processRunner: runner });
  const runbook = buildRunbook([
    commandNode('build', 'build'),
    commandNode('ship', 'ship', { dependsOn: ['build'] }),
  ]);
  const outcome = await createEngine(ports).run(runbook, { interactive: false, retries: 1 });
  const key = { workflowName: outcome.workflowName, runId: outcome.runId };
  const state = await ports.repository.loadRun(key);
  if (state === undefined) throw new Error('no run');
  return { log: await ports.repository.auditLog(key), state };
}

const KEY = { workflowName: 'Test runbook', runId: 1 };

/** A deep copy to tamper with. */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('verifyRun', () => {
  it('finds an untouched run intact, its head the last entry', async () => {
    const { log, state } = await recorded();
    const verdict = verifyRun(KEY, log, state);
    expect(verdict).toEqual({ status: 'intact', entries: log.entries.length, head: expect.any(Object) });
    const last = log.entries.at(-1);
    expect(verdict.status === 'intact' && verdict.head).toEqual({ seq: last?.seq, hash: last?.hash });
    expect(log.entries.map((e) => JSON.parse(e.entry).kind)).toEqual([
      'run-created',
      'session',
      'attempt-started',
      'attempt-ended',
      'decision',
      'attempt-started',
      'attempt-ended',
      'attempt-started',
      'attempt-ended',
      'run-finished',
    ]);
  });

  it('names an executions row whose stdout was edited, and the entry that recorded it', async () => {
    const { log, state } = await recorded();
    const edited = copy(state);
    (edited.attempts[0] as { stdout: string }).stdout = 'nothing to see\n';
    expect(verifyRun(KEY, log, edited)).toMatchObject({
      status: 'broken',
      problem: 'executions row build#1 was changed: its stdout is not what audit entry 5 recorded',
    });
  });

  it('names a removed row and an inserted one', async () => {
    const { log, state } = await recorded();
    const removed = copy(state);
    (removed.attempts as unknown[]).splice(1, 1);
    expect(verifyRun(KEY, log, removed)).toMatchObject({
      problem: 'executions row build#2 was removed (audit entry 7 wrote it)',
    });
    const inserted = copy(state);
    (inserted.attempts as unknown[]).push({ ...inserted.attempts[2], nodeId: 'ghost' });
    expect(verifyRun(KEY, log, inserted)).toMatchObject({
      problem: 'executions row ghost#1 was inserted: no audit entry wrote it',
    });
  });

  it('names a changed run row', async () => {
    const { log, state } = await recorded();
    const edited = copy(state);
    (edited.run as { status: string }).status = 'nok';
    expect(verifyRun(KEY, log, edited)).toMatchObject({
      problem: 'the runs row was changed: its status is not what audit entry 10 recorded',
    });
  });

  it('names a removed runs row, and a run removed with its log', async () => {
    const { log } = await recorded();
    expect(verifyRun(KEY, log, undefined)).toMatchObject({
      status: 'broken',
      problem: 'the runs row was removed (audit entry 1 wrote it)',
    });
    expect(verifyRun(KEY, { entries: [], unchained: false }, undefined)).toMatchObject({
      status: 'broken',
      head: null,
      problem: 'the run was removed: its runs row and its audit log are gone',
    });
  });

  it('names an entry that was changed, removed, inserted, or rewritten with a fresh hash', async () => {
    const { log, state } = await recorded();
    const entries = [...log.entries];
    const third = entries[2] as (typeof entries)[number];
    const changedText = { ...third, entry: third.entry.replace('"build"', '"bu1ld"') };
    expect(verifyRun(KEY, { ...log, entries: entries.with(2, changedText) }, state)).toMatchObject({
      problem: 'audit entry 3 was changed: its text no longer has its hash',
    });
    expect(verifyRun(KEY, { ...log, entries: entries.toSpliced(3, 1) }, state)).toMatchObject({
      problem: 'audit entry 4 was removed',
    });
    expect(verifyRun(KEY, { ...log, entries: entries.toSpliced(0, 1) }, state)).toMatchObject({
      problem: 'audit entry 1 was removed',
    });
    // Rewritten consistently with its own hash: the next entry's link breaks.
    const rehashed = { ...changedText, hash: sha256Hex(changedText.entry) };
    expect(verifyRun(KEY, { ...log, entries: entries.with(2, rehashed) }, state)).toMatchObject({
      problem: 'audit entry 4 does not follow entry 3: an entry before it was changed, inserted or removed',
    });
  });

  it('calls a run with no entries unchained when it predates the log, broken otherwise', async () => {
    const { state } = await recorded();
    expect(verifyRun(KEY, { entries: [], unchained: true }, state)).toEqual({ status: 'unchained' });
    expect(verifyRun(KEY, { entries: [], unchained: false }, state)).toMatchObject({
      status: 'broken',
      problem: 'the run has no audit entries: its log was removed',
    });
  });
});

describe('verifyRun: inputs, step outputs, ordered output and re-runs', () => {
  /** A run with an input, one attempt with outputs and ordered lines, and a re-run, written straight to the store. */
  async function written() {
    const repository = new InMemoryRunRepository();
    const by = { operator: 'alice', osUser: 'ops@a' };
    const run = await repository.createRun({
      workflowName: 'W',
      startTime: '2026-01-01T00:00:00.000Z',
      owner: { host: 'a', pid: 1, processGroup: null },
      runbookHash: null,
      nodeIds: ['a'],
      inputs: { env: 'prod', token: null },
      by,
    });
    const key = { workflowName: 'W', runId: run.runId };
    const attempt = await repository.startAttempt({
      ...key,
      nodeId: 'a',
      startTime: '2026-01-01T00:00:01.000Z',
      status: 'running',
      operatorDecision: null,
      by,
    });
    await repository.finishAttempt(
      { ...key, nodeId: 'a', attempt: attempt.attempt },
      {
        status: 'ok',
        endTime: '2026-01-01T00:00:02.000Z',
        durationMs: 1000,
        outputs: { version: '1.2.3' },
        secretOutputs: ['password'],
        outputLog: {
          lines: [
            { stream: 'stdout', time: '2026-01-01T00:00:01.500Z', text: 'built' },
            { stream: 'stderr', time: '2026-01-01T00:00:01.600Z', text: 'warned' },
          ],
          dropped: null,
        },
      },
    );
    await repository.recordRerun(
      key,
      { time: '2026-01-01T00:01:00.000Z', nodeIds: ['a'], reason: 'flaky' },
      by,
    );
    const state = await repository.loadRun(key);
    if (state === undefined) throw new Error('no run');
    return { key, state, log: await repository.auditLog(key), reruns: await repository.listReruns(key) };
  }

  it('finds the untouched run intact, the re-run chained with who asked for it', async () => {
    const { key, state, log, reruns } = await written();
    expect(verifyRun(key, log, state, reruns)).toMatchObject({ status: 'intact' });
    const rerun = JSON.parse(log.entries.at(-1)?.entry ?? '{}');
    expect(rerun).toMatchObject({ kind: 'rerun', by: { operator: 'alice' }, data: { reason: 'flaky' } });
  });

  it('names a changed input, output, output line and re-run', async () => {
    const { key, state, log, reruns } = await written();
    const input = copy(state);
    (input as { inputs: Record<string, unknown> }).inputs.env = 'staging';
    expect(verifyRun(key, log, input, reruns)).toMatchObject({
      problem: expect.stringMatching(
        /^the runs row was changed: its inputs is not what audit entry \d+ recorded$/,
      ),
    });
    const output = copy(state);
    (output.attempts[0] as { outputs: Record<string, string> }).outputs.version = '6.6.6';
    expect(verifyRun(key, log, output, reruns)).toMatchObject({
      problem: expect.stringMatching(/^executions row a#1 was changed: its outputs is not/),
    });
    const line = copy(state);
    (line.attempts[0] as unknown as { outputLog: { lines: { text: string }[] } }).outputLog.lines[1] = {
      ...(line.attempts[0]?.outputLog?.lines[1] as { text: string }),
      text: 'all fine',
    };
    expect(verifyRun(key, log, line, reruns)).toMatchObject({
      problem: expect.stringMatching(/^executions row a#1 was changed: its output_lines is not/),
    });
    expect(verifyRun(key, log, state, [{ ...reruns[0], reason: 'routine' } as never])).toMatchObject({
      problem: expect.stringMatching(/^run_reruns row 1 was changed: its reason is not/),
    });
    expect(verifyRun(key, log, state, [])).toMatchObject({
      problem: expect.stringMatching(/^run_reruns row 1 was removed/),
    });
  });
});
