import type { NodeStatus } from '@playbook/domain';

/** What the status overlay shows of one node in one run. */
export interface NodeRunStatus {
  readonly status: NodeStatus;
  /** Attempts made so far; 0 for a node that never started. */
  readonly attempts: number;
  /** Total time of its attempts, or null when unknown (never started, still running). */
  readonly durationMs: number | null;
}

/** The statuses in the order the legend lists them. */
export const NODE_STATUS_NAMES: readonly NodeStatus[] = ['ok', 'nok', 'skipped', 'running', 'pending'];
