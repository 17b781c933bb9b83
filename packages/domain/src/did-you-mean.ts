/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  // Three rolling rows instead of a full matrix: keys are short, but this runs for every unknown key.
  let prevPrev: number[] = new Array<number>(b.length + 1).fill(0);
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current: number[] = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(prev[j]! + 1, current[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, prevPrev[j - 2]! + 1);
      }
      current[j] = best;
    }
    [prevPrev, prev, current] = [prev, current, prevPrev];
  }
  return prev[b.length]!;
}

const normalise = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The known key an unknown key was probably meant to be, or undefined when none is close.
 * Close means: equal ignoring case and `_`/`-` (`dependsOn`), a small edit distance for the shorter of the
 * two (`depnds_on`), or a clear prefix of a longer key (`command` → `command_name`).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  const wanted = normalise(unknown);
  if (wanted.length === 0) return undefined;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const candidate = normalise(key);
    if (candidate === wanted) return key;
    const distance = editDistance(wanted, candidate);
    // Scaled by the shorter of the two: `typo_key` is 3 edits from `type`, which leaves little of `type`.
    // And some of it must survive: `c` is 1 edit from `a`, but no typo of it.
    const shorter = Math.min(wanted.length, candidate.length);
    const limit = shorter <= 3 ? 1 : shorter <= 6 ? 2 : 3;
    if (distance <= limit && distance < shorter && (best === undefined || distance < best.distance)) {
      best = { key, distance };
    }
  }
  if (best !== undefined) return best.key;
  if (wanted.length >= 4) {
    const byPrefix = known.filter((key) => normalise(key).startsWith(wanted));
    if (byPrefix.length === 1) return byPrefix[0];
  }
  return undefined;
}
