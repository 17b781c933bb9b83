import type { NodeStatus } from '@playbook/domain';
import type { NodeRunStatus } from './node-run-status.js';

/** What {@link nodeRunStatuses} reads of an attempt: a structural slice of the engine's `AttemptRecord`. */
export interface AttemptSummary {
  readonly nodeId: string;
  readonly attempt: number;
  readonly status: Exclude<NodeStatus, 'pending'>;
  readonly durationMs: number | null;
}

/**
 * Each node's status in a run, for the overlay of `toDot`: its latest attempt's, with the number of attempts
 * and their total time (null while any of them has none).
 */
export function nodeRunStatuses(attempts: readonly AttemptSummary[]): Map<string, NodeRunStatus> {
  const statuses = new Map<string, NodeRunStatus & { latest: number }>();
  for (const attempt of attempts) {
    const seen = statuses.get(attempt.nodeId);
    const durationMs =
      attempt.durationMs === null || (seen !== undefined && seen.durationMs === null)
        ? null
        : (seen?.durationMs ?? 0) + attempt.durationMs;
    const newer = seen === undefined || attempt.attempt > seen.latest;
    statuses.set(attempt.nodeId, {
      status: newer ? attempt.status : seen.status,
      latest: newer ? attempt.attempt : seen.latest,
      attempts: (seen?.attempts ?? 0) + 1,
      durationMs,
    });
  }
  const result = new Map<string, NodeRunStatus>();
  for (const [nodeId, { status, attempts, durationMs }] of statuses)
    result.set(nodeId, { status, attempts, durationMs });
  return result;
}
