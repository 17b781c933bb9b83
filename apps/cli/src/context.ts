import type { Clock } from '@playbook/engine';
import type { BaseContext } from './clipanion.js';
import { supportsColor } from './colors.js';

/**
 * Everything a command may touch of the outside world. Commands never read `process.*`: `main()` builds this
 * from the real process, tests build it from in-memory streams (see `test/helpers.ts`).
 */
export interface PlaybookContext extends BaseContext {
  /** Directory relative paths on the command line resolve against. */
  cwd: string;
  /** The user's home directory, for `~` expansion and the default config location. */
  homeDir: string;
  /** Whether each standard stream is a terminal: decides prompting (stdin+stdout) and live rendering. */
  isTTY: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** Whether to write ANSI colours to each output stream (NO_COLOR / FORCE_COLOR / TTY already applied). */
  color: { stdout: boolean; stderr: boolean };
  /**
   * The one clock of the process: `create`'s `created_at`, the engine's attempt times, stale-run recovery and
   * the live step clock all read it. Tests pin it.
   */
  clock: Clock;
}

/** The subset of `process` a context is built from, so the builder itself is testable. */
export interface ProcessLike {
  readonly env: Record<string, string | undefined>;
  readonly stdin: BaseContext['stdin'] & { isTTY?: boolean };
  readonly stdout: BaseContext['stdout'] & { isTTY?: boolean };
  readonly stderr: BaseContext['stderr'] & { isTTY?: boolean };
  cwd(): string;
}

/**
 * The machine's clock, as `SystemClock` of `@playbook/engine/node` is: written out here because importing that
 * subpath would load every Node adapter of the engine into each command's start-up.
 */
const systemClock: Clock = { now: () => new Date() };

/** Builds the context of a real run from the process; `homeDir` comes from `os.homedir()` at the edge. */
export function createProcessContext(proc: ProcessLike, homeDir: string): PlaybookContext {
  const isTTY = {
    stdin: proc.stdin.isTTY === true,
    stdout: proc.stdout.isTTY === true,
    stderr: proc.stderr.isTTY === true,
  };
  const color = {
    stdout: supportsColor(proc.env, isTTY.stdout),
    stderr: supportsColor(proc.env, isTTY.stderr),
  };
  return {
    env: proc.env,
    stdin: proc.stdin,
    stdout: proc.stdout,
    stderr: proc.stderr,
    // clipanion's own output (help, usage errors) follows the same decision as ours.
    colorDepth: color.stdout ? 8 : 1,
    cwd: proc.cwd(),
    homeDir,
    isTTY,
    color,
    clock: systemClock,
  };
}
