import type { AttemptRecord, NodeStatus } from '@playbook/domain';
import type { NodeCounts } from './events.js';

/** Each node's latest attempt (highest number), by node id. */
export function latestAttempts(attempts: readonly AttemptRecord[]): Map<string, AttemptRecord> {
  const latest = new Map<string, AttemptRecord>();
  for (const attempt of attempts) {
    const current = latest.get(attempt.nodeId);
    if (current === undefined || attempt.attempt > current.attempt) latest.set(attempt.nodeId, attempt);
  }
  return latest;
}

/** Counts the given nodes by status; nodes not listed (removed from the runbook) are ignored. */
export function countNodes(
  nodeIds: readonly string[],
  statuses: ReadonlyMap<string, NodeStatus>,
): NodeCounts {
  let ok = 0;
  let nok = 0;
  let skipped = 0;
  for (const id of nodeIds) {
    const status = statuses.get(id);
    if (status === 'ok') ok++;
    else if (status === 'nok') nok++;
    else if (status === 'skipped') skipped++;
  }
  return { ok, nok, skipped };
}

/** Whether a node in this status lets its dependents run. */
export function satisfies(status: NodeStatus | undefined): boolean {
  return status === 'ok' || status === 'skipped';
}

/** One line saying why a stored attempt failed, for attempts from an earlier session. */
export function reasonOf(attempt: AttemptRecord): string {
  if (attempt.operatorDecision === 'interrupted') return 'interrupted';
  if (attempt.exception !== null) return firstLine(attempt.exception);
  if (attempt.exitCode !== null) return `exit code ${attempt.exitCode}`;
  if (attempt.resultText !== null && attempt.resultText !== '') return firstLine(attempt.resultText);
  return `ended ${attempt.status}`;
}

export function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.trim();
}
