import type { NodeStatus, Runbook } from '@playbook/domain';
import { satisfies } from './node-statuses.js';

/** Which nodes a resume runs again, before the operator is asked about repeatable ones. */
export interface ResumePlan {
  /** Nodes that run, in plan order. */
  readonly toRun: readonly string[];
  /** Repeatable nodes already `ok` that the operator may run again, in plan order. */
  readonly repeatable: readonly string[];
}

/**
 * Without `fromNode`, nodes whose latest status is ok or skipped are kept and every other node runs. With it,
 * that node and every node after it in plan order run whatever their status; the nodes before keep theirs.
 */
export function planResume(
  runbook: Runbook,
  plan: readonly string[],
  statuses: ReadonlyMap<string, NodeStatus>,
  fromNode?: string,
): ResumePlan {
  if (fromNode !== undefined) {
    return { toRun: plan.slice(plan.indexOf(fromNode)), repeatable: [] };
  }
  const nodes = new Map(runbook.nodes.map((node) => [node.id, node]));
  return {
    toRun: plan.filter((id) => !satisfies(statuses.get(id))),
    repeatable: plan.filter((id) => statuses.get(id) === 'ok' && nodes.get(id)?.repeatable === true),
  };
}
