import type { AttemptKey, RunKey } from '@playbook/domain';
import { describeAttempt, describeRun } from '../attempt-record.js';

/** Why a `RunRepository` write was refused. Every adapter gives these codes, whatever its wording. */
export type RunRepositoryErrorCode =
  /** The run the write names does not exist. */
  | 'RUN_NOT_FOUND'
  /** The attempt the write names does not exist. */
  | 'ATTEMPT_NOT_FOUND'
  /** `finishAttempt` of an attempt that has ended already (or was written ended: a skip, an interruption). */
  | 'ATTEMPT_NOT_RUNNING';

/** A write the repository refused; `message` names the run or attempt in one line. */
export class RunRepositoryError extends Error {
  override readonly name = 'RunRepositoryError';

  constructor(
    readonly code: RunRepositoryErrorCode,
    message: string,
    /** The run or attempt the write named. */
    readonly key: RunKey | AttemptKey,
  ) {
    super(message);
  }
}

/** `RUN_NOT_FOUND` for `key`, worded as every adapter words it. */
export function runNotFound(key: RunKey): RunRepositoryError {
  return new RunRepositoryError('RUN_NOT_FOUND', `${describeRun(key)} does not exist`, runKey(key));
}

/** `ATTEMPT_NOT_FOUND` for `key`. */
export function attemptNotFound(key: AttemptKey): RunRepositoryError {
  return new RunRepositoryError(
    'ATTEMPT_NOT_FOUND',
    `${describeAttempt(key)} does not exist`,
    attemptKey(key),
  );
}

/** `ATTEMPT_NOT_RUNNING` for `key`, whose status is `status`. */
export function attemptNotRunning(key: AttemptKey, status: string): RunRepositoryError {
  return new RunRepositoryError(
    'ATTEMPT_NOT_RUNNING',
    `${describeAttempt(key)} is not running (status ${status})`,
    attemptKey(key),
  );
}

// Only the key's fields: callers pass whole records, which the error must not keep alive or show.
function runKey(key: RunKey): RunKey {
  return { workflowName: key.workflowName, runId: key.runId };
}

function attemptKey(key: AttemptKey): AttemptKey {
  return { ...runKey(key), nodeId: key.nodeId, attempt: key.attempt };
}
