import type { NodeStatus } from '@playbook/domain';

/** Status of a node in a run: the domain's `NodeStatus`, under the name this package has always exported. */
export type NodeStatusName = NodeStatus;

/** What the status overlay shows of one node in one run. */
export interface NodeRunStatus {
  readonly status: NodeStatusName;
  /** Attempts made so far; 0 for a node that never started. */
  readonly attempts: number;
  /** Total time of its attempts, or null when unknown (never started, still running). */
  readonly durationMs: number | null;
}

/** The statuses in the order the legend lists them. */
export const NODE_STATUS_NAMES: readonly NodeStatusName[] = ['ok', 'nok', 'skipped', 'running', 'pending'];
