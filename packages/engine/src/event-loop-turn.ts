/**
 * Resolves once the host's event loop has turned. Signal handlers (the CLI's Ctrl-C), timers (a function's time
 * limit) and I/O callbacks run only then, and a run whose steps settle through promises alone — functions that
 * return at once, an in-process store — would otherwise keep the loop from turning until its last step.
 * `setImmediate` runs right after pending I/O, without the millisecond `setTimeout` waits at least.
 */
export function eventLoopTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
