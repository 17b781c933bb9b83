import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Runbooks from this size on are worth a full collection once they are loaded. */
export const LARGE_RUNBOOK_NODES = 10_000;

/**
 * One full garbage collection, now. Loading a large runbook peaks at several times the memory the run keeps
 * (the file's text, the TOML library's document, the validation's work); V8 sizes its next full collection
 * from the heap it last found live, so without this the run's own short-lived garbage piles up to that peak
 * again before anything is collected (613 MB for a 100,000-node run, most of it garbage). Node exposes `gc`
 * only behind a flag; setting the flag at run time and taking the function from a new context is the
 * documented way to get it without restarting the process.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
}
