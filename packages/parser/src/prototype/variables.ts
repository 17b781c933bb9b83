import { INPUT_NAME_PATTERN } from '@playbook/domain';
import type { InputType, InputValue } from '@playbook/expressions';
import type { NoteSink } from './import-notes.js';

// The prototype's `[variables]` → `[runbook.inputs]`. A variable is either a bare default (`APP = "x"`) or a table
// `{ default, required, type, choices, description, min, max, pattern }` with types string|int|float|bool|list.

/** An input of the converted runbook. */
export interface ConvertedInput {
  readonly name: string;
  type: InputType;
  default?: InputValue;
  choices?: InputValue[];
  pattern?: string;
  min?: number;
  max?: number;
  description?: string;
  /** `key = value` text of fields without an equivalent, kept as comments. */
  readonly leftovers: string[];
}

/** A variable whose name cannot be an input name: the import stops. */
export interface VariableError {
  readonly name: string;
  readonly message: string;
}

const TYPES: Readonly<Record<string, InputType>> = {
  string: 'string',
  int: 'integer',
  float: 'number',
  bool: 'boolean',
};

const KNOWN = new Set(['default', 'required', 'type', 'choices', 'description', 'min', 'max', 'pattern']);

function inferredType(value: unknown): InputType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'bigint' || (typeof value === 'number' && Number.isInteger(value))) return 'integer';
  if (typeof value === 'number') return 'number';
  return 'string';
}

/**
 * A value converted to an input type the way the prototype's variable manager did (`"300"` → 300, `"yes"` →
 * true), or undefined when it cannot be.
 */
export function toInputValue(value: unknown, type: InputType): InputValue | undefined {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
        return String(value);
      return undefined;
    case 'integer': {
      if (typeof value === 'boolean') return undefined;
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'bigint') return Number(number);
      return typeof number === 'number' && Number.isInteger(number) ? number : undefined;
    }
    case 'number': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number === 'bigint') return Number(number);
      return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
    }
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string') {
        const lower = value.toLowerCase();
        if (['true', '1', 'yes', 'on'].includes(lower)) return true;
        if (['false', '0', 'no', 'off'].includes(lower)) return false;
      }
      return undefined;
  }
}

const show = (value: unknown): string => (typeof value === 'bigint' ? String(value) : JSON.stringify(value));

/** Converts one variable; notes go to `sink` (field paths are the variable's keys). */
export function convertVariable(
  name: string,
  config: unknown,
  sink: NoteSink,
): ConvertedInput | VariableError {
  if (!new RegExp(INPUT_NAME_PATTERN).test(name)) {
    return {
      name,
      message: `the variable name \`${name}\` is not a valid input name here (letters, digits and _ only); rename it in the file and its {{ … }} uses`,
    };
  }
  const table: Record<string, unknown> =
    typeof config === 'object' && config !== null && !Array.isArray(config) && !(config instanceof Date)
      ? (config as Record<string, unknown>)
      : { default: config };
  const input: ConvertedInput = { name, type: 'string', leftovers: [] };
  const declared = typeof table.type === 'string' ? table.type : undefined;
  if (declared === 'list') {
    sink.warning(
      'type',
      'a list variable has no equivalent: it became a string input (give the list as text)',
    );
  } else if (declared !== undefined && TYPES[declared] === undefined) {
    sink.warning('type', `unknown type ${show(declared)}: it became a string input`);
  }
  if (declared !== undefined) input.type = TYPES[declared] ?? 'string';
  else if (table.default !== undefined) input.type = inferredType(table.default);

  if (table.default !== undefined) {
    const value = toInputValue(table.default, input.type);
    if (value === undefined) {
      sink.warning(
        'default',
        `the default ${show(table.default)} is not a ${input.type}: left out, so the input is required`,
      );
    } else input.default = value;
  }
  if (declared === undefined && table.default !== undefined && input.type !== 'string') {
    sink.change(
      'type',
      `type ${input.type}, from the default ${show(table.default)} (the prototype's type defaulted to string)`,
    );
  }
  if (table.default === undefined && table.required !== true) {
    sink.change(
      undefined,
      'an optional variable without a default: the input is required (give it with --var or a vars file)',
    );
  }
  if (Array.isArray(table.choices)) {
    const choices = table.choices.map((choice) => toInputValue(choice, input.type));
    if (choices.some((choice) => choice === undefined))
      sink.warning('choices', `choices that are not all ${input.type} values: left out`);
    else input.choices = choices as InputValue[];
  }
  for (const bound of ['min', 'max'] as const) {
    const value = table[bound];
    if (value === undefined) continue;
    if (
      (input.type === 'integer' || input.type === 'number') &&
      (typeof value === 'number' || typeof value === 'bigint')
    )
      input[bound] = Number(value);
    else sink.warning(bound, `${bound} applies to integer and number inputs only: left out`);
  }
  if (typeof table.pattern === 'string') {
    if (input.type !== 'string') sink.warning('pattern', 'pattern applies to string inputs only: left out');
    else {
      // Python's re.match anchors at the start only; a JavaScript test() anchors nowhere.
      input.pattern = table.pattern.startsWith('^') ? table.pattern : `^(?:${table.pattern})`;
      if (input.pattern !== table.pattern)
        sink.change('pattern', `anchored at the start as Python's re.match did: ${input.pattern}`);
      if (/\(\?P[<=]/.test(table.pattern))
        sink.warning('pattern', 'Python named groups (?P<…>) are not JavaScript: write (?<…>)');
    }
  }
  if (typeof table.description === 'string') input.description = table.description;
  for (const [key, value] of Object.entries(table)) {
    if (KNOWN.has(key)) continue;
    input.leftovers.push(`${key} = ${show(value)}`);
    sink.warning(key, `\`${key}\` has no equivalent: kept as a comment`);
  }
  return input;
}
