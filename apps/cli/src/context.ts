import type { Readable } from 'node:stream';
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
  /**
   * Standard input, made when first asked for (commands read it through {@link stdinOf}). Node builds
   * `process.stdin` — a stream over the terminal, pipe or file — on first use, and building it loads Node's
   * file streams, promises and readline modules: several milliseconds of a start-up that most commands, which
   * never read it, should not pay (docs/performance.md). On the real process `stdin` is a getter that
   * clipanion's copies of the context leave out, so this is how commands reach it; a context without it (one
   * an embedding program built) gives its `stdin`.
   */
  openStdin?: () => Readable;
}

/** The standard input of `context`: `openStdin()` when it has one, else its `stdin`. */
export function stdinOf(context: PlaybookContext): Readable {
  return context.openStdin?.() ?? context.stdin;
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

/**
 * Builds the context of a real run from the process; `homeDir` comes from `os.homedir()` at the edge, and
 * `stdinIsTTY` tells whether standard input is a terminal without building `proc.stdin` (`main()` passes
 * `isatty(0)`).
 */
export function createProcessContext(
  proc: ProcessLike,
  homeDir: string,
  stdinIsTTY: () => boolean = () => proc.stdin.isTTY === true,
): PlaybookContext {
  const isTTY = {
    stdin: stdinIsTTY(),
    stdout: proc.stdout.isTTY === true,
    stderr: proc.stderr.isTTY === true,
  };
  const color = {
    stdout: supportsColor(proc.env, isTTY.stdout),
    stderr: supportsColor(proc.env, isTTY.stderr),
  };
  const context = {
    env: proc.env,
    stdout: proc.stdout,
    stderr: proc.stderr,
    // clipanion's own output (help, usage errors) follows the same decision as ours.
    colorDepth: color.stdout ? 8 : 1,
    cwd: proc.cwd(),
    homeDir,
    isTTY,
    color,
    clock: systemClock,
    openStdin: () => proc.stdin,
  };
  // Not enumerable: clipanion copies the context with a spread, which would call the getter.
  return Object.defineProperty(context, 'stdin', {
    get: () => proc.stdin,
    enumerable: false,
  }) as typeof context & Pick<PlaybookContext, 'stdin'>;
}
