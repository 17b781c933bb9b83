import type { RunRecord } from '@playbook/engine';
import type { InMemoryRunRepository } from '@playbook/engine/testing';

const OWNER = { host: 'test-host', pid: 4242, processGroup: null };
/** Who every run and attempt here is by. */
const BY = { operator: 'alice', osUser: 'ops@test-host' };
let clock = Date.parse('2025-05-03T12:00:00.000Z');
const tick = () => {
  clock += 1000;
  return new Date(clock).toISOString();
};

/** One node's attempt as a test states it. */
export interface AttemptSpec {
  readonly node: string;
  readonly status: 'ok' | 'nok' | 'skipped' | 'running';
  readonly stdout?: string;
  readonly stderr?: string;
  readonly resultText?: string;
  readonly decision?: string;
  readonly outputs?: Record<string, string>;
  readonly secretOutputs?: string[];
  /** Lines of both streams in arrival order, as the engine records them. */
  readonly lines?: ReadonlyArray<readonly ['stdout' | 'stderr', string]>;
}

/** Adds a run to `repository` with the given attempts, ended with `status` (or left running). */
export async function addRun(
  repository: InMemoryRunRepository,
  workflowName: string,
  nodeIds: readonly string[],
  attempts: readonly AttemptSpec[],
  status: RunRecord['status'],
  inputs?: Record<string, string | number | boolean | null>,
): Promise<RunRecord> {
  const run = await repository.createRun({
    workflowName,
    startTime: tick(),
    owner: OWNER,
    runbookHash: 'a'.repeat(64),
    nodeIds,
    by: BY,
    ...(inputs === undefined ? {} : { inputs }),
  });
  for (const spec of attempts) {
    const attempt = await repository.startAttempt({
      workflowName,
      runId: run.runId,
      nodeId: spec.node,
      startTime: tick(),
      status: 'running',
      by: BY,
    });
    if (spec.status === 'running') continue;
    await repository.finishAttempt(attempt, {
      status: spec.status,
      endTime: tick(),
      durationMs: 1000,
      stdout: spec.stdout ?? null,
      stderr: spec.stderr ?? null,
      resultText: spec.resultText ?? null,
      operatorDecision: spec.decision ?? null,
      exitCode: spec.status === 'nok' ? 3 : 0,
      ...(spec.outputs === undefined ? {} : { outputs: spec.outputs }),
      ...(spec.secretOutputs === undefined ? {} : { secretOutputs: spec.secretOutputs }),
      ...(spec.lines === undefined
        ? {}
        : {
            outputLog: {
              lines: spec.lines.map(([stream, text], index) => ({
                stream,
                text,
                time: `2025-05-03T12:30:0${index}.125Z`,
              })),
              dropped: null,
            },
          }),
    });
  }
  if (status !== 'running') {
    const count = (wanted: string) => attempts.filter((a) => a.status === wanted).length;
    await repository.finishRun(run, {
      status,
      endTime: tick(),
      nodesOk: count('ok'),
      nodesNok: count('nok'),
      nodesSkipped: count('skipped'),
    });
  }
  return run;
}
