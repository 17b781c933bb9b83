import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runbooks from this size on are worth a full collection once they are loaded. */
export const LARGE_RUNBOOK_NODES = 10_000;

/** Steps between two full collections in a run of a large runbook. */
export const STEPS_BETWEEN_COLLECTIONS = 2_000;

/**
 * One full garbage collection, now. Loading a large runbook peaks at several times the memory the run keeps
 * (the file's text, the TOML library's document, the validation's work); V8 sizes its next full collection
 * from the heap it last found live, so without this the run's own short-lived garbage piles up to that peak
 * again before anything is collected (613 MB for a 100,000-node run, most of it garbage). Node exposes `gc`
 * only behind a flag; setting the flag at run time and taking the function from a new context is the
 * documented way to get it without restarting the process.
 */
export function collectGarbage(): void {
  fullCollection ??= takeGc();
  fullCollection?.();
}

let fullCollection: (() => void) | undefined;

function takeGc(): (() => void) | undefined {
  // Started with --expose-gc (NODE_OPTIONS): the function is there, and the flags must stay as they are.
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  const taken = runInNewContext('gc') as (() => void) | undefined;
  // Back to the flags the process started with: V8 rejects compiled code cached under other flags, and the
  // CLI's code cache (src/start/code-cache.ts) is written at exit, so a flag left set would make every later
  // start compile again. The function taken keeps working.
  setFlagsFromString('--no-expose-gc');
  return taken;
}

/**
 * For a run of a large runbook: a full collection every `STEPS_BETWEEN_COLLECTIONS` finished steps. Each step
 * leaves a little garbage in the old generation (what was alive at a young-generation collection), and V8
 * lets that grow to two to four times the live heap before collecting it; a collection of a heap this size
 * takes tens of milliseconds, against seconds for the steps between two. Returns the function to call at each
 * finished step.
 */
export function collectEverySteps(nodes: number): () => void {
  if (nodes < LARGE_RUNBOOK_NODES) return () => {};
  let steps = 0;
  return () => {
    steps++;
    if (steps % STEPS_BETWEEN_COLLECTIONS === 0) collectGarbage();
  };
}
