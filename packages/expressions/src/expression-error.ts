/** The code of an `ExpressionError`. */
export type ExpressionErrorCode =
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_TYPE'
  | 'EXPRESSION_EVALUATION'
  | 'TEMPLATE_SYNTAX';

/** Why an expression could not be compiled or evaluated; `offset` is where in its source, when known. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  readonly code: ExpressionErrorCode;
  /** 0-based offset in the expression (or template) text; undefined when the library gave none. */
  readonly offset: number | undefined;

  constructor(
    code: ExpressionError['code'],
    message: string,
    offset?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.offset = offset;
  }
}
