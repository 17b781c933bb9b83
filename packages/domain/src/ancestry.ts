/**
 * Answers "does `nodeId` depend on `ancestor`, directly or not?" for the step references of a whole runbook
 * without a walk over the graph for each one. A direct dependency (most reads: the step before) is a lookup; a
 * farther one is searched upward from the reader, stopping when found; and a step read from afar more than once
 * gets the set of its descendants, made once — a runbook where each of 10,000 nodes reads `steps.setup` would
 * otherwise walk up the whole chain for each of them. The graph must be acyclic. Nothing recurses.
 */
export function ancestry(
  dependencies: ReadonlyMap<string, readonly string[]>,
): (nodeId: string, ancestor: string) => boolean {
  const farReads = new Map<string, number>();
  const descendantsOf = new Map<string, ReadonlySet<string>>();
  let dependents: ReadonlyMap<string, readonly string[]> | undefined;
  return (nodeId, ancestor) => {
    if (dependencies.get(nodeId)?.includes(ancestor) === true) return true;
    const known = descendantsOf.get(ancestor);
    if (known !== undefined) return known.has(nodeId);
    const reads = (farReads.get(ancestor) ?? 0) + 1;
    farReads.set(ancestor, reads);
    if (reads === 1) return reachable(dependencies, nodeId, ancestor);
    dependents ??= reversed(dependencies);
    const descendants = reach(dependents, ancestor);
    descendantsOf.set(ancestor, descendants);
    return descendants.has(nodeId);
  };
}

/** Whether `target` is reachable from `start` over `edges`: a search that stops when it finds it. */
function reachable(edges: ReadonlyMap<string, readonly string[]>, start: string, target: string): boolean {
  const seen = new Set<string>([start]);
  const stack = [start];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const next of edges.get(current) ?? []) {
      if (next === target) return true;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return false;
}

/** Every node reachable from `start` over `edges` (not `start` itself, in an acyclic graph). */
function reach(edges: ReadonlyMap<string, readonly string[]>, start: string): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const current = stack.pop() as string;
    for (const next of edges.get(current) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(next);
    }
  }
  return seen;
}

/** The edges turned around: for each node, the nodes that depend on it. */
function reversed(dependencies: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const dependents = new Map<string, string[]>();
  for (const [node, needs] of dependencies) {
    for (const need of needs) {
      const list = dependents.get(need);
      if (list === undefined) dependents.set(need, [node]);
      else list.push(node);
    }
  }
  return dependents;
}
