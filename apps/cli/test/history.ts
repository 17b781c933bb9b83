import { openRunStore } from '../src/state-store.js';

const OWNER = { host: 'test-host', pid: 1, processGroup: null };

/**
 * Seeds a real state file: "Deploy" run 1 ends nok (build fails once then passes, approve fails), run 2 ends
 * ok (approve retried after a skip is impossible, so: build ok, approve ok, notify skipped); "Other" has one
 * aborted run with no attempts.
 */
export async function seedHistory(statePath: string): Promise<void> {
  const repository = await openRunStore({ statePath });
  try {
    const nodeIds = ['build', 'approve', 'notify'];
    const run1 = await repository.createRun({
      workflowName: 'Deploy',
      startTime: '2025-05-03T12:00:00.000Z',
      owner: OWNER,
      runbookHash: null,
      nodeIds,
    });
    const key1 = { workflowName: 'Deploy', runId: run1.runId };
    const attempt = async (
      runId: number,
      nodeId: string,
      status: 'ok' | 'nok' | 'skipped',
      extra: {
        exitCode?: number;
        stdout?: string;
        stderr?: string;
        decision?: string;
        resultText?: string;
      } = {},
    ) => {
      const started = await repository.startAttempt({
        workflowName: 'Deploy',
        runId,
        nodeId,
        startTime: '2025-05-03T12:00:01.000Z',
        status: 'running',
      });
      await repository.finishAttempt(started, {
        status,
        endTime: '2025-05-03T12:00:02.500Z',
        durationMs: 1500,
        exitCode: extra.exitCode ?? null,
        stdout: extra.stdout ?? null,
        stderr: extra.stderr ?? null,
        operatorDecision: extra.decision ?? null,
        resultText: extra.resultText ?? null,
      });
    };
    await attempt(run1.runId, 'build', 'nok', { exitCode: 2, stdout: 'compiling\n', stderr: 'boom\n' });
    await attempt(run1.runId, 'build', 'ok', { exitCode: 0, stdout: 'compiled\n', decision: 'retry' });
    await attempt(run1.runId, 'approve', 'nok', { decision: 'nok', resultText: 'not today' });
    await repository.finishRun(key1, {
      status: 'nok',
      endTime: '2025-05-03T12:01:00.000Z',
      nodesOk: 1,
      nodesNok: 1,
      nodesSkipped: 0,
    });

    const run2 = await repository.createRun({
      workflowName: 'Deploy',
      startTime: '2025-05-04T09:00:00.000Z',
      owner: OWNER,
      runbookHash: null,
      nodeIds,
    });
    await attempt(run2.runId, 'build', 'ok', { exitCode: 0 });
    await attempt(run2.runId, 'approve', 'ok', { decision: 'ok' });
    await attempt(run2.runId, 'notify', 'skipped', { decision: 'skip' });
    await repository.finishRun(
      { workflowName: 'Deploy', runId: run2.runId },
      { status: 'ok', endTime: '2025-05-04T09:05:00.000Z', nodesOk: 2, nodesNok: 0, nodesSkipped: 1 },
    );

    const other = await repository.createRun({
      workflowName: 'Other',
      startTime: '2025-05-05T00:00:00.000Z',
      owner: OWNER,
      runbookHash: null,
      nodeIds: ['x'],
    });
    await repository.finishRun(
      { workflowName: 'Other', runId: other.runId },
      { status: 'aborted', endTime: '2025-05-05T00:00:01.000Z', nodesOk: 0, nodesNok: 0, nodesSkipped: 0 },
    );
  } finally {
    await repository.close();
  }
}
