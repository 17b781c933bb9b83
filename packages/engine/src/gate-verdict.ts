import type { AttemptOutcome, FinishRunInput, RecordApprovalInput } from './ports/run-repository.js';

/** How a decision just recorded closes its gate: the gate's attempt, and for a rejection the run's end. */
export interface GateVerdict {
  readonly decision: 'approved' | 'rejected';
  readonly attempt: AttemptOutcome;
  /** The run's end (`nok`) after a rejection; null after the opening approval. */
  readonly run: FinishRunInput | null;
}

/**
 * What a decision on an approval gate does once recorded (SPEC §10.2): null while the gate still waits for
 * approvals; else the first rejection closes it `nok` and ends the run, the `min`-th approval opens it. Every
 * adapter applies it in its `recordApproval` transaction, so the rule lives here once. `approvers`: who approved
 * this round, this decision included.
 */
export function gateVerdict(input: RecordApprovalInput, approvers: readonly string[]): GateVerdict | null {
  if (input.decision === 'approve' && approvers.length < input.min) return null;
  const rejected = input.decision === 'reject';
  const decision = rejected ? 'rejected' : 'approved';
  return {
    decision,
    attempt: {
      status: rejected ? 'nok' : 'ok',
      endTime: input.at,
      durationMs: 0,
      operatorDecision: decision,
      resultText: rejected
        ? `rejected by ${input.who}${input.note === null ? '' : `: ${input.note}`}`
        : `approved by ${approvers.join(', ')}`,
    },
    run: rejected
      ? {
          status: 'nok',
          endTime: input.at,
          nodesOk: input.countsIfRejected.ok,
          nodesNok: input.countsIfRejected.nok,
          nodesSkipped: input.countsIfRejected.skipped,
          by: input.by,
        }
      : null,
  };
}
