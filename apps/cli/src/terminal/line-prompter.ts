import type { Readable, Writable } from 'node:stream';
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
import { PromptClosedError, SecretMasker } from '@playbook/engine';
import type { Colors } from './colors.js';
import { LineReader } from './line-reader.js';
import {
  askValueQuestion,
  type Choice,
  choiceHint,
  failureChoices,
  failureQuestion,
  inputQuestion,
  MAX_EMPTY_NOTES,
  manualChoices,
  manualHeader,
  markOkNoteQuestion,
  matchChoice,
  noteQuestion,
  outputQuestion,
  repeatChoices,
  repeatQuestion,
} from './questions.js';
import { visibleLine } from './visible.js';

/** How many unrecognised answers in a row end the questioning (SPEC §2.4: then it counts as abort). */
export const MAX_UNRECOGNISED_ANSWERS = 3;

/** Why questioning stopped after too many unrecognised answers (the engine shows it as the reason). */
const UNRECOGNISED = `no recognised answer after ${MAX_UNRECOGNISED_ANSWERS} tries`;

export interface LinePrompterOptions {
  readonly input: Readable & { readonly isTTY?: boolean };
  readonly output: Writable;
  readonly colors: Colors;
  /** Aborted on an operator interrupt: a waiting question then gets no answer. */
  readonly signal?: AbortSignal;
}

/**
 * The line protocol of SPEC §2.4, for input that is not a terminal (or output that is not one): one line per
 * question, case-insensitive. Piped answers are echoed after their question so that a log reads like a session.
 */
export class LinePrompter implements Prompter {
  private readonly reader: LineReader;
  /** Secret values known to the run: never echoed back, even inside another answer (a note that quotes one). */
  private readonly secrets = new SecretMasker();

  constructor(private readonly options: LinePrompterOptions) {
    this.reader = new LineReader(options.input);
  }

  /** Starts buffering input now, before the first question, so that no child process can read our answers. */
  start(): void {
    this.reader.start();
  }

  /** Values to mask as `***` wherever an echoed answer holds them (the run's secret inputs), as the engine masks them. */
  addSecrets(values: Iterable<string>): void {
    for (const value of values) this.secrets.add(value);
  }

  /** Stops reading input; call when the run is over. */
  close(): void {
    this.reader.close();
  }

  async manual(request: ManualRequest): Promise<ManualAnswer> {
    this.write(manualHeader(request.node, this.options.colors));
    const choices = manualChoices(request.canSkip);
    const decision = await this.choose(`  ${choiceHint(choices)}?`, choices);
    if (decision === undefined) {
      throw new PromptClosedError(UNRECOGNISED);
    }
    // The note is optional: input that ends right after the decision means no note.
    const note = await this.line(noteQuestion(this.options.colors));
    if (this.options.signal?.aborted) {
      throw this.closed('interrupted');
    }
    return { decision, note: note?.trim() ?? '' };
  }

  async afterFailure(request: FailureRequest): Promise<FailureChoice> {
    const choices = failureChoices(request.canSkip, request.canOverride === true);
    const question = `${failureQuestion(request.node, request.reason, this.options.colors)} ${choiceHint(choices)}?`;
    return (await this.choose(question, choices)) ?? 'abort';
  }

  /** The note (a line; an empty one is asked again), then one line per declared output. */
  async markOk(request: MarkOkRequest): Promise<MarkOkAnswer> {
    const { colors } = this.options;
    let note = '';
    for (let tries = 1; note === '' && tries <= MAX_EMPTY_NOTES; tries += 1) {
      const line = await this.line(markOkNoteQuestion(colors));
      if (line === null) throw this.closed('input ended while a note was asked');
      note = line.trim();
      if (note === '') this.write(`  ${colors.yellow('A note is required to mark the step ok.')}\n`);
    }
    if (note === '') throw new PromptClosedError('marking it ok needs a note');
    const outputs: Record<string, string> = {};
    const secret = new Set(request.secretOutputs ?? []);
    for (const key of request.outputs) {
      const hidden = secret.has(key);
      const value = await this.line(outputQuestion(key, colors, hidden), { echo: !hidden });
      if (value === null) throw this.closed(`no value for output ${key}`);
      outputs[key] = value;
    }
    return { note, outputs };
  }

  async askValue(request: AskValueRequest): Promise<string> {
    const question = askValueQuestion(request.node, request.param, this.options.colors, request.secret);
    const value = await this.line(question, { echo: request.secret !== true });
    if (value === null) {
      throw this.closed(`no value for ${request.node.id}.${request.param}`);
    }
    return value;
  }

  /** Reads a runbook input's value: one line, not echoed for a secret. */
  async askInput(input: RunbookInput): Promise<string> {
    const value = await this.line(inputQuestion(input, this.options.colors), { echo: !input.secret });
    if (value === null) {
      throw this.closed(`no value for input ${input.name}`);
    }
    return value;
  }

  async confirmRepeat(request: RepeatRequest): Promise<boolean> {
    const answer = await this.choose(
      `${repeatQuestion(request.node, this.options.colors)} ${choiceHint(repeatChoices)}?`,
      repeatChoices,
    );
    if (answer === undefined) {
      throw new PromptClosedError(UNRECOGNISED);
    }
    return answer;
  }

  /** Asks until an answer matches; undefined after too many unrecognised ones; throws at end of input. */
  private async choose<T>(question: string, choices: readonly Choice<T>[]): Promise<T | undefined> {
    for (let tries = 1; tries <= MAX_UNRECOGNISED_ANSWERS; tries += 1) {
      const answer = await this.line(question);
      if (answer === null) {
        throw this.closed('input ended while a question was waiting');
      }
      const choice = matchChoice(choices, answer);
      if (choice !== undefined) {
        return choice.value;
      }
      const accepted = choices.flatMap((c) => c.words).join(', ');
      this.write(
        `  ${this.options.colors.yellow(`Not an answer: "${visibleLine(answer.trim())}". Type one of: ${accepted}.`)}\n`,
      );
    }
    this.write(
      `  ${this.options.colors.red(`No recognised answer after ${MAX_UNRECOGNISED_ANSWERS} tries.`)}\n`,
    );
    return undefined;
  }

  /**
   * Writes the question and reads one line; null at end of input or on interrupt. `echo: false` (a secret) never
   * writes the piped answer back; a secret typed on a terminal is echoed by the terminal itself, which this
   * prompter does not control (the TTY prompter is used whenever both sides are a terminal).
   */
  private async line(question: string, { echo = true }: { echo?: boolean } = {}): Promise<string | null> {
    this.write(`${question} `);
    const answer = await this.reader.next(this.options.signal);
    if (answer === null) {
      this.write('\n');
    } else if (this.options.input.isTTY !== true) {
      // Typed answers are echoed by the terminal; piped ones would otherwise be invisible — but not a secret. An
      // answers file is data like the runbook: what it holds is shown, never acted on.
      this.write(echo ? `${visibleLine(this.secrets.mask(answer))}\n` : '\n');
    }
    // A secret answered here is one of the run's secrets from now on.
    if (answer !== null && !echo) this.addSecrets([answer]);
    return answer;
  }

  private closed(message: string): PromptClosedError {
    return new PromptClosedError(this.options.signal?.aborted ? 'interrupted' : message);
  }

  private write(text: string): void {
    this.options.output.write(text);
  }
}
