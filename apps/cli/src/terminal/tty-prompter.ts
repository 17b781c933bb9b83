import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import type { RunbookInput } from '@playbook/domain';
import type {
  AskValueRequest,
  FailureChoice,
  FailureRequest,
  ManualAnswer,
  ManualRequest,
  MarkOkAnswer,
  MarkOkRequest,
  Prompter,
  RepeatRequest,
} from '@playbook/engine';
import { PromptClosedError } from '@playbook/engine';
import type { Colors } from './colors.js';
import {
  askValueQuestion,
  type Choice,
  failureChoices,
  failureQuestion,
  inputChoices,
  inputQuestion,
  MAX_EMPTY_NOTES,
  manualChoices,
  manualHeader,
  markOkNoteQuestion,
  noteQuestion,
  outputQuestion,
  repeatChoices,
  repeatQuestion,
} from './questions.js';
import { readHidden } from './read-hidden.js';
import { type RawInput, select } from './select.js';
import { afterTypeahead } from './typeahead.js';

export interface TtyPrompterOptions {
  readonly input: RawInput;
  readonly output: Writable;
  readonly colors: Colors;
  /** Aborted on an operator interrupt: a waiting question then rejects with `PromptClosedError`. */
  readonly signal?: AbortSignal;
  /** Ctrl-C typed at a prompt: raw mode and readline keep it from being a SIGINT, so it is forwarded here. */
  readonly onInterrupt: () => void;
  /**
   * The input ended under a question. A terminal in raw mode sends Ctrl-D as a key, so a real end means the
   * terminal was closed: forwarded here as the hang-up it is (its SIGHUP may come only after).
   */
  readonly onHangup?: () => void;
  /**
   * The terminal cannot move the cursor (`TERM=dumb`): choices are plain lines picked by letter, and a line is
   * typed with the terminal's own editing instead of readline's redraws.
   */
  readonly plain?: boolean;
}

/**
 * Prompts on a terminal: arrow-key selection for choices, an editable line for notes and values, and a line that
 * shows nothing as it is typed for secret values.
 */
export class TtyPrompter implements Prompter {
  constructor(private readonly options: TtyPrompterOptions) {}

  async manual(request: ManualRequest): Promise<ManualAnswer> {
    const { colors } = this.options;
    const header = manualHeader(request.node, colors).trimEnd();
    const decision = await this.select(header, manualChoices(request.canSkip));
    const note = await this.line(noteQuestion(colors));
    return { decision, note: note.trim() };
  }

  afterFailure(request: FailureRequest): Promise<FailureChoice> {
    const question = failureQuestion(request.node, request.reason, this.options.colors);
    return this.select(question, failureChoices(request.canSkip, request.canOverride === true));
  }

  /** The note (asked again while empty), then each declared output. */
  async markOk(request: MarkOkRequest): Promise<MarkOkAnswer> {
    const { colors } = this.options;
    let note = '';
    for (let tries = 1; note === '' && tries <= MAX_EMPTY_NOTES; tries += 1) {
      note = (await this.line(markOkNoteQuestion(colors))).trim();
      if (note === '')
        this.options.output.write(`  ${colors.yellow('A note is required to mark the step ok.')}\n`);
    }
    if (note === '') throw new PromptClosedError('marking it ok needs a note');
    const outputs: Record<string, string> = {};
    const secret = new Set(request.secretOutputs ?? []);
    for (const key of request.outputs) {
      const question = outputQuestion(key, colors, secret.has(key));
      outputs[key] = secret.has(key) ? await this.hidden(question) : await this.line(question);
    }
    return { note, outputs };
  }

  async askValue(request: AskValueRequest): Promise<string> {
    const question = askValueQuestion(request.node, request.param, this.options.colors, request.secret);
    if (request.secret !== true) return this.line(question);
    return this.hidden(question);
  }

  /** One line typed without being shown: a secret. */
  private async hidden(question: string): Promise<string> {
    await this.dropTypeahead();
    const { input, output, signal, onInterrupt, onHangup } = this.options;
    return readHidden({
      input,
      output,
      question,
      onInterrupt,
      ...(onHangup ? { onHangup } : {}),
      ...(signal ? { signal } : {}),
    });
  }

  /** Asks a runbook input's value: a choice list where it has choices, hidden typing for a secret. */
  async askInput(input: RunbookInput): Promise<string> {
    const question = inputQuestion(input, this.options.colors);
    if (input.choices !== undefined && !input.secret) return this.select(question, inputChoices(input));
    if (!input.secret) return this.line(question);
    return this.hidden(question);
  }

  confirmRepeat(request: RepeatRequest): Promise<boolean> {
    return this.select(repeatQuestion(request.node, this.options.colors), repeatChoices);
  }

  private select<T>(message: string, choices: readonly Choice<T>[]): Promise<T> {
    const { input, output, colors, signal, onInterrupt, onHangup, plain } = this.options;
    return select({
      input,
      output,
      colors,
      message,
      choices,
      onInterrupt,
      ...(onHangup ? { onHangup } : {}),
      ...(signal ? { signal } : {}),
      ...(plain ? { plain } : {}),
    });
  }

  /**
   * Reads one edited line; Ctrl-C interrupts, Ctrl-D (end of input) rejects with `PromptClosedError`. Keys typed
   * before the question showed are dropped, as in the selector: a stray Enter must not be an empty answer.
   */
  private async line(question: string): Promise<string> {
    await this.dropTypeahead();
    return this.readLine(question);
  }

  private async dropTypeahead(): Promise<void> {
    const { input } = this.options;
    const wasRaw = input.isRaw === true;
    // Raw mode releases a half-typed line too, which the terminal would otherwise hold back until Enter.
    input.setRawMode(true);
    const drop = () => {};
    input.on('data', drop);
    input.resume();
    await new Promise<void>((resolve) => afterTypeahead(resolve));
    input.off('data', drop);
    input.pause();
    input.setRawMode(wasRaw);
  }

  private readLine(question: string): Promise<string> {
    const { input, output, signal, onInterrupt, onHangup } = this.options;
    return new Promise<string>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new PromptClosedError('interrupted'));
        return;
      }
      // `terminal: false` leaves echo and editing to the terminal's line discipline: no cursor codes at all.
      const rl = createInterface({ input, output, terminal: this.options.plain !== true });
      let settled = false;
      const settle = (answer: string | null, reason?: string) => {
        if (settled) {
          return;
        }
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        input.off('end', onInputEnd);
        rl.close();
        input.pause();
        if (answer === null) {
          reject(new PromptClosedError(reason ?? 'input ended while a question was waiting'));
        } else {
          resolve(answer);
        }
      };
      const onAbort = () => {
        output.write('\n');
        settle(null, 'interrupted');
      };
      // Unlike Ctrl-D (readline's 'close' alone), the input itself ending means the terminal was closed. Heard
      // before readline, whose own 'end' listener would close it as for a Ctrl-D.
      const onInputEnd = () => {
        settle(null);
        onHangup?.();
      };
      input.prependOnceListener('end', onInputEnd);
      rl.on('SIGINT', () => {
        output.write('\n');
        settle(null, 'interrupted');
        onInterrupt();
      });
      rl.on('close', () => {
        // Ctrl-D: readline ends no line, and what is printed next must not follow the question.
        if (!settled) {
          output.write('\n');
        }
        settle(null);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      rl.question(`${question} `, (answer) => settle(answer));
    });
  }
}
