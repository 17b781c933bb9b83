// The light entry: what every command may load (types, the template scanner, errors). The CEL library and the
// shell lexer are behind `@playbook/expressions/cel`, imported only where a runbook has templates.
export type { CompiledTemplate } from './compiled-template.js';
export type { ExpressionErrorCode } from './expression-error.js';
export { ExpressionError } from './expression-error.js';
export type {
  CompiledExpression,
  ExpressionFacts,
  ExpressionScope,
  ExpressionValues,
  RunValue,
} from './expression-scope.js';
export type { InputType, InputValue } from './input-types.js';
export { CEL_TYPE_OF_INPUT, INPUT_TYPES } from './input-types.js';
export type { OutputReference, Reference } from './references.js';
export type { StepValue } from './step-value.js';
export { stepValue } from './step-value.js';
export type { TemplatePart } from './template.js';
export { hasExpression, mayHoldTemplate, parseTemplate, wholeExpression } from './template.js';
