/**
 * Run statuses in the order pages list them. A history may know a status this list does not (a newer adapter):
 * `statusesOf` adds those after these, so a count is never hidden.
 */
const KNOWN_ORDER: readonly string[] = ['running', 'waiting', 'ok', 'nok', 'aborted'];

/** The statuses of a `runsByStatus` record, in the pages' order. */
export function statusesOf(counts: Readonly<Record<string, number>>): string[] {
  const present = Object.keys(counts);
  const ordered = KNOWN_ORDER.filter((status) => present.includes(status));
  for (const status of present) if (!ordered.includes(status)) ordered.push(status);
  return ordered;
}
