import type { AttemptRecord, RunRecord, RunState } from '@playbook/engine';

/** A finished run of workflow `title` with the given attempts. */
export function runState(
  title: string,
  attempts: readonly Partial<AttemptRecord>[],
  run: Partial<RunRecord> = {},
): RunState {
  return {
    run: {
      workflowName: title,
      runId: 1,
      startTime: '2026-01-02T03:04:05.000Z',
      endTime: '2026-01-02T03:05:00.000Z',
      status: 'nok',
      nodesOk: 1,
      nodesNok: 1,
      nodesSkipped: 0,
      trigger: 'run',
      owner: null,
      runbookHash: 'ab'.repeat(32),
      nodeIds: [...new Set(attempts.map((a) => a.nodeId ?? 'n'))],
      ...run,
    },
    attempts: attempts.map((a, index) => ({
      workflowName: title,
      runId: 1,
      nodeId: 'n',
      attempt: 1,
      startTime: `2026-01-02T03:04:${String(10 + index).padStart(2, '0')}.000Z`,
      endTime: `2026-01-02T03:04:${String(11 + index).padStart(2, '0')}.000Z`,
      status: 'ok',
      operatorDecision: null,
      resultText: null,
      exitCode: null,
      exception: null,
      stdout: null,
      stderr: null,
      durationMs: 1000,
      ...a,
    })),
    answers: {},
  };
}
