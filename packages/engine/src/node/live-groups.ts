/** Process groups started by this process and not yet known to be gone. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Remembers a group so that it is killed if this process exits first (an uncaught error, `process.exit`).
 * Best effort: a SIGKILL of this process itself runs no code at all; resume covers that case through the
 * process group stored in the run's owner record.
 */
export function trackGroup(processGroup: number): void {
  liveGroups.add(processGroup);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', killLiveGroups);
  }
}

/** Forgets a group that is gone. */
export function untrackGroup(processGroup: number): void {
  liveGroups.delete(processGroup);
}

/** Groups still tracked; for tests and diagnostics. */
export function trackedGroups(): readonly number[] {
  return [...liveGroups];
}

function killLiveGroups(): void {
  // 'exit' handlers must be synchronous: one SIGKILL each, no waiting.
  for (const group of liveGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
}
