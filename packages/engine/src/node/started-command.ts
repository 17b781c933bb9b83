import type { ChildProcess } from 'node:child_process';
import type { OutputStream } from '../ports/process-runner.js';

/**
 * A command's shell, started in its own process group (its pgid is `pid`), however it was started: by this
 * process (`directCommand`) or by the spawn helper.
 */
export interface StartedCommand {
  readonly pid: number;
  /** The shell has exited (and was reaped). */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Both output pipes are closed: every chunk has been delivered. */
  readonly closed: Promise<void>;
  /** True once `closed` has resolved, when the starter knows it at once; unset: not known. */
  readonly pipesClosed?: boolean;
  /**
   * True once the starter found the process group empty (kill(2) of the group failed) after the shell exited:
   * no process of it is left to stop. Unset: not known, ask the kernel.
   */
  readonly groupGone?: boolean;
  /** Rejects if the command can no longer be followed (the helper that started it died); never resolves. */
  readonly lost?: Promise<never>;
  /** Sets the one listener of the command's output, in the order it arrives on each stream. */
  onOutput(listener: (stream: OutputStream, chunk: Buffer) => void): void;
  /** Stops reading the pipes: only a process that left the group can still hold them. */
  destroyPipes(): void;
  /**
   * For a command held at its start (`HELD_COMMAND_PREFIX`): lets it run once `recorded` resolves (at once when
   * undefined); if it rejects, the shell exits without running anything. Left out when nothing holds it.
   */
  release?(recorded: void | Promise<void>): void;
}

/**
 * Put before a command line so that its shell waits, before running anything of it, for one line on its stdin
 * (`release`), then reads from /dev/null as every command does. If this process dies first, the shell reads
 * end-of-file and exits: nothing of the command ever ran. One line, so that the command's own line numbers (in
 * a shell's error messages) stay what they were; `_` is the variable every shell overwrites anyway.
 */
export const HELD_COMMAND_PREFIX = 'read _ || exit; exec </dev/null; ';

/**
 * A command this process spawned itself, once its 'spawn' event has come; held (`HELD_COMMAND_PREFIX`, stdin a
 * pipe) or not (stdin ignored).
 */
export function directCommand(child: ChildProcess & { pid: number }): StartedCommand {
  // After 'spawn', an 'error' can only come from signalling the child, which we do not do through it.
  child.on('error', () => {});
  const gate = child.stdin;
  // The shell may be gone by the time it is released (stopped meanwhile): nobody is left to read the line.
  gate?.on('error', () => {});
  return {
    release(recorded) {
      if (gate === null) return;
      // A listener typed to return nothing may still return something (`array.push`): only a promise holds.
      if (typeof (recorded as Promise<void> | undefined)?.then !== 'function') gate.end('\n');
      else
        (recorded as Promise<void>).then(
          () => gate.end('\n'),
          () => gate.destroy(),
        );
    },
    pid: child.pid,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    closed: new Promise((resolve) => child.once('close', () => resolve())),
    onOutput(listener) {
      child.stdout?.on('data', (chunk: Buffer) => listener('stdout', chunk));
      child.stderr?.on('data', (chunk: Buffer) => listener('stderr', chunk));
    },
    destroyPipes() {
      child.stdout?.destroy();
      child.stderr?.destroy();
    },
  };
}
