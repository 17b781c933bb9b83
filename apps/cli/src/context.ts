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
  /** Current time; tests pin it. */
  now: () => Date;
}

/** The subset of `process` a context is built from, so the builder itself is testable. */
export interface ProcessLike {
  readonly env: Record<string, string | undefined>;
  readonly stdin: BaseContext['stdin'] & { isTTY?: boolean };
  readonly stdout: BaseContext['stdout'] & { isTTY?: boolean };
  readonly stderr: BaseContext['stderr'] & { isTTY?: boolean };
  cwd(): string;
}

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
    now: () => new Date(),
  };
}
