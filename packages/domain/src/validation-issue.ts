/** Machine-readable kind of a validation issue; stable, used by tests and `validate --json`. */
export type ValidationCode =
  | 'NOT_A_TABLE'
  | 'MISSING_RUNBOOK'
  | 'MISSING_FIELD'
  | 'INVALID_VALUE'
  | 'INVALID_DATE'
  | 'INVALID_NODE_ID'
  | 'UNKNOWN_NODE_TYPE'
  | 'UNKNOWN_KEY'
  | 'FIELD_NOT_FOR_TYPE'
  | 'UNKNOWN_DEPENDENCY'
  | 'SELF_DEPENDENCY'
  | 'DUPLICATE_DEPENDENCY'
  | 'CYCLE'
  | 'CRITICAL_SKIPPABLE'
  | 'INVALID_OUTPUT_KEY'
  | 'DUPLICATE_OUTPUT'
  | 'NO_NODES'
  | 'INVALID_INPUT'
  | 'INVALID_ENV'
  | 'TEMPLATE_NOT_ALLOWED'
  | 'TEMPLATE_IN_QUOTES'
  | 'SECRET_IN_COMMAND'
  | 'EXPRESSION_SYNTAX'
  | 'EXPRESSION_TYPE'
  | 'UNKNOWN_STEP'
  | 'NOT_AN_ANCESTOR'
  | 'UNKNOWN_OUTPUT'
  | 'INVALID_RETRY'
  | 'INVALID_APPROVAL'
  | 'INVALID_CONDITION';

/** One problem found in a runbook document, located by node id and field (never by line: that is the parser's). */
export interface ValidationIssue {
  readonly severity: 'error' | 'warning';
  readonly code: ValidationCode;
  /** One line, human. Names the field, not the node (the caller prefixes `[node.field]`). */
  readonly message: string;
  /** The table key; `runbook` for the metadata table. Absent for problems of the whole document. */
  readonly nodeId?: string;
  readonly field?: string;
}

/** How a check hands over an issue it found. */
export type ReportIssue = (
  severity: ValidationIssue['severity'],
  code: ValidationCode,
  message: string,
  nodeId?: string,
  field?: string,
) => void;
