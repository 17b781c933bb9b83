import type { NoteSink } from './import-notes.js';

// The prototype's `depends_on`: omitted means "after the previous node" (its implicit linear order), "^" the
// previous node, "*" every earlier node, a string one node, and `id:success` / `id:failure` a dependency plus a
// condition on how that node ended. Here every dependency is written out.

/** A `node:success` / `node:failure` entry. */
export interface OutcomeDependency {
  readonly id: string;
  readonly outcome: 'success' | 'failure';
}

export interface ResolvedDependencies {
  /** Node ids in order, each once. */
  readonly ids: string[];
  readonly outcomes: OutcomeDependency[];
}

/**
 * The dependencies of the node at `index` of `order` (the nodes in file order), or an error message for an
 * entry that is not a node id, `^`, `*` or `id:success|failure`.
 */
export function resolveDependencies(
  raw: unknown,
  index: number,
  order: readonly string[],
  sink: NoteSink,
): ResolvedDependencies | string {
  const previous = index > 0 ? order[index - 1] : undefined;
  const ids: string[] = [];
  const outcomes: OutcomeDependency[] = [];
  const add = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
  };
  if (raw === undefined) {
    if (previous !== undefined) {
      add(previous);
      sink.change(
        'depends_on',
        `none given: the prototype ran it after the previous node, now written out as ["${previous}"]`,
      );
    }
    return { ids, outcomes };
  }
  const entries = typeof raw === 'string' ? (raw === '' ? [] : [raw]) : raw;
  if (!Array.isArray(entries)) return 'depends_on must be a node id or a list of node ids';
  for (const entry of entries) {
    if (typeof entry !== 'string') return `depends_on entries must be strings, not ${JSON.stringify(entry)}`;
    if (entry === '^') {
      if (previous !== undefined) add(previous);
      sink.change(
        'depends_on',
        `"^" written out as the previous node${previous === undefined ? ' (none: it is the first)' : ` "${previous}"`}`,
      );
    } else if (entry === '*') {
      for (const id of order.slice(0, index)) add(id);
      sink.change('depends_on', `"*" written out as every earlier node (${index} of them)`);
    } else if (entry.includes(':')) {
      const at = entry.indexOf(':');
      const id = entry.slice(0, at);
      const outcome = entry.slice(at + 1);
      if (outcome !== 'success' && outcome !== 'failure')
        return `"${entry}": the part after ':' must be success or failure`;
      add(id);
      outcomes.push({ id, outcome });
    } else add(entry);
  }
  return { ids, outcomes };
}
