import type { Runbook } from '@playbook/domain';

/** One problem found in a runbook file, located as precisely as the source allows. */
export interface Problem {
  readonly severity: 'error' | 'warning';
  /** Stable machine-readable kind: `TOML_SYNTAX`, `MISSING_FIELD`, `UNKNOWN_KEY`, `CYCLE`, `FILE_NOT_FOUND`… */
  readonly code: string;
  /** One line, human. */
  readonly message: string;
  /** The path as the user gave it. */
  readonly file: string;
  /** The table key; `runbook` for the metadata table. */
  readonly nodeId?: string;
  readonly field?: string;
  /** 1-based. */
  readonly line?: number;
  /** 1-based. */
  readonly column?: number;
}

/**
 * A Function node's `function_name` as written, where it stands: what `validate` loads to tell a missing module
 * or export, also in a file with other errors (the runbook itself carries no positions).
 */
export interface FunctionReference {
  readonly nodeId: string;
  readonly functionName: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

/**
 * A runbook with its warnings, or every error and warning found, in file order. `functions` lists the Function
 * nodes' references whenever the text was TOML (none when it was not); a reference whose `function_name` drew a
 * problem of its own is left out.
 */
export type ParseResult =
  | {
      readonly ok: true;
      readonly runbook: Runbook;
      readonly warnings: readonly Problem[];
      readonly functions: readonly FunctionReference[];
    }
  | {
      readonly ok: false;
      readonly problems: readonly Problem[];
      readonly functions?: readonly FunctionReference[];
    };

/** One line: `file:line:col: error: [node.field] message`. */
export function formatProblem(problem: Problem): string {
  let where = problem.file;
  if (problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  const subject =
    problem.nodeId === undefined
      ? ''
      : `[${problem.nodeId}${problem.field === undefined ? '' : `.${problem.field}`}] `;
  return `${where}: ${problem.severity}: ${subject}${problem.message}`;
}

/** Problems sorted by position (unlocated ones first), keeping the original order among equals. */
export function inFileOrder(problems: readonly Problem[]): Problem[] {
  return problems
    .map((problem, index) => ({ problem, index }))
    .sort(
      (a, b) =>
        (a.problem.line ?? 0) - (b.problem.line ?? 0) ||
        (a.problem.column ?? 0) - (b.problem.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ problem }) => problem);
}
