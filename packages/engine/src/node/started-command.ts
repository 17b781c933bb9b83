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
  /** Rejects if the command can no longer be followed (the helper that started it died); never resolves. */
  readonly lost?: Promise<never>;
  /** Sets the one listener of the command's output, in the order it arrives on each stream. */
  onOutput(listener: (stream: OutputStream, chunk: Buffer) => void): void;
  /** Stops reading the pipes: only a process that left the group can still hold them. */
  destroyPipes(): void;
}

/** A command this process spawned itself, once its 'spawn' event has come. */
export function directCommand(child: ChildProcess & { pid: number }): StartedCommand {
  // After 'spawn', an 'error' can only come from signalling the child, which we do not do through it.
  child.on('error', () => {});
  return {
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
