import type { RunbookNode } from '@playbook/domain';
import type { FailureChoice, ManualAnswer } from '@playbook/engine';
import type { Colors } from './colors.js';

/** One answer of a multiple-choice question: what it means, how it reads, and the words that pick it. */
export interface Choice<T> {
  readonly value: T;
  readonly label: string;
  /** Lower-case words accepted on a line; the first one is the shortcut key in the terminal selector. */
  readonly words: readonly string[];
}

export const manualChoices = (canSkip: boolean): Choice<ManualAnswer['decision']>[] => [
  { value: 'ok', label: 'ok — done, it worked', words: ['ok', 'y', 'yes'] },
  { value: 'nok', label: 'nok — it did not work', words: ['nok', 'n', 'no'] },
  ...(canSkip ? [{ value: 'skip' as const, label: 'skip — leave this step out', words: ['skip', 's'] }] : []),
];

export const failureChoices = (canSkip: boolean): Choice<FailureChoice>[] => [
  { value: 'retry', label: 'retry — run it again', words: ['r', 'retry'] },
  ...(canSkip ? [{ value: 'skip' as const, label: 'skip — go on without it', words: ['s', 'skip'] }] : []),
  { value: 'abort', label: 'abort — stop the run (it can be resumed)', words: ['a', 'abort'] },
];

export const repeatChoices: Choice<boolean>[] = [
  { value: true, label: 'yes — run it again', words: ['y', 'yes'] },
  { value: false, label: 'no — keep the earlier result', words: ['n', 'no'] },
];

/** The choice a typed answer picks (trimmed, case-insensitive), if any. */
export function matchChoice<T>(choices: readonly Choice<T>[], answer: string): Choice<T> | undefined {
  const word = answer.trim().toLowerCase();
  return choices.find((choice) => choice.words.includes(word));
}

/** `ok/nok/skip`: the accepted short forms, for a line prompt. */
export const choiceHint = (choices: readonly Choice<unknown>[]): string =>
  choices.map((choice) => choice.words[0]).join('/');

/**
 * A Manual node's question: its description, then its prompt. The renderer has just printed the node's name,
 * so it is not repeated.
 */
export function manualHeader(node: RunbookNode & { readonly prompt: string }, colors: Colors): string {
  const lines: string[] = [];
  if (node.description !== undefined && node.description.trim() !== '') {
    for (const line of node.description.trim().split('\n')) {
      lines.push(`  ${colors.dim(line)}`);
    }
  }
  lines.push(`${colors.cyan('?')} ${colors.bold(node.prompt)}`);
  return `${lines.join('\n')}\n`;
}

export const failureQuestion = (node: RunbookNode, reason: string, colors: Colors): string =>
  `${colors.yellow('?')} ${colors.bold(node.name)} failed: ${reason}\n  What now?`;

/** The question for a `${ask}` value; a secret one says that the answer is not shown. */
export const askValueQuestion = (node: RunbookNode, param: string, colors: Colors, secret = false): string =>
  `${colors.cyan('?')} Value for ${colors.bold(`\`${param}\``)} of ${node.name}${secret ? ` ${colors.dim('(secret, not shown)')}` : ''}:`;

export const repeatQuestion = (node: RunbookNode, colors: Colors): string =>
  `${colors.cyan('?')} ${colors.bold(node.name)} already ended ok in this run. Run it again?`;

export const noteQuestion = (colors: Colors): string => `  ${colors.dim('Note (optional, Enter for none):')}`;
