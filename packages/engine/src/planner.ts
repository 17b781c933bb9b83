import { Graph } from '@dagrejs/graphlib';
import { findDependencyCycles, type Runbook } from '@playbook/domain';
import { EngineError } from './engine-error.js';
import { MinHeap } from './priority-queue.js';

/**
 * The order nodes run in: topological by `depends_on`; among nodes ready together, the one declared first goes
 * first. Throws `EngineError` INVALID_RUNBOOK for a duplicate id, an unknown dependency or a cycle.
 */
export function planOrder(runbook: Runbook): string[] {
  const graph = dependencyGraph(runbook);
  const ids = runbook.nodes.map((node) => node.id);
  const indexOf = new Map(ids.map((id, index) => [id, index]));
  const waitingOn = ids.map((id) => graph.predecessors(id)?.length ?? 0);

  // Kahn's algorithm with the ready set keyed by declaration index: O(n log n + edges).
  const ready = new MinHeap();
  waitingOn.forEach((count, index) => {
    if (count === 0) ready.push(index);
  });
  const order: string[] = [];
  for (let index = ready.pop(); index !== undefined; index = ready.pop()) {
    const id = ids[index] as string;
    order.push(id);
    for (const next of graph.successors(id) ?? []) {
      const nextIndex = indexOf.get(next) as number;
      const left = (waitingOn[nextIndex] as number) - 1;
      waitingOn[nextIndex] = left;
      if (left === 0) ready.push(nextIndex);
    }
  }
  if (order.length < ids.length) {
    // The domain's cycle finder (iterative, names the shortest cycle) — the one `validate` reports with; it
    // leaves self-dependencies to a check of their own, so those are found here.
    const cycle =
      findDependencyCycles(runbook.nodes)[0]?.path ??
      runbook.nodes.filter((node) => node.dependsOn.includes(node.id)).map((node) => [node.id, node.id])[0] ??
      [];
    // Its path reads "each depends on the next"; show it along the edges, `dep → node`.
    throw new EngineError('INVALID_RUNBOOK', `dependency cycle: ${[...cycle].reverse().join(' → ')}`, {
      workflowName: runbook.meta.title,
    });
  }
  return order;
}

/** Edges run `dependency → dependent`. */
function dependencyGraph(runbook: Runbook): Graph {
  const graph = new Graph({ directed: true });
  for (const node of runbook.nodes) {
    if (graph.hasNode(node.id)) {
      throw new EngineError('INVALID_RUNBOOK', `node "${node.id}" is declared twice`, {
        workflowName: runbook.meta.title,
        nodeId: node.id,
      });
    }
    graph.setNode(node.id);
  }
  for (const node of runbook.nodes) {
    for (const dependency of node.dependsOn) {
      if (!graph.hasNode(dependency)) {
        throw new EngineError(
          'INVALID_RUNBOOK',
          `node "${node.id}" depends on "${dependency}", which does not exist`,
          { workflowName: runbook.meta.title, nodeId: node.id },
        );
      }
      graph.setEdge(dependency, node.id);
    }
  }
  return graph;
}
