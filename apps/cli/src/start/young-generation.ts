import { statSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';

/** V8's `--semi-space-growth-factor` when nothing set it (the same in the V8 of Node 20, 22 and 24). */
const DEFAULT_GROWTH_FACTOR = 2;

// Whether `run` or `resume` has set the flag. On globalThis, not in this module: the binary's entry and the
// chunk of the command each bundle a copy of this module, and both must see the one process's state.
const SMALL = Symbol.for('playbook.young-generation-small');
const state = globalThis as { [SMALL]?: boolean };

/**
 * Keeps V8's young generation at its current size instead of letting it grow to 32 MiB under a steady
 * allocation rate: a run allocates a little per step, forever, and the grown young generation was about a
 * fifth of a long run's peak memory (docs/performance.md). Before a large runbook is loaded: the young
 * generation grows and is not given back. Unlike the heap's size limits, which are fixed at start, V8 reads
 * this flag each time it considers growing the young generation.
 *
 * Not set at start: while the CLI loads its code, most of what it allocates lives on, and a young generation
 * that may grow is collected less often (start-up had 6–7 scavenges of 1–4 ms with the flag set at start).
 * V8 keys compiled code by the flags it was compiled under, so chunks are compiled, and their code cached,
 * under the flags the process started with: {@link withStartFlags}.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  state[SMALL] = true;
}

/**
 * Runbook files from this size on (about 800 nodes written plainly) are parsed with the young generation kept
 * small already: parsing them allocates enough to grow it for good. A smaller one is parsed first, and the
 * young generation kept small once the run has loaded what it needs.
 */
export const LARGE_RUNBOOK_BYTES = 64 * 1024;

/** The size of the runbook file at `path`; 0 when it cannot be read (the parser then says why). */
export function runbookFileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Runs `compile` under the V8 flags the process started with, whatever {@link keepYoungGenerationSmall} set:
 * V8 rejects cached code compiled under other flags, and writes the flags of the moment into the code it
 * caches. Set by `run` alone, the flag made V8 reject the cache of every chunk that `run` shares with other
 * commands, and each start compiled them again (the code-cache e2e test).
 */
export function withStartFlags<T>(compile: () => T): T {
  if (state[SMALL] !== true) return compile();
  setFlagsFromString(`--semi-space-growth-factor=${DEFAULT_GROWTH_FACTOR}`);
  try {
    return compile();
  } finally {
    setFlagsFromString('--semi-space-growth-factor=1');
  }
}
