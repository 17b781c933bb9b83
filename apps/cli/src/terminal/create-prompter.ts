import type { Prompter } from '@playbook/engine';
import { ignoreBrokenPipe } from '../broken-pipe.js';
import type { InterruptTrap } from '../commands/run-interrupts.js';
import type { PlaybookContext } from '../context.js';
import { createColors } from './colors.js';
import { canMoveCursor } from './cursor.js';
import { LinePrompter } from './line-prompter.js';
import type { RawInput } from './select.js';
import { TtyPrompter } from './tty-prompter.js';

/** A prompter and how to let go of the input it holds. */
export interface OperatorPrompter {
  readonly prompter: Prompter;
  /** Stops reading stdin so the process can exit. */
  close(): void;
}

/**
 * Arrow keys when both ends are a terminal (plain lines when it is `TERM=dumb`); the line protocol of SPEC §2.4
 * otherwise (piped answers).
 * Loaded only by `run` / `resume` that have an operator: it pulls in the engine.
 */
export function createPrompter(context: PlaybookContext, trap: InterruptTrap): OperatorPrompter {
  const colors = createColors(context.color.stdout);
  const stdin = context.stdin as RawInput;
  if (context.isTTY.stdin && context.isTTY.stdout && typeof stdin.setRawMode === 'function') {
    // A terminal closed while a question waits (SIGHUP) fails the switch back out of raw mode with EIO.
    ignoreBrokenPipe(stdin);
    const prompter = new TtyPrompter({
      input: stdin,
      output: context.stdout,
      colors,
      signal: trap.promptSignal,
      onInterrupt: () => trap.interrupt(),
      onHangup: () => trap.hangUp(),
      plain: !canMoveCursor(context.env, true),
    });
    return { prompter, close: () => {} };
  }
  const prompter = new LinePrompter({
    input: context.stdin,
    output: context.stdout,
    colors,
    signal: trap.promptSignal,
  });
  // Buffer piped answers from the start: they belong to our questions, whatever runs before them.
  prompter.start();
  return { prompter, close: () => prompter.close() };
}
