import { closeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Lets the process exit cleanly when its terminal was closed under it (SIGHUP: the window shut, ssh dropped).
 *
 * At exit Node (20) sets each standard stream that was a terminal back to the modes it had at start; a terminal
 * that has hung up refuses with EIO, which Node treats as impossible: it aborts (SIGABRT, a core dump, exit 134
 * instead of ours — node::ResetStdio). A closed descriptor is skipped there. So, as the process exits (after the
 * last write), the standard streams that were a terminal and are not any more — a hung-up terminal no longer
 * answers isatty() — are closed. One that is still a terminal is left for Node to restore.
 */
export function closeLostTerminalAtExit(): void {
  const terminalFds = [0, 1, 2].filter((fd) => isatty(fd));
  if (terminalFds.length === 0) return;
  process.once('exit', () => {
    for (const fd of terminalFds) {
      if (isatty(fd)) continue;
      try {
        closeSync(fd);
      } catch {
        // already closed: nothing to restore there either
      }
    }
  });
}
