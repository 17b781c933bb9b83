import type { Runbook, RunbookNode } from '@playbook/domain';
import { type NodeRunStatus, renderDot, toDot } from '@playbook/graphviz';
import { inlineSvg } from '@playbook/report';

/** What the graph of a run is drawn from: its nodes in plan order, their statuses, and the edges when known. */
export interface DagSource {
  readonly title: string;
  readonly runId: number;
  readonly nodeIds: readonly string[];
  readonly statuses: ReadonlyMap<string, NodeRunStatus>;
  /** The runbook the run was started with, for edges, names and node kinds; without it, boxes without edges. */
  readonly runbook?: Runbook | undefined;
}

/** A node known only by its id: a box without edges, its status still shows. */
function bareNode(id: string): RunbookNode {
  return {
    id,
    name: id,
    type: 'Function',
    functionName: '',
    functionParams: {},
    dependsOn: [],
    repeatable: false,
    skippable: false,
    critical: false,
  };
}

/**
 * The runbook to lay out: the run's own with any node it lacks (one the file lost since) added as a bare box, or
 * one made of the node ids alone.
 */
function graphRunbook(source: DagSource): Runbook {
  const meta = { title: source.title, description: '', version: '', author: '', createdAt: '' };
  if (source.runbook === undefined) return { meta, nodes: source.nodeIds.map(bareNode) };
  const known = new Set(source.runbook.nodes.map((node) => node.id));
  const missing = source.nodeIds.filter((id) => !known.has(id));
  if (missing.length === 0) return source.runbook;
  return { ...source.runbook, nodes: [...source.runbook.nodes, ...missing.map(bareNode)] };
}

/**
 * Draws runs' graphs, each node coloured by its status, with the WebAssembly Graphviz of @playbook/graphviz.
 * A live page asks for the same drawing every second while nothing changes: the last few are kept by their DOT
 * text, so only a change costs a layout.
 */
export class DagRenderer {
  readonly #cache = new Map<string, Promise<string>>();

  constructor(private readonly capacity = 32) {}

  /** The run's graph as an inline `<svg>`; empty for a run without nodes. */
  async render(source: DagSource): Promise<string> {
    const runbook = graphRunbook(source);
    if (runbook.nodes.length === 0) return '';
    const dot = toDot(runbook, { statuses: new Map(source.statuses), runId: source.runId });
    const cached = this.#cache.get(dot);
    if (cached !== undefined) {
      // Most recently used last: the first key is the one to drop.
      this.#cache.delete(dot);
      this.#cache.set(dot, cached);
      return cached;
    }
    const drawing = renderDot(dot, 'svg').then((bytes) => inlineSvg(new TextDecoder().decode(bytes)));
    this.#cache.set(dot, drawing);
    drawing.catch(() => this.#cache.delete(dot));
    if (this.#cache.size > this.capacity) this.#cache.delete(this.#cache.keys().next().value!);
    return drawing;
  }
}
