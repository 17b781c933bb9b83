import { Graph } from '@dagrejs/graphlib';

/** The dependency edges of one node, as declared. */
export interface DependencyDeclaration {
  readonly id: string;
  readonly dependsOn: readonly string[];
}

/** A cycle in `depends_on`: `path` starts and ends with the same node; each depends on the next. */
export interface DependencyCycle {
  readonly path: readonly string[];
}

/**
 * Builds the dependency graph: one edge `node → dependency` per `depends_on` entry that names a declared
 * node (unknown names and self-references are reported elsewhere and left out).
 */
export function buildDependencyGraph(nodes: readonly DependencyDeclaration[]): Graph {
  const graph = new Graph({ directed: true });
  for (const node of nodes) graph.setNode(node.id);
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      if (dependency !== node.id && graph.hasNode(dependency)) graph.setEdge(node.id, dependency);
    }
  }
  return graph;
}

/**
 * Every dependency cycle, one per strongly connected component, each starting at the component's first
 * declared node. graphlib's own `alg.findCycles` recurses once per node and overflows the stack on long
 * chains (tens of thousands of nodes), so the components are found here with an iterative Tarjan over the
 * graphlib graph; linear in nodes + edges.
 */
export function findDependencyCycles(nodes: readonly DependencyDeclaration[]): DependencyCycle[] {
  const suspects = nodesNotPeeled(nodes);
  if (suspects.length === 0) return [];
  const graph = buildDependencyGraph(suspects);
  const order = new Map<string, number>(nodes.map((node, index) => [node.id, index]));
  const successors = (id: string): string[] => graph.successors(id) ?? [];

  const index = new Map<string, number>();
  const lowlink = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;

  for (const root of suspects) {
    if (index.has(root.id)) continue;
    const work: { id: string; next: string[]; position: number }[] = [];
    const enter = (id: string) => {
      index.set(id, counter);
      lowlink.set(id, counter);
      counter++;
      stack.push(id);
      onStack.add(id);
      work.push({ id, next: successors(id), position: 0 });
    };
    enter(root.id);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.position < frame.next.length) {
        const target = frame.next[frame.position++]!;
        if (!index.has(target)) {
          enter(target);
        } else if (onStack.has(target)) {
          lowlink.set(frame.id, Math.min(lowlink.get(frame.id)!, index.get(target)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        lowlink.set(parent.id, Math.min(lowlink.get(parent.id)!, lowlink.get(frame.id)!));
      }
      if (lowlink.get(frame.id) === index.get(frame.id)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.id);
        if (component.length > 1) components.push(component);
      }
    }
  }

  const cycles = components.map((component) => {
    const members = new Set(component);
    const start = component.reduce((a, b) => (order.get(a)! <= order.get(b)! ? a : b));
    return { path: shortestCycleThrough(start, members, successors) };
  });
  return cycles.sort((a, b) => order.get(a.path[0]!)! - order.get(b.path[0]!)!);
}

// Kahn's peeling: repeatedly drop nodes whose dependencies are all dropped. What remains is every node on a
// cycle or depending on one; usually nothing, so the common acyclic case never builds the graphlib graph
// (whose string-keyed bookkeeping dominates the cost on large runbooks).
function nodesNotPeeled(nodes: readonly DependencyDeclaration[]): DependencyDeclaration[] {
  // By declaration index, in typed and plain arrays: string-keyed maps and a Set per node cost seconds and
  // tens of megabytes at 200,000 nodes.
  const indexOf = new Map<string, number>();
  nodes.forEach((node, index) => {
    indexOf.set(node.id, index);
  });
  const pending = new Int32Array(nodes.length);
  const dependents: number[][] = new Array(nodes.length);
  const ready: number[] = [];
  nodes.forEach((node, index) => {
    const listed = node.dependsOn.length > 1 ? new Set(node.dependsOn) : node.dependsOn;
    for (const id of listed) {
      const from = indexOf.get(id);
      if (from === undefined || id === node.id) continue;
      pending[index]! += 1;
      const list = dependents[from];
      if (list === undefined) dependents[from] = [index];
      else list.push(index);
    }
    if (pending[index] === 0) ready.push(index);
  });
  for (let head = 0; head < ready.length; head++) {
    for (const dependent of dependents[ready[head]!] ?? []) {
      pending[dependent]! -= 1;
      if (pending[dependent] === 0) ready.push(dependent);
    }
  }
  if (ready.length === nodes.length) return [];
  const peeled = new Uint8Array(nodes.length);
  for (const index of ready) peeled[index] = 1;
  return nodes.filter((_, index) => peeled[index] === 0);
}

// Breadth-first from `start` inside its component: the shortest way back to it, so the message is short.
function shortestCycleThrough(
  start: string,
  members: ReadonlySet<string>,
  successors: (id: string) => string[],
): string[] {
  const previous = new Map<string, string>();
  const queue: string[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const current = queue[head]!;
    for (const next of successors(current)) {
      if (!members.has(next)) continue;
      if (next === start) {
        // Walk back to the start, then reverse: unshift in a loop would be quadratic on a long cycle.
        const reversed = [start, current];
        while (reversed[reversed.length - 1] !== start)
          reversed.push(previous.get(reversed[reversed.length - 1]!)!);
        return reversed.reverse();
      }
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return [start, start];
}
