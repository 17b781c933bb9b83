import { emitKeypressEvents } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { PromptClosedError } from '@playbook/engine';
import type { Colors } from './colors.js';
import type { Choice } from './questions.js';
import { afterTypeahead } from './typeahead.js';
import { screenRows } from './width.js';

/** The slice of `tty.ReadStream` the selector needs. */
export interface RawInput extends Readable {
  readonly isTTY?: boolean;
  readonly isRaw?: boolean;
  setRawMode(mode: boolean): unknown;
}

/** A key as readline's `keypress` event describes it. */
export interface Key {
  readonly name?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
  readonly sequence?: string;
}

export interface SelectOptions<T> {
  readonly input: RawInput;
  readonly output: Writable;
  readonly colors: Colors;
  /** The question, one or more lines. */
  readonly message: string;
  readonly choices: readonly Choice<T>[];
  /** Aborted on an operator interrupt: the selection then rejects with `PromptClosedError`. */
  readonly signal?: AbortSignal;
  /** Called on Ctrl-C, which raw mode keeps from becoming a SIGINT. */
  readonly onInterrupt: () => void;
  /** Called when the input ends under the question: in raw mode, only a closed terminal does that. */
  readonly onHangup?: () => void;
  /**
   * For a terminal that cannot move the cursor (`TERM=dumb`): the question and its choices are written once, as
   * plain lines, and the answer after them; a choice is picked by its letter, Enter takes the highlighted one.
   */
  readonly plain?: boolean;
}

/** The slice of `tty.WriteStream` the selector reads: its width, to know how many rows a long line takes. */
interface SizedOutput {
  readonly columns?: number;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const CLEAR_DOWN = '\x1b[0J';
const up = (lines: number) => (lines > 0 ? `\x1b[${lines}A\r` : '\r');

/**
 * Arrow-key selection on a terminal: up/down and Enter, or the first letter of a choice. Raw mode swallows
 * Ctrl-C, so it is handed to `onInterrupt`; Ctrl-D counts as end of input, and so does the input really ending
 * (the terminal was closed: nothing else would keep the process alive, and it would exit with the question
 * unanswered and the run unrecorded). On return the list is replaced by
 * one line with the question and the answer, so the scrollback stays readable. Keys typed before the question
 * showed (an Enter pressed while a command ran) are ignored: they cannot be an answer to it. The question is
 * drawn only once they are gone, so every key pressed after it appeared counts.
 */
export function select<T>(options: SelectOptions<T>): Promise<T> {
  const { input, output, colors, choices } = options;
  const plain = options.plain === true;
  let index = Math.max(
    0,
    choices.findIndex((choice) => choice.isDefault === true),
  );
  let drawnLines = 0;
  let armed = false;

  const draw = () => {
    if (plain) {
      const rows = choices.map((choice) => `  (${choice.words[0]?.[0] ?? ''}) ${choice.label}`);
      const first = choices[index]?.label.split(' — ')[0] ?? '';
      output.write(`${options.message}\n${rows.join('\n')}\n  Type a letter, or Enter for ${first}: `);
      drawnLines = 1;
      return;
    }
    const rows = choices.map((choice, i) => {
      const key = colors.dim(`(${choice.words[0]?.[0] ?? ''})`);
      return i === index
        ? `${colors.cyan('❯')} ${colors.bold(choice.label)} ${key}`
        : `  ${choice.label} ${key}`;
    });
    const hint = `\n${colors.dim('  ↑/↓ and Enter, or type the letter')}`;
    const text = `${options.message}\n${rows.join('\n')}${hint}`;
    output.write(`${up(drawnLines)}${CLEAR_DOWN}${text}\n`);
    // Rows on the screen, not lines: a long question wraps, and the redraw must go back over all of it.
    drawnLines = screenRows(text, (output as SizedOutput).columns);
  };

  return new Promise<T>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new PromptClosedError('interrupted'));
      return;
    }
    const wasRaw = input.isRaw === true;
    emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    if (!plain) output.write(HIDE_CURSOR);
    let settled = false;
    // Keys already waiting are read (and ignored) first; only then does the question appear, armed: a key
    // pressed the moment the operator sees it is an answer (see `afterTypeahead`).
    afterTypeahead(() => {
      if (!settled) {
        armed = true;
        draw();
      }
    });

    const finish = (answer: Choice<T> | undefined, error?: Error) => {
      if (settled) return;
      settled = true;
      input.off('keypress', onKeypress);
      input.off('end', onEnd);
      input.off('close', onEnd);
      options.signal?.removeEventListener('abort', onAbort);
      input.setRawMode(wasRaw);
      input.pause();
      const summary =
        answer === undefined ? colors.dim('—') : colors.cyan(answer.label.split(' — ')[0] ?? '');
      if (!plain) {
        output.write(`${up(drawnLines)}${CLEAR_DOWN}${options.message} ${summary}\n${SHOW_CURSOR}`);
      } else {
        output.write(drawnLines > 0 ? `${summary}\n` : `${options.message} ${summary}\n`);
      }
      if (answer !== undefined) {
        resolve(answer.value);
      } else {
        reject(error ?? new PromptClosedError('no answer'));
      }
    };
    const onAbort = () => finish(undefined, new PromptClosedError('interrupted'));
    const onEnd = () => {
      finish(undefined, new PromptClosedError('input ended while a question was waiting'));
      options.onHangup?.();
    };
    const onKeypress = (text: string | undefined, key: Key | undefined) => {
      if (key?.ctrl === true && key.name === 'c') {
        finish(undefined, new PromptClosedError('interrupted'));
        options.onInterrupt();
        return;
      }
      if (!armed) {
        return;
      }
      if (key?.ctrl === true && key.name === 'd') {
        finish(undefined, new PromptClosedError('input ended while a question was waiting'));
        return;
      }
      if (plain && ['up', 'down', 'tab'].includes(key?.name ?? '')) {
        return; // a highlight that cannot be redrawn cannot move
      }
      if (key?.name === 'up' || (key?.name === 'tab' && key.sequence === '\x1b[Z')) {
        index = (index - 1 + choices.length) % choices.length;
        draw();
        return;
      }
      if (key?.name === 'down' || key?.name === 'tab') {
        index = (index + 1) % choices.length;
        draw();
        return;
      }
      if (key?.name === 'return' || key?.name === 'enter') {
        finish(choices[index]);
        return;
      }
      const letter = (text ?? '').toLowerCase();
      const picked =
        letter === '' ? undefined : choices.find((choice) => choice.words.some((word) => word[0] === letter));
      if (picked !== undefined) {
        finish(picked);
      }
    };
    input.on('keypress', onKeypress);
    input.on('end', onEnd);
    input.on('close', onEnd);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
