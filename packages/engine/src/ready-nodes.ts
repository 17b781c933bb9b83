import type { RunbookNode } from '@playbook/domain';
import { MinHeap } from './priority-queue.js';

/**
 * The nodes of a parallel session that may start now (SPEC §9.1): those of `toRun` whose dependencies inside
 * `toRun` have all been decided, earliest-declared first. A dependency outside `toRun` keeps the status it has.
 *
 * Counts per node and a min-heap of declaration indexes, as the planner keeps them: each node is handled a
 * constant number of times, so a 100,000-node fan-out costs no quadratic scan.
 */
export class ReadyNodes {
  readonly #nodes: readonly RunbookNode[];
  readonly #indexOf = new Map<string, number>();
  /** How many listings in `depends_on` of each waiting node are not decided yet. */
  readonly #waitingOn = new Map<number, number>();
  /** dependents[i]: the waiting nodes that list node i, once per listing (as `#waitingOn` counts them). */
  readonly #dependents = new Map<number, number[]>();
  readonly #ready = new MinHeap();
  /** Nodes of `toRun` not taken yet (ready or waiting), for the cleanup steps an abort may still run. */
  readonly #left = new Set<string>();

  constructor(nodes: readonly RunbookNode[], toRun: ReadonlySet<string>) {
    this.#nodes = nodes;
    nodes.forEach((node, index) => {
      this.#indexOf.set(node.id, index);
    });
    nodes.forEach((node, index) => {
      if (!toRun.has(node.id)) return;
      this.#left.add(node.id);
      let waiting = 0;
      for (const dependency of node.dependsOn) {
        const from = this.#indexOf.get(dependency);
        if (from === undefined || !toRun.has(dependency)) continue;
        let list = this.#dependents.get(from);
        if (list === undefined) {
          list = [];
          this.#dependents.set(from, list);
        }
        list.push(index);
        waiting++;
      }
      if (waiting === 0) this.#ready.push(index);
      else this.#waitingOn.set(index, waiting);
    });
  }

  /** Whether any node of `toRun` was not taken yet. */
  get anyLeft(): boolean {
    return this.#left.size > 0;
  }

  /** The nodes not taken yet, ready or waiting, in `order` (the plan). */
  left(order: readonly string[]): string[] {
    return order.filter((id) => this.#left.has(id));
  }

  /** The earliest-declared ready node, taken; undefined when none is ready. */
  take(): RunbookNode | undefined {
    const index = this.#ready.pop();
    if (index === undefined) return undefined;
    const node = this.#nodes[index] as RunbookNode;
    this.#left.delete(node.id);
    return node;
  }

  /** Puts back a node taken but not started (the run is ending before it could). */
  giveBack(node: RunbookNode): void {
    const index = this.#indexOf.get(node.id) as number;
    this.#left.add(node.id);
    this.#ready.push(index);
  }

  /** A taken node has been decided (ended, skipped, blocked or left not run): its dependents may be ready. */
  decided(nodeId: string): void {
    const index = this.#indexOf.get(nodeId);
    if (index === undefined) return;
    for (const next of this.#dependents.get(index) ?? []) {
      const waiting = (this.#waitingOn.get(next) ?? 1) - 1;
      if (waiting > 0) {
        this.#waitingOn.set(next, waiting);
        continue;
      }
      this.#waitingOn.delete(next);
      this.#ready.push(next);
    }
    this.#dependents.delete(index);
  }
}
