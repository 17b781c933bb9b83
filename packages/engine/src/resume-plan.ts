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
  rerun?: 'only' | 'downstream',
): ResumePlan {
  if (fromNode !== undefined && rerun === 'only') return { toRun: [fromNode], repeatable: [] };
  if (fromNode !== undefined && rerun === 'downstream') {
    const downstream = dependentsOf(runbook, fromNode);
    return { toRun: plan.filter((id) => downstream.has(id)), repeatable: [] };
  }
  if (fromNode !== undefined) {
    return { toRun: plan.slice(plan.indexOf(fromNode)), repeatable: [] };
  }
  const nodes = new Map(runbook.nodes.map((node) => [node.id, node]));
  return {
    toRun: plan.filter((id) => !satisfies(statuses.get(id))),
    repeatable: plan.filter((id) => statuses.get(id) === 'ok' && nodes.get(id)?.repeatable === true),
  };
}

/** `node` and every node that depends on it, directly or not (a walk with a queue: no recursion over nodes). */
function dependentsOf(runbook: Runbook, node: string): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const candidate of runbook.nodes) {
    for (const dependency of candidate.dependsOn) {
      const list = dependents.get(dependency);
      if (list === undefined) dependents.set(dependency, [candidate.id]);
      else list.push(candidate.id);
    }
  }
  const found = new Set([node]);
  const queue = [node];
  // An index, not shift(): shifting is linear, and a runbook may have 100,000 nodes.
  for (let at = 0; at < queue.length; at++) {
    for (const dependent of dependents.get(queue[at] as string) ?? []) {
      if (found.has(dependent)) continue;
      found.add(dependent);
      queue.push(dependent);
    }
  }
  return found;
}
