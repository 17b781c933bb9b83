/** Why the engine refused to start or continue a run. */
export type EngineErrorCode =
  /** No run with that id, or no resumable run of the workflow. */
  | 'RUN_NOT_FOUND'
  /** The run cannot be resumed (it ended `ok`). */
  | 'RUN_NOT_RESUMABLE'
  /** Another live process drives the run, or its owner is on another host and cannot be checked. */
  | 'RUN_IN_PROGRESS'
  /** Another process took the run over between reading and claiming it. */
  | 'RUN_CLAIM_LOST'
  /** A node id given by the caller (`fromNode`) is not in the runbook. */
  | 'NODE_NOT_FOUND'
  /**
   * A re-run of steps (`rerun`) that cannot be done as asked: no `fromNode`, or a run that ended `ok` without
   * its explicit `runId` and a `reason`, or a repository that cannot record it.
   */
  | 'RERUN_REFUSED'
  /** A value given up front (`values`, `--set`) names an unknown node or parameter. */
  | 'BAD_VALUE'
  /** The runbook object breaks the rules the parser enforces (unknown dependency, cycle, duplicate id). */
  | 'INVALID_RUNBOOK'
  /** The caller's `signal` was aborted before `run()` or `resume()` began: nothing was created or changed. */
  | 'ABORTED'
  /** The run waits at an approval gate nobody has decided yet (SPEC §10.2): a CLI exits 3. */
  | 'APPROVAL_PENDING'
  /** An approval or rejection that cannot be recorded: the message says why (SPEC §10.2). */
  | 'APPROVAL_REFUSED';

/** A run the engine refuses to start or resume; `message` is one line meant for the operator. */
export class EngineError extends Error {
  override readonly name = 'EngineError';
  readonly workflowName: string | undefined;
  readonly runId: number | undefined;
  readonly nodeId: string | undefined;

  constructor(
    readonly code: EngineErrorCode,
    message: string,
    details: { workflowName?: string; runId?: number; nodeId?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.workflowName = details.workflowName;
    this.runId = details.runId;
    this.nodeId = details.nodeId;
  }
}
