/** Logger handed to a function; its lines are streamed like command output. */
export interface FunctionLogger {
  /** Writes a line to the operator's terminal and the captured stdout. */
  info(message: string): void;
  /** Writes a line to the operator's terminal and the captured stderr. */
  warn(message: string): void;
  /** Writes a line to the operator's terminal and the captured stderr. */
  error(message: string): void;
}

/** Second argument of every Playbook function. */
export interface FunctionContext {
  /** Aborted on timeout or operator interrupt: long work should stop when it fires. */
  readonly signal: AbortSignal;
  /** The runbook's title: the workflow the run belongs to. */
  readonly workflowName: string;
  /** The run's id within its workflow. */
  readonly runId: number;
  /** The id of the Function node being run. */
  readonly nodeId: string;
  /** Directory of the runbook file. */
  readonly runbookDirectory: string;
  /** Where the function's lines go: streamed to the terminal like command output, and captured. */
  readonly logger: FunctionLogger;
}

/** A function a Function node calls: `fn(params, context)`; a throw or rejection is `nok`. */
export type PlaybookFunction = (params: Record<string, unknown>, context: FunctionContext) => unknown;

/** Resolves `function_name` values (`./ops.mjs#notify`, `@acme/ops#restart`, `playbook:sleep`). Adapter: `NodeFunctionLoader`. */
export interface FunctionLoader {
  /** Loads the function, resolving relative modules and packages from `baseDirectory`; throws `FunctionLoadError`. */
  load(functionName: string, baseDirectory: string): Promise<PlaybookFunction>;
}

/** The code of `FunctionLoadError`. */
export type FunctionLoadErrorCode = 'FUNCTION_LOAD';

/** A module or export that cannot be found or is not a function. */
export class FunctionLoadError extends Error {
  override readonly name = 'FunctionLoadError';
  readonly code: FunctionLoadErrorCode = 'FUNCTION_LOAD';
  constructor(
    message: string,
    readonly functionName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
