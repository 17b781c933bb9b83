/**
 * How much of a very big run one page shows (a run of 100,000 nodes is possible, SPEC's scale): past these the
 * page would take seconds to build and megabytes to send, every time it is updated.
 */
export const PAGE_LIMITS = {
  /** Nodes Graphviz lays out for the page; a bigger graph is left to `playbook export-dot`. */
  graphNodes: 300,
  /** Rows of the nodes table and items of the attempts list: the first and last halves are kept. */
  listItems: 1000,
} as const;

/** `items` cut to its first and last halves of `max` when longer, and how many were left out between them. */
export function firstAndLast<T>(items: readonly T[], max: number): { head: T[]; tail: T[]; omitted: number } {
  if (items.length <= max) return { head: [...items], tail: [], omitted: 0 };
  const half = Math.floor(max / 2);
  return {
    head: items.slice(0, half),
    tail: items.slice(items.length - half),
    omitted: items.length - 2 * half,
  };
}
