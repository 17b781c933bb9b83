import type { InputType, InputValue } from '@playbook/expressions';
import { describeValue } from './created-at.js';
import { suggestKey } from './did-you-mean.js';
import { type FieldSpec, INPUT_FIELDS, INPUT_NAME_PATTERN } from './file-schema.js';
import { checkInputValue, compilePattern, MIN_SECRET_LENGTH } from './input-values.js';
import type { RunbookInput } from './runbook.js';
import type { ValidationCode, ValidationIssue } from './validation-issue.js';

type Report = (
  severity: ValidationIssue['severity'],
  code: ValidationCode,
  message: string,
  nodeId?: string,
  field?: string,
) => void;

type Table = Record<string, unknown>;

const INPUT_NAME = new RegExp(INPUT_NAME_PATTERN);
const INPUT_KEYS = Object.keys(INPUT_FIELDS);
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * Validates `[runbook.inputs]` (SPEC §8.1): each input's fields, and that its default passes its own type,
 * choices, pattern and range. Problems are reported on the `runbook` table with the field
 * `inputs.<name>.<key>`. Returns the inputs in declaration order, or undefined when one is invalid.
 */
export function validateInputs(
  value: unknown,
  report: Report,
  matches: (spec: FieldSpec, value: unknown) => boolean,
): RunbookInput[] | undefined {
  if (!isTable(value)) {
    report(
      'error',
      'INVALID_VALUE',
      `\`inputs\` must be a table of inputs ([runbook.inputs.<name>]), not ${describeValue(value)}`,
      'runbook',
      'inputs',
    );
    return undefined;
  }
  const inputs: RunbookInput[] = [];
  let valid = true;
  for (const [name, table] of Object.entries(value)) {
    const input = validateInput(name, table, report, matches);
    if (input === undefined) valid = false;
    else inputs.push(input);
  }
  return valid ? inputs : undefined;
}

function validateInput(
  name: string,
  table: unknown,
  report: Report,
  matches: (spec: FieldSpec, value: unknown) => boolean,
): RunbookInput | undefined {
  const where = `inputs.${name}`;
  const problem = (message: string, key?: string, code: ValidationCode = 'INVALID_INPUT') => {
    report('error', code, message, 'runbook', key === undefined ? where : `${where}.${key}`);
  };
  if (!INPUT_NAME.test(name)) {
    problem(`input name ${JSON.stringify(name)} may only contain letters, digits and \`_\``);
    return undefined;
  }
  if (!isTable(table)) {
    problem(`input \`${name}\` must be a table ([runbook.inputs.${name}]), not ${describeValue(table)}`);
    return undefined;
  }
  let valid = true;
  for (const [key, spec] of Object.entries(INPUT_FIELDS) as [string, FieldSpec][]) {
    const raw = table[key];
    if (raw !== undefined && !matches(spec, raw)) {
      problem(`\`${key}\` must be ${spec.expected}, not ${describeValue(raw)}`, key, 'INVALID_VALUE');
      valid = false;
    }
  }
  for (const key of Object.keys(table)) {
    if (Object.hasOwn(INPUT_FIELDS, key)) continue;
    const hint = suggestKey(key, INPUT_KEYS);
    report(
      'warning',
      'UNKNOWN_KEY',
      `unknown key \`${key}\` in input \`${name}\`${hint === undefined ? '' : ` (did you mean \`${hint}\`?)`}`,
      'runbook',
      `${where}.${key}`,
    );
  }
  if (!valid) return undefined;

  const type = (table['type'] as InputType | undefined) ?? 'string';
  const secret = table['secret'] === true;
  const input: { -readonly [K in keyof RunbookInput]: RunbookInput[K] } = { name, type, secret };
  if (table['description'] !== undefined) input.description = table['description'] as string;
  if (secret && type !== 'string') {
    problem(`a secret input is a string, not ${type}`, 'secret');
    valid = false;
  }
  const pattern = table['pattern'] as string | undefined;
  if (pattern !== undefined) {
    if (type !== 'string') {
      problem(`\`pattern\` applies to string inputs only (this one is ${type})`, 'pattern');
      valid = false;
    } else if (compilePattern(pattern) === undefined) {
      problem(`\`pattern\` is not a valid JavaScript regular expression: /${pattern}/`, 'pattern');
      valid = false;
    } else input.pattern = pattern;
  }
  for (const bound of ['min', 'max'] as const) {
    const limit = table[bound] as number | undefined;
    if (limit === undefined) continue;
    if (type !== 'integer' && type !== 'number') {
      problem(`\`${bound}\` applies to integer and number inputs only (this one is ${type})`, bound);
      valid = false;
    } else input[bound] = limit;
  }
  if (input.min !== undefined && input.max !== undefined && input.min > input.max) {
    problem(`\`min\` (${input.min}) is more than \`max\` (${input.max})`, 'min');
    valid = false;
  }
  const choices = table['choices'] as InputValue[] | undefined;
  if (choices !== undefined && choices.length === 0) {
    problem('`choices` must list at least one value', 'choices');
    valid = false;
  } else if (choices !== undefined) {
    const plain: RunbookInput = { name, type, secret };
    const bad = choices.find((choice) => !checkInputValue(plain, choice, false).ok);
    if (bad !== undefined) {
      problem(
        `every choice must be a${type === 'integer' ? 'n' : ''} ${type}, not ${describeValue(bad)}`,
        'choices',
      );
      valid = false;
    } else input.choices = choices;
  }
  if (!valid) return undefined;
  const fallback = table['default'];
  if (fallback !== undefined) {
    const checked = checkInputValue(input, fallback, false);
    if (!checked.ok) {
      const reason =
        secret && typeof fallback === 'string' && fallback.length < MIN_SECRET_LENGTH
          ? `a secret's default must have at least ${MIN_SECRET_LENGTH} characters`
          : checked.reason;
      problem(`the default fails its own rules: ${reason}`, 'default');
      return undefined;
    }
    input.default = checked.value;
  }
  return input;
}
