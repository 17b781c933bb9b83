import { paint } from './colors.js';
import { visibleLine } from './terminal/visible.js';

/** Exit codes of the `playbook` binary (SPEC §4). */
export const ExitCode = {
  /** Success: the run ended `ok`, the file is valid. */
  ok: 0,
  /** A run that ended `nok` or `aborted`, an invalid file, or a runtime error. */
  failure: 1,
  /** A usage error: unknown command, bad or missing option. */
  usage: 2,
  /** The run waits at an approval gate (docs/approvals.md). */
  waiting: 3,
  /** The run stopped because the terminal was closed (SIGHUP), after its running step (docs/signals.md). */
  hangup: 129,
  /** Interrupted by SIGINT/SIGTERM/SIGQUIT. */
  interrupted: 130,
} as const;

/** The code of `CliError`. */
export type CliErrorCode = 'CLI_ERROR';

/** An error meant for the operator: printed as its message alone, ending the command with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode = 'CLI_ERROR';
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.failure,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

function field(error: unknown, key: string): unknown {
  return error !== null && typeof error === 'object' ? (error as Record<string, unknown>)[key] : undefined;
}

/** Whether clipanion (or we) marked the error as the user's mistake on the command line. */
export function isUsageError(error: unknown): boolean {
  const meta = field(error, 'clipanion');
  if (meta !== null && typeof meta === 'object' && (meta as { type?: unknown }).type === 'usage') return true;
  const name = field(error, 'name');
  return name === 'UsageError' || name === 'UnknownSyntaxError' || name === 'AmbiguousSyntaxError';
}

/** The exit code an error ends the command with. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CliError) return error.exitCode;
  if (isUsageError(error)) return ExitCode.usage;
  const name = field(error, 'name');
  const code = field(error, 'code');
  if (name === 'EngineError' && code === 'APPROVAL_PENDING') return ExitCode.waiting;
  // A `--set` naming a node or parameter the runbook does not have: a mistake on the command line.
  if (name === 'EngineError' && code === 'BAD_VALUE') return ExitCode.usage;
  if (name === 'AbortError' || code === 'ABORT_ERR' || field(error, 'interrupted') === true) {
    return ExitCode.interrupted;
  }
  return ExitCode.failure;
}

/**
 * One line for the operator: `error: <message>`. Errors we do not know get their class name as a hint. With
 * `verbose`, the stack and the chain of causes follow.
 */
export function formatError(error: unknown, options: { verbose: boolean; color: boolean }): string {
  const label = paint(options.color, 'red', 'error:');
  const head = `${label} ${oneLine(error)}\n`;
  if (!options.verbose) return head;
  const details: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const stack = field(current, 'stack');
    if (depth > 0) details.push(`caused by: ${oneLine(current)}`);
    if (typeof stack === 'string') details.push(stack.split('\n').slice(1).join('\n'));
    current = field(current, 'cause');
  }
  return `${head}${details.filter((d) => d !== '').join('\n')}\n`;
}

function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return visibleLine(String(error).split('\n')[0] ?? '');
  const message = error.message.trim() === '' ? '(no message)' : error.message;
  // Our own errors and clipanion's speak to the operator; anything else is unexpected, so say what it is.
  const known = field(error, 'code') !== undefined || isUsageError(error) || error.name === 'Error';
  const text = known ? message : `${error.name}: ${message}`;
  // Messages quote file content and history (a title, a node name): shown, never acted on by the terminal.
  return visibleLine(text.replace(/\s*\n\s*/g, ' '));
}
