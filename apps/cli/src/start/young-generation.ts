import { setFlagsFromString } from 'node:v8';

/**
 * Keeps V8's young generation at its starting size (2 MiB) instead of letting it grow to 32 MiB under a
 * steady allocation rate: a run allocates a little per step, forever, and the grown young generation was
 * about a fifth of a long run's peak memory (docs/performance.md). Must come before the runbook is loaded:
 * the young generation grows and is not given back. Unlike the heap's size limits, which are fixed at start,
 * V8 reads this flag each time it considers growing the young generation.
 *
 * Set by the binary for every command, before it compiles any of its code: V8 keys compiled code by the flags
 * it was compiled under, so set by `run` alone it made the code cache of every chunk `run` shares with other
 * commands useless to one of them — each start compiled those chunks again and wrote them back (the
 * code-cache e2e test).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
