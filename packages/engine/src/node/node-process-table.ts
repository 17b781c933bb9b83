import { hostname } from 'node:os';
import type { ProcessTable } from '../ports/process-runner.js';
import { removeOutputFolders } from './output-file.js';
import { assertProcessGroup, isProcessRunning, terminateGroup } from './process-group.js';

/** This host's processes through kill(2) (and /proc on Linux, where a zombie counts as gone). */
export class NodeProcessTable implements ProcessTable {
  readonly host: string = hostname();
  readonly pid: number = process.pid;

  /** Whether `pid` runs on this host; a process of another user counts (EPERM), a zombie does not. */
  isAlive(pid: number): boolean {
    return isProcessRunning(pid);
  }

  /**
   * SIGTERM to the group, SIGKILL once `graceMs` has passed; resolves when no process of it runs, at once
   * when there was none. Refuses ids that would mean something else to kill(2) (0, 1, this process's own).
   */
  async killGroup(processGroup: number, graceMs: number): Promise<void> {
    assertProcessGroup(processGroup);
    await terminateGroup(processGroup, graceMs);
  }

  /** Removes the output files (`PLAYBOOK_OUTPUT`) that process `pid`, now gone, left in the temp folder. */
  async removeLeftovers(pid: number): Promise<void> {
    await removeOutputFolders(pid);
  }
}
