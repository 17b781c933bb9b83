import type { ExpressionFacts } from './expression-scope.js';
import { CEL_TYPE_OF_INPUT, type InputType } from './input-types.js';
import type { OutputReference, Reference } from './references.js';

// Most templates only name a value: `${{ inputs.env }}`, `${{ steps.build.outputs.image }}`. Their facts are
// known from the names alone, so validation skips the CEL parser for them (a runbook of thousands of nodes
// has thousands of them, each distinct). Anything else — or anything wrong, whose message only the CEL library
// words — is left to the library: this answers only for a name that exists and is read the plain way.

// A dotted path of CEL identifiers, nothing else (no spaces, indexes, calls or operators).
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$/;

// Words CEL's grammar keeps for itself: after a dot they are not field names.
const RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

const RUN_FIELD_TYPES: Readonly<Record<string, string>> = {
  id: 'int',
  workflow: 'string',
  trigger: 'string',
  operator: 'string',
};

const NONE: readonly never[] = Object.freeze([]);

/**
 * The facts of `source` when it is exactly `inputs.<declared>`, `run.<field>`, `steps.<id>.status` or
 * `steps.<id>.outputs.<key>`, as the CEL library would give them (a differential test compares the two);
 * undefined for anything else.
 */
export function referenceFacts(
  source: string,
  inputs: Readonly<Record<string, InputType>>,
): ExpressionFacts | undefined {
  if (!DOTTED_NAME.test(source)) return undefined;
  const names = source.split('.');
  if (names.some((name) => RESERVED.has(name))) return undefined;
  const [root, first, second, third] = names;
  if (first === undefined) return undefined;
  const at = (name: string): Reference => ({ name, offset: 0 });
  const facts = (type: string, reads: Partial<ExpressionFacts>): ExpressionFacts => ({
    source,
    type,
    inputs: NONE,
    steps: NONE,
    run: NONE,
    outputs: NONE,
    ...reads,
  });
  if (root === 'inputs' && names.length === 2) {
    const type = Object.hasOwn(inputs, first) ? inputs[first] : undefined;
    return type === undefined ? undefined : facts(CEL_TYPE_OF_INPUT[type], { inputs: [at(first)] });
  }
  if (root === 'run' && names.length === 2) {
    const type = Object.hasOwn(RUN_FIELD_TYPES, first) ? RUN_FIELD_TYPES[first] : undefined;
    return type === undefined ? undefined : facts(type, { run: [at(first)] });
  }
  if (root === 'steps' && names.length === 3 && second === 'status') {
    return facts('string', { steps: [at(first)] });
  }
  if (root === 'steps' && names.length === 4 && second === 'outputs' && third !== undefined) {
    const output: OutputReference = { step: first, key: third, offset: 0 };
    return facts('string', { steps: [at(first)], outputs: [output] });
  }
  return undefined;
}
