/** What a node's step looks like to an expression: `steps.<id>.status` and `steps.<id>.outputs.<key>`. */
export interface StepValue {
  /** `ok`, `nok`, `skipped` or `pending` (`running` for the node being run). */
  readonly status: string;
  /** The latest attempt's outputs; always strings. */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The step's CEL type (`PlaybookStep`). A class, so that the library reads its fields without converting each object. */
export class PlaybookStep implements StepValue {
  readonly status: string;
  readonly outputs: Readonly<Record<string, string>>;
  constructor(status: string, outputs: Readonly<Record<string, string>>) {
    this.status = status;
    this.outputs = outputs;
  }
}

/** A step as expressions see it; build the `steps` map of `ExpressionValues` from these. */
export function stepValue(status: string, outputs: Readonly<Record<string, string>> = {}): StepValue {
  return new PlaybookStep(status, outputs);
}
