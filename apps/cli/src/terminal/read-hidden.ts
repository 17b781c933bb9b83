import { emitKeypressEvents } from 'node:readline';
import type { Writable } from 'node:stream';
import { PromptClosedError } from '@playbook/engine';
import type { Key, RawInput } from './select.js';

export interface ReadHiddenOptions {
  readonly input: RawInput;
  readonly output: Writable;
  /** The question, written before the (invisible) answer. */
  readonly question: string;
  /** Aborted on an operator interrupt: the question then rejects with `PromptClosedError`. */
  readonly signal?: AbortSignal;
  /** Called on Ctrl-C, which raw mode keeps from becoming a SIGINT. */
  readonly onInterrupt: () => void;
  /** Called when the input ends under the question: in raw mode, only a closed terminal does that. */
  readonly onHangup?: () => void;
}

/**
 * Reads one line on a terminal without showing it: raw mode, so the terminal echoes nothing, and nothing is
 * drawn per key either — not even a `•`, which would tell an onlooker the secret's length. Backspace and Ctrl-U
 * still edit the hidden line; Enter ends it; Ctrl-C interrupts; Ctrl-D on an empty line is end of input, as is
 * the input really ending (the terminal was closed).
 * readline's own question is not used: it echoes what is typed, and muting it means patching its internals.
 */
export function readHidden(options: ReadHiddenOptions): Promise<string> {
  const { input, output, question, signal } = options;
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new PromptClosedError('interrupted'));
      return;
    }
    const wasRaw = input.isRaw === true;
    emitKeypressEvents(input);
    input.setRawMode(true);
    input.resume();
    output.write(`${question} `);
    let value = '';
    let settled = false;

    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      input.off('keypress', onKeypress);
      input.off('end', onEnd);
      input.off('close', onEnd);
      signal?.removeEventListener('abort', onAbort);
      input.setRawMode(wasRaw);
      input.pause();
      // The line ends here either way: what is printed next must not follow the question.
      output.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onAbort = () => finish(new PromptClosedError('interrupted'));
    const onEnd = () => {
      finish(new PromptClosedError('input ended while a question was waiting'));
      options.onHangup?.();
    };
    const onKeypress = (text: string | undefined, key: Key | undefined) => {
      if (key?.ctrl === true && key.name === 'c') {
        finish(new PromptClosedError('interrupted'));
        options.onInterrupt();
      } else if (key?.ctrl === true && key.name === 'd') {
        if (value === '') finish(new PromptClosedError('input ended while a question was waiting'));
      } else if (key?.name === 'return' || key?.name === 'enter') {
        finish();
      } else if (key?.name === 'backspace') {
        value = Array.from(value).slice(0, -1).join('');
      } else if (key?.ctrl === true && key.name === 'u') {
        value = '';
      } else if (text !== undefined && key?.ctrl !== true && key?.meta !== true && !isControl(text)) {
        value += text;
      }
    };
    input.on('keypress', onKeypress);
    input.on('end', onEnd);
    input.on('close', onEnd);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Control characters and escape sequences (arrows, function keys) are keys, not part of a secret. */
function isControl(text: string): boolean {
  return /[\x00-\x1f\x7f]/.test(text);
}
