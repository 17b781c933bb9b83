export type { InputType, InputValue } from '@playbook/expressions';
export type { CreatedAtResult } from './created-at.js';
export { describeValue, normaliseCreatedAt } from './created-at.js';
export type { DependencyCycle, DependencyDeclaration } from './dependency-graph.js';
export { buildDependencyGraph, findDependencyCycles } from './dependency-graph.js';
export { editDistance, suggestKey } from './did-you-mean.js';
export type { FieldSpec } from './file-schema.js';
export {
  ALL_NODE_KEYS,
  COMMON_NODE_FIELDS,
  CommandNodeTableSchema,
  ENV_NAME_PATTERN,
  FunctionNodeTableSchema,
  INPUT_FIELDS,
  INPUT_NAME_PATTERN,
  InputTableSchema,
  ManualNodeTableSchema,
  NODE_ID_PATTERN,
  NODE_TYPES,
  NodeTableSchema,
  RUN_IF_VALUES,
  RUNBOOK_FIELDS,
  RUNBOOK_TABLE,
  RunbookFileSchema,
  RunbookTableSchema,
  TYPE_FIELDS,
} from './file-schema.js';
export { formatDuration } from './format-duration.js';
export type { InputValueResult } from './input-values.js';
export { checkInputValue, MIN_SECRET_LENGTH } from './input-values.js';
export { JSON_SCHEMA_PATH, renderRunbookJsonSchema, runbookJsonSchema } from './json-schema.js';
export type { OutputLog, OutputLogLine } from './output-log.js';
export type {
  ApprovalRecord,
  AttemptKey,
  AttemptRecord,
  AttemptStatus,
  NodeStatus,
  OperatorIdentity,
  RunKey,
  RunOwner,
  RunRecord,
  RunState,
  RunStatus,
  RunTrigger,
  SessionInput,
  SessionKind,
  SessionRecord,
  StoredInputValue,
  WhatRan,
} from './run-records.js';
export type {
  ApprovalPolicy,
  CommandNode,
  FunctionNode,
  ManualNode,
  NodeBase,
  NodeType,
  RetryPolicy,
  Runbook,
  RunbookInput,
  RunbookMeta,
  RunbookNode,
  RunbookSource,
  RunIf,
} from './runbook.js';
export { ASK_PLACEHOLDER, ASK_SECRET_PLACEHOLDER } from './runbook.js';
export { Sha256, sha256Hex } from './sha256.js';
export {
  describeBytes,
  invalidOutputKey,
  isOutputKey,
  MANUAL_NOTE_OUTPUT,
  MAX_ATTEMPT_OUTPUTS_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  missingOutputs,
  OUTPUT_KEY_PATTERN,
  outputsProblem,
  outputsTooLarge,
  outputTooLarge,
  utf8Length,
} from './step-outputs.js';
export type { ValidateOptions, ValidationResult } from './validate-runbook.js';
export { validateRunbookDocument } from './validate-runbook.js';
export type { ValidationCode, ValidationIssue } from './validation-issue.js';
