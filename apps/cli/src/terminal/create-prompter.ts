import type { RunbookInput } from '@playbook/domain';
import type { Prompter } from '@playbook/engine';
import { ignoreBrokenPipe } from '../broken-pipe.js';
import type { InterruptTrap } from '../commands/run-interrupts.js';
import { type PlaybookContext, stdinOf } from '../context.js';
import { createColors } from './colors.js';
import { canMoveCursor } from './cursor.js';
import { LinePrompter } from './line-prompter.js';
import type { RawInput } from './select.js';
import { TtyPrompter } from './tty-prompter.js';

/** A prompter and how to let go of the input it holds. */
export interface OperatorPrompter {
  readonly prompter: Prompter;
  /** Asks a runbook input that was given no value (SPEC §8.1), before the run starts. */
  askInput(input: RunbookInput): Promise<string>;
  /** The run's secret values: an answer echoed back (piped input) shows them as `***`. */
  addSecrets(values: Iterable<string>): void;
  /** Stops reading stdin so the process can exit. */
  close(): void;
}

/**
 * Arrow keys when both ends are a terminal (plain lines when it is `TERM=dumb`); the line protocol of SPEC §2.4
 * otherwise (piped answers). Questions go to stdout, or to stderr when `onStderr` (`--json`).
 * Loaded only by `run` / `resume` that have an operator: it pulls in the engine.
 */
export function createPrompter(
  context: PlaybookContext,
  trap: InterruptTrap,
  onStderr = false,
): OperatorPrompter {
  // `run --json` keeps stdout for event lines: its questions are asked on stderr.
  const output = onStderr ? context.stderr : context.stdout;
  const colors = createColors(onStderr ? context.color.stderr : context.color.stdout);
  const stdin = stdinOf(context) as RawInput;
  const outputIsTTY = onStderr ? context.isTTY.stderr : context.isTTY.stdout;
  if (context.isTTY.stdin && outputIsTTY && typeof stdin.setRawMode === 'function') {
    // A terminal closed while a question waits (SIGHUP) fails the switch back out of raw mode with EIO.
    ignoreBrokenPipe(stdin);
    const prompter = new TtyPrompter({
      input: stdin,
      output,
      colors,
      // Read at each question: the trap gives a fresh signal once an interrupted run's cleanup steps start.
      get signal() {
        return trap.promptSignal;
      },
      onInterrupt: () => trap.interrupt(),
      onHangup: () => trap.hangUp(),
      plain: !canMoveCursor(context.env, true),
    });
    // A terminal echoes what is typed itself: nothing of ours to mask.
    return { prompter, askInput: (input) => prompter.askInput(input), addSecrets: () => {}, close: () => {} };
  }
  const prompter = new LinePrompter({
    input: stdin,
    output,
    colors,
    get signal() {
      return trap.promptSignal;
    },
  });
  // Buffer piped answers from the start: they belong to our questions, whatever runs before them.
  prompter.start();
  return {
    prompter,
    askInput: (input) => prompter.askInput(input),
    addSecrets: (values) => prompter.addSecrets(values),
    close: () => prompter.close(),
  };
}
