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
} from '../ports/prompter.js';
import { PromptClosedError } from '../ports/prompter.js';

/** One scripted answer; its key says which question it answers. */
export type ScriptedAnswer =
  | { readonly manual: ManualAnswer['decision']; readonly note?: string }
  | { readonly afterFailure: FailureChoice }
  /** Mark ok: the note, and the values of declared outputs (none by default). */
  | { readonly markOk: string; readonly outputs?: Readonly<Record<string, string>> }
  | { readonly value: string }
  | { readonly repeat: boolean };

/** A question the engine asked, as recorded by `ScriptedPrompter`. */
export type AskedQuestion =
  | { readonly kind: 'manual'; readonly nodeId: string; readonly attempt: number; readonly canSkip: boolean }
  | {
      readonly kind: 'after-failure';
      readonly nodeId: string;
      readonly attempt: number;
      readonly canSkip: boolean;
      readonly reason: string;
    }
  | {
      readonly kind: 'mark-ok';
      readonly nodeId: string;
      readonly attempt: number;
      readonly outputs: readonly string[];
    }
  /** `secret` is present (true) only when the engine asked for a `${ask:secret}` value. */
  | { readonly kind: 'ask-value'; readonly nodeId: string; readonly param: string; readonly secret?: true }
  | { readonly kind: 'confirm-repeat'; readonly nodeId: string };

/** The code of `ScriptMismatchError`. */
export type ScriptMismatchErrorCode = 'SCRIPT_MISMATCH';

/** Thrown when the next scripted answer does not fit the question asked: the test's script is wrong. */
export class ScriptMismatchError extends Error {
  override readonly name = 'ScriptMismatchError';
  readonly code: ScriptMismatchErrorCode = 'SCRIPT_MISMATCH';
}

/**
 * A `Prompter` answering from a queue, in order. It records every question in `questions`; once the queue is
 * empty it throws `PromptClosedError`, as a real prompter does at the end of its input.
 */
export class ScriptedPrompter implements Prompter {
  readonly questions: AskedQuestion[] = [];
  readonly #answers: ScriptedAnswer[];

  constructor(answers: readonly ScriptedAnswer[] = []) {
    this.#answers = [...answers];
  }

  /** Answers not used yet. */
  get remaining(): readonly ScriptedAnswer[] {
    return this.#answers;
  }

  async manual(request: ManualRequest): Promise<ManualAnswer> {
    this.questions.push({
      kind: 'manual',
      nodeId: request.node.id,
      attempt: request.attempt,
      canSkip: request.canSkip,
    });
    const answer = this.#next('manual');
    if (!('manual' in answer)) throw mismatch('manual', answer);
    return { decision: answer.manual, note: answer.note ?? '' };
  }

  async afterFailure(request: FailureRequest): Promise<FailureChoice> {
    this.questions.push({
      kind: 'after-failure',
      nodeId: request.node.id,
      attempt: request.attempt,
      canSkip: request.canSkip,
      reason: request.reason,
    });
    const answer = this.#next('after-failure');
    if (!('afterFailure' in answer)) throw mismatch('after-failure', answer);
    return answer.afterFailure;
  }

  async markOk(request: MarkOkRequest): Promise<MarkOkAnswer> {
    this.questions.push({
      kind: 'mark-ok',
      nodeId: request.node.id,
      attempt: request.attempt,
      outputs: request.outputs,
    });
    const answer = this.#next('mark-ok');
    if (!('markOk' in answer)) throw mismatch('mark-ok', answer);
    return { note: answer.markOk, outputs: answer.outputs ?? {} };
  }

  async askValue(request: AskValueRequest): Promise<string> {
    this.questions.push({
      kind: 'ask-value',
      nodeId: request.node.id,
      param: request.param,
      ...(request.secret === true ? { secret: true as const } : {}),
    });
    const answer = this.#next('ask-value');
    if (!('value' in answer)) throw mismatch('ask-value', answer);
    return answer.value;
  }

  async confirmRepeat(request: RepeatRequest): Promise<boolean> {
    this.questions.push({ kind: 'confirm-repeat', nodeId: request.node.id });
    const answer = this.#next('confirm-repeat');
    if (!('repeat' in answer)) throw mismatch('confirm-repeat', answer);
    return answer.repeat;
  }

  #next(kind: AskedQuestion['kind']): ScriptedAnswer {
    const answer = this.#answers.shift();
    if (answer === undefined) throw new PromptClosedError(`no scripted answer left for a ${kind} question`);
    return answer;
  }
}

function mismatch(kind: AskedQuestion['kind'], answer: ScriptedAnswer): ScriptMismatchError {
  return new ScriptMismatchError(
    `scripted answer ${JSON.stringify(answer)} does not answer a ${kind} question`,
  );
}
