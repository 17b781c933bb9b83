export type { CompiledTemplate } from './compiled-template.js';
export { compileTemplate } from './compiled-template.js';
export type { ExpressionErrorCode } from './expression-error.js';
export { ExpressionError } from './expression-error.js';
export type {
  CompiledExpression,
  ExpressionScope,
  ExpressionValues,
  RunValue,
  StepValue,
} from './expression-scope.js';
export { createExpressionScope, stepValue } from './expression-scope.js';
export type { InputType, InputValue } from './input-types.js';
export { CEL_TYPE_OF_INPUT, INPUT_TYPES } from './input-types.js';
export type { Reference } from './references.js';
export { renderValue, toPlain } from './render-value.js';
export { shellQuote, templatesInShellQuotes } from './shell-words.js';
export type { TemplatePart } from './template.js';
export { hasExpression, mayHoldTemplate, parseTemplate, wholeExpression } from './template.js';
