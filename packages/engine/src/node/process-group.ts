import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** How often a group is checked while waiting for it to go. */
const POLL_MS = 20;
/** After SIGKILL, how long to wait for the kernel before giving up on a group (it cannot do more). */
const AFTER_KILL_MS = 1000;

/** Refuses ids whose negation means something else to kill(2): 0 is our own group, -1 is every process. */
export function assertProcessGroup(processGroup: number): void {
  if (!Number.isSafeInteger(processGroup) || processGroup <= 1) {
    throw new RangeError(`not a process group id: ${processGroup}`);
  }
  if (processGroup === process.pid) {
    throw new RangeError(`refusing to signal this process's own group (${processGroup})`);
  }
}

/** Sends a signal to every process of a group; false when the group no longer exists (or may not be signalled). */
export function signalGroup(processGroup: number, signal: NodeJS.Signals | 0): boolean {
  assertProcessGroup(processGroup);
  try {
    process.kill(-processGroup, signal);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
    // EPERM: it exists but belongs to someone else; there is nothing more we may do to it.
    if (errorCode(error) === 'EPERM') return signal === 0;
    throw error;
  }
}

/**
 * Whether a group still has a running process. A zombie counts as gone: where PID 1 does not reap
 * orphans (containers without an init), a killed grandchild stays a zombie and kill(2) still finds it.
 */
export function isGroupAlive(processGroup: number): boolean {
  if (!signalGroup(processGroup, 0)) return false;
  if (process.platform !== 'linux') return true;
  return hasRunningMember(processGroup);
}

/**
 * Stops a group: SIGTERM, then SIGKILL once `graceMs` has passed since `termSentAt` (now when omitted).
 * Resolves when no running process is left, or shortly after SIGKILL if the kernel still lists some.
 */
export async function terminateGroup(
  processGroup: number,
  graceMs: number,
  termSentAt?: number,
): Promise<void> {
  if (!isGroupAlive(processGroup)) return;
  const termAt = termSentAt ?? Date.now();
  if (termSentAt === undefined) signalGroup(processGroup, 'SIGTERM');
  let killedAt: number | undefined;
  for (;;) {
    await delay(POLL_MS);
    if (!isGroupAlive(processGroup)) return;
    const now = Date.now();
    if (killedAt === undefined && now - termAt >= graceMs) {
      signalGroup(processGroup, 'SIGKILL');
      killedAt = now;
    } else if (killedAt !== undefined && now - killedAt >= AFTER_KILL_MS) {
      return;
    }
  }
}

/** Whether a process is running; a zombie (exited, not yet reaped) is not. */
export function isProcessRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    if (errorCode(error) !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  const state = procState(pid);
  return state !== 'Z' && state !== 'X';
}

function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return parseStat(stat).state;
  } catch {
    return undefined;
  }
}

/** Fields of /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and ')'. */
function parseStat(stat: string): { state: string | undefined; processGroup: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], processGroup: Number(fields[2]) };
}

function hasRunningMember(processGroup: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
    } catch {
      continue; // exited while we looked
    }
    const { state, processGroup: group } = parseStat(stat);
    if (group === processGroup && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}
