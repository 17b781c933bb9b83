import type { AttemptRecord, AttemptStatus } from '@playbook/domain';
import { compareCodePoints } from '../name-order.js';
import type { NodeStatusCount } from '../ports/run-history.js';

interface NodeTally {
  readonly nodeId: string;
  runs: number;
  attempts: number;
  readonly runsByStatus: Record<AttemptStatus, number>;
}

/**
 * `RunHistory.nodeStatusCounts` by its definition, from each run's attempts: per node, the runs in which it has
 * an attempt, counted by its latest (highest-numbered) attempt's status, and its attempts; nodes by id. The
 * in-memory adapter answers with it, and the contract suite checks every adapter's kept counts against it.
 */
export function countNodeStatuses(runs: Iterable<readonly AttemptRecord[]>): NodeStatusCount[] {
  const byNode = new Map<string, NodeTally>();
  for (const attempts of runs) {
    const latest = new Map<string, AttemptRecord>();
    for (const attempt of attempts) {
      let tally = byNode.get(attempt.nodeId);
      if (tally === undefined) {
        tally = { nodeId: attempt.nodeId, runs: 0, attempts: 0, runsByStatus: zeroAttemptCounts() };
        byNode.set(attempt.nodeId, tally);
      }
      tally.attempts += 1;
      const seen = latest.get(attempt.nodeId);
      if (seen === undefined || seen.attempt < attempt.attempt) latest.set(attempt.nodeId, attempt);
    }
    for (const [nodeId, attempt] of latest) {
      const tally = byNode.get(nodeId);
      if (tally === undefined) continue;
      tally.runs += 1;
      tally.runsByStatus[attempt.status] += 1;
    }
  }
  return [...byNode.values()].sort((a, b) => compareCodePoints(a.nodeId, b.nodeId));
}

function zeroAttemptCounts(): Record<AttemptStatus, number> {
  return { running: 0, ok: 0, nok: 0, skipped: 0 };
}
