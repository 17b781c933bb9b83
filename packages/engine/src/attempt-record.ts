import type { AttemptKey, AttemptRecord, RunKey } from '@playbook/domain';
import type { StartAttemptInput } from './ports/run-repository.js';

/**
 * The record `RunRepository.startAttempt` writes for attempt number `attempt`: the port's rule, kept here so
 * every adapter applies it alike — an attempt written already finished (a skip, an interruption) ends the
 * moment it starts, with duration 0; every outcome field is null until `finishAttempt`.
 */
export function newAttemptRecord(input: StartAttemptInput, attempt: number): AttemptRecord {
  const finished = input.status !== 'running';
  return {
    workflowName: input.workflowName,
    runId: input.runId,
    nodeId: input.nodeId,
    attempt,
    startTime: input.startTime,
    endTime: finished ? input.startTime : null,
    status: input.status,
    operatorDecision: input.operatorDecision ?? null,
    resultText: null,
    exitCode: null,
    exception: null,
    stdout: null,
    stderr: null,
    durationMs: finished ? 0 : null,
  };
}

/** `run 3 of workflow "Deploy"`: how adapters name a run in their errors. */
export function describeRun(key: RunKey): string {
  return `run ${key.runId} of workflow "${key.workflowName}"`;
}

/** `attempt 2 of node "build" in run 3 of workflow "Deploy"`: how adapters name an attempt in their errors. */
export function describeAttempt(key: AttemptKey): string {
  return `attempt ${key.attempt} of node "${key.nodeId}" in ${describeRun(key)}`;
}
