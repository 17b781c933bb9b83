import type { AttemptRecord } from '@playbook/engine';
import type { NodeRunStatus } from '@playbook/graphviz';

/**
 * Each node's status in a run, for the graph and the nodes table: its latest attempt's, with the number of
 * attempts and their total time (null while any of them has none).
 */
export function nodeStatuses(attempts: readonly AttemptRecord[]): Map<string, NodeRunStatus> {
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
  return statuses;
}
