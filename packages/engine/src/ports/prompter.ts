import type { RunbookNode } from '@playbook/domain';

/** The operator's answer to a Manual node. */
export interface ManualAnswer {
  readonly decision: 'ok' | 'nok' | 'skip';
  /** Free text stored as `result_text`; empty for none. */
  readonly note: string;
}

/**
 * What the operator chooses after an attempt ended `nok`. `override` is "mark ok" (SPEC §9.3): the step was done
 * by hand; the engine then asks `markOk` for the note and the declared outputs.
 */
export type FailureChoice = 'retry' | 'skip' | 'abort' | 'override';

export interface ManualRequest {
  readonly node: RunbookNode & { readonly type: 'Manual' };
  readonly attempt: number;
  /** Whether `skip` may be answered (skippable and not critical). */
  readonly canSkip: boolean;
}

export interface FailureRequest {
  readonly node: RunbookNode;
  readonly attempt: number;
  /** Why the attempt failed, one line. */
  readonly reason: string;
  /** Whether `skip` may be chosen (skippable and not critical). */
  readonly canSkip: boolean;
  /**
   * Whether `override` (mark ok) may be chosen: the prompter has `markOk`, and the node is not an approval gate.
   * Absent means no.
   */
  readonly canOverride?: boolean;
}

/** "Mark ok" after a failed attempt: what the operator must give. */
export interface MarkOkRequest {
  readonly node: RunbookNode;
  /** The failed attempt. */
  readonly attempt: number;
  /** The node's declared outputs, in order, its secret ones last: each is asked for (SPEC §8.3, §9.3). */
  readonly outputs: readonly string[];
  /** Those of `outputs` that are secret (`secret_outputs`): asked with hidden typing, never shown. */
  readonly secretOutputs?: readonly string[];
}

/** The operator's word that a failed step was done by hand. */
export interface MarkOkAnswer {
  /** What was done, and why it counts as ok: required, never empty. */
  readonly note: string;
  /** A value for each output of the request. */
  readonly outputs: Readonly<Record<string, string>>;
}

export interface AskValueRequest {
  /** The node that asks: a Function's `${ask}` param, or a resumed step reading a secret output not stored. */
  readonly node: RunbookNode;
  readonly param: string;
  /**
   * The param is `${ask:secret}`: the answer must not be shown as it is typed (nor echoed back, for piped
   * input). Absent means an ordinary `${ask}` value.
   */
  readonly secret?: boolean;
}

export interface RepeatRequest {
  readonly node: RunbookNode;
}

/**
 * Questions the engine asks an operator. The engine never calls it in non-interactive mode.
 * A prompter whose input has ended (or that gave up after unrecognised answers) throws `PromptClosedError`;
 * the engine then aborts the run cleanly.
 */
export interface Prompter {
  /** Asks ok / nok (/ skip) and an optional note for a Manual node. */
  manual(request: ManualRequest): Promise<ManualAnswer>;
  /** Asks retry / skip / abort (/ override when `canOverride`) after a failed attempt. */
  afterFailure(request: FailureRequest): Promise<FailureChoice>;
  /**
   * After `override`: asks the required note and each declared output. Optional: a prompter without it is never
   * offered `override`.
   */
  markOk?(request: MarkOkRequest): Promise<MarkOkAnswer>;
  /** Asks the value of a `${ask}` (or, with `secret`, `${ask:secret}`) function parameter. */
  askValue(request: AskValueRequest): Promise<string>;
  /** Asks whether a repeatable node that already ended `ok` runs again on resume. */
  confirmRepeat(request: RepeatRequest): Promise<boolean>;
}

/** Thrown by a prompter when no answer can come (end of input, too many unrecognised answers). */
/** The code of `PromptClosedError`. */
export type PromptClosedErrorCode = 'PROMPT_CLOSED';

export class PromptClosedError extends Error {
  override readonly name = 'PromptClosedError';
  readonly code: PromptClosedErrorCode = 'PROMPT_CLOSED';
}
