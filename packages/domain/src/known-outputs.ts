import { MANUAL_NOTE_OUTPUT } from './step-outputs.js';

const isTable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The outputs each node can have, for the nodes whose outputs are all known before the run (SPEC §8.3): a
 * Manual node has only its `note`; a node that declares `outputs` or `secret_outputs` has those (a reader of
 * any other key is a typo that would fail only at run time). A Command or Function node that declares none is
 * free-form — what its command writes or its function returns — and is left out.
 */
export function knownOutputs(
  nodes: readonly { readonly id: string; readonly table: unknown }[],
): Map<string, readonly string[]> {
  const known = new Map<string, readonly string[]>();
  for (const node of nodes) {
    if (!isTable(node.table)) continue;
    const declared = [node.table['outputs'], node.table['secret_outputs']];
    if (declared.some((list) => list !== undefined && !isStringList(list))) continue; // reported elsewhere
    const keys = declared.flatMap((list) => (list ?? []) as string[]);
    if (node.table['type'] === 'Manual') known.set(node.id, [MANUAL_NOTE_OUTPUT]);
    else if (declared.some((list) => list !== undefined)) known.set(node.id, [...new Set(keys)]);
  }
  return known;
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
