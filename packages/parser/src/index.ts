export type { KeyLocations, SourcePosition } from './key-locator.js';
export { locateKeys } from './key-locator.js';
export type { RunbookText } from './load-runbook.js';
export {
  loadRunbook,
  MAX_RUNBOOK_BYTES,
  parseRunbookText,
  RUNBOOK_EXTENSION,
  readRunbookText,
} from './load-runbook.js';
export { parseRunbook } from './parse-runbook.js';
export type { FunctionReference, ParseResult, Problem } from './problem.js';
export { formatProblem } from './problem.js';
