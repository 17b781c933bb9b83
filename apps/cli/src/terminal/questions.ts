import type { RunbookInput, RunbookNode } from '@playbook/domain';
import type { FailureChoice, ManualAnswer } from '@playbook/engine';
import type { Colors } from './colors.js';
import { visible, visibleLine } from './visible.js';

/** One answer of a multiple-choice question: what it means, how it reads, and the words that pick it. */
export interface Choice<T> {
  readonly value: T;
  readonly label: string;
  /** Lower-case words accepted on a line; the first one is the shortcut key in the terminal selector. */
  readonly words: readonly string[];
  /** The answer of an empty line, and the one the terminal selector starts on. */
  readonly isDefault?: boolean;
}

export const manualChoices = (canSkip: boolean): Choice<ManualAnswer['decision']>[] => [
  { value: 'ok', label: 'ok — done, it worked', words: ['ok', 'y', 'yes'] },
  { value: 'nok', label: 'nok — it did not work', words: ['nok', 'n', 'no'] },
  ...(canSkip ? [{ value: 'skip' as const, label: 'skip — leave this step out', words: ['skip', 's'] }] : []),
];

export const failureChoices = (canSkip: boolean, canOverride = false): Choice<FailureChoice>[] => [
  { value: 'retry', label: 'retry — run it again', words: ['r', 'retry'] },
  ...(canSkip ? [{ value: 'skip' as const, label: 'skip — go on without it', words: ['s', 'skip'] }] : []),
  { value: 'abort', label: 'abort — stop the run (it can be resumed)', words: ['a', 'abort'] },
  // Last, so that the keys that reach retry, skip and abort are the same as before it existed.
  ...(canOverride
    ? [
        {
          value: 'override' as const,
          label: 'mark ok — it was done by hand (a note is required)',
          words: ['o', 'override'],
        },
      ]
    : []),
];

/** How many empty notes "mark ok" takes before it gives up (the engine then aborts the run). */
export const MAX_EMPTY_NOTES = 3;

/** SPEC §9.3: running a step again is never what a stray Enter means. */
export const repeatChoices: Choice<boolean>[] = [
  { value: true, label: 'yes — run it again', words: ['y', 'yes'] },
  { value: false, label: 'no — keep the earlier result', words: ['n', 'no'], isDefault: true },
];

/** The choice a typed answer picks (trimmed, case-insensitive; an empty one the default), if any. */
export function matchChoice<T>(choices: readonly Choice<T>[], answer: string): Choice<T> | undefined {
  const word = answer.trim().toLowerCase();
  if (word === '') return choices.find((choice) => choice.isDefault === true);
  return choices.find((choice) => choice.words.includes(word));
}

/** `ok/nok/skip`: the accepted short forms, for a line prompt; the default in capitals (`y/N`). */
export const choiceHint = (choices: readonly Choice<unknown>[]): string =>
  choices
    .map((choice) => (choice.isDefault === true ? choice.words[0]?.toUpperCase() : choice.words[0]))
    .join('/');

// Every question quotes the runbook (names, prompts) or a failure (its reason): each such part is made visible
// here, where both prompters get their text, so no file can drive the operator's terminal through a question.

/**
 * A Manual node's question: its prompt. The renderer has just printed the node's name and description, so they
 * are not repeated.
 */
export const manualHeader = (node: RunbookNode & { readonly prompt: string }, colors: Colors): string =>
  `${colors.cyan('?')} ${colors.bold(visible(node.prompt))}\n`;

export const failureQuestion = (node: RunbookNode, reason: string, colors: Colors): string =>
  `${colors.yellow('?')} ${colors.bold(visibleLine(node.name))} failed: ${visibleLine(reason)}\n  What now?`;

/** The question for a `${ask}` value; a secret one says that the answer is not shown. */
export const askValueQuestion = (node: RunbookNode, param: string, colors: Colors, secret = false): string =>
  `${colors.cyan('?')} Value for ${colors.bold(`\`${visibleLine(param)}\``)} of ${visibleLine(node.name)}${secret ? ` ${colors.dim('(secret, not shown)')}` : ''}:`;

export const repeatQuestion = (node: RunbookNode, colors: Colors): string =>
  `${colors.cyan('?')} ${colors.bold(visibleLine(node.name))} already ended ok in this run. Run it again?`;

export const noteQuestion = (colors: Colors): string => `  ${colors.dim('Note (optional, Enter for none):')}`;

/** The note of "mark ok": required, it is the record of what was done instead. */
export const markOkNoteQuestion = (colors: Colors): string =>
  `  ${colors.dim('Note (required): what was done by hand?')}`;

/** The value of a declared output, asked when a step is marked ok. */
export const outputQuestion = (key: string, colors: Colors, secret = false): string =>
  `  Value of output ${colors.bold(`\`${visibleLine(key)}\``)}${secret ? ` ${colors.dim('(secret, not shown)')}` : ''}:`;
/** The question for a runbook input given no value (SPEC §8.1); a secret one says that the answer is not shown. */
export const inputQuestion = (input: RunbookInput, colors: Colors): string => {
  const about =
    input.description === undefined ? '' : ` ${colors.dim(`(${visibleLine(input.description)})`)}`;
  const secret = input.secret ? ` ${colors.dim('(secret, not shown)')}` : '';
  const choices =
    input.choices === undefined || input.secret
      ? ''
      : ` ${colors.dim(`[${input.choices.map((choice) => visibleLine(String(choice))).join(', ')}]`)}`;
  return `${colors.cyan('?')} Value for input ${colors.bold(`\`${visibleLine(input.name)}\``)}${about}${choices}${secret}:`;
};

/** An input's choices for the terminal selector: the value itself is the answer (typed as text). */
export const inputChoices = (input: RunbookInput): Choice<string>[] =>
  (input.choices ?? []).map((choice) => ({
    value: String(choice),
    label: visibleLine(String(choice)),
    words: [String(choice).toLowerCase()],
  }));
