// `@playbook/expressions/cel`: compiling and rendering, with the CEL library (@marcbachmann/cel-js) and the shell
// lexer (shell-quote). Load it with `await import(…)` only when a runbook has templates: a runbook without any
// never pays for it.
export { checkTemplate, compileTemplate } from './compiled-template.js';
export { createExpressionScope } from './expression-scope.js';
export { renderValue, toPlain } from './render-value.js';
export { shellQuote, templatesInShellQuotes } from './shell-words.js';

/** This module's exports, for code that receives it from a dynamic import. */
export type ExpressionsModule = typeof import('./cel.js');
