import type { InputValue } from '@playbook/expressions';
import type { RunbookInput } from './runbook.js';

/** The shortest secret value: a shorter one cannot be masked without destroying the output around it. */
export const MIN_SECRET_LENGTH = 4;

/** A value converted to its input's type and checked, or why it is not acceptable (completes "… value: "). */
export type InputValueResult =
  | { readonly ok: true; readonly value: InputValue }
  | { readonly ok: false; readonly reason: string };

/**
 * Converts a given value to the input's type and checks it (type, choices, pattern, min/max, the length of a
 * secret). `text: true` for values typed or given as text (`--var`, the environment, a prompt): `"3"` is then
 * the integer 3. A value from a file (a default, a vars file) must already have the type — except that a string
 * from a vars file is read as text too (a flat `KEY = "3"` file serves runbooks of any input type).
 */
export function checkInputValue(input: RunbookInput, raw: unknown, text: boolean): InputValueResult {
  const converted = convert(input, raw, text);
  if (!converted.ok) return converted;
  const value = converted.value;
  if (input.choices !== undefined && !input.choices.some((choice) => choice === value)) {
    return fail(
      input.secret
        ? 'the value is not one of the choices'
        : `${show(value)} is not one of ${input.choices.map((choice) => show(choice)).join(', ')}`,
    );
  }
  if (typeof value === 'string') {
    if (input.pattern !== undefined) {
      const pattern = compilePattern(input.pattern);
      if (pattern !== undefined && !pattern.test(value)) {
        return fail(`${show(value, input.secret)} does not match the pattern /${input.pattern}/`);
      }
    }
    if (input.secret && value.length < MIN_SECRET_LENGTH) {
      return fail(
        `a secret must have at least ${MIN_SECRET_LENGTH} characters (a shorter one cannot be masked in output)`,
      );
    }
  }
  if (typeof value === 'number') {
    if (input.min !== undefined && value < input.min)
      return fail(`${value} is less than the minimum ${input.min}`);
    if (input.max !== undefined && value > input.max)
      return fail(`${value} is more than the maximum ${input.max}`);
  }
  return { ok: true, value };
}

/** The pattern as a RegExp, or undefined when it is not a valid JavaScript regular expression. */
export function compilePattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

function convert(input: RunbookInput, raw: unknown, text: boolean): InputValueResult {
  const asText = typeof raw === 'string' && (text || input.type !== 'string');
  switch (input.type) {
    case 'string':
      // A secret's value is never shown, even one of the wrong type (a token a JSON vars file holds as a number).
      return typeof raw === 'string'
        ? { ok: true, value: raw }
        : fail(`expected a string, not ${input.secret ? kindOf(raw) : show(raw)}`);
    case 'integer': {
      if (asText) {
        const trimmed = (raw as string).trim();
        if (!/^[-+]?\d+$/.test(trimmed)) return fail(`expected an integer, not ${show(raw)}`);
        return safeInteger(Number(trimmed), raw);
      }
      if (typeof raw === 'number' && Number.isInteger(raw)) return safeInteger(raw, raw);
      return fail(`expected an integer, not ${show(raw)}`);
    }
    case 'number': {
      if (asText) {
        const trimmed = (raw as string).trim();
        const value = Number(trimmed);
        if (trimmed === '' || !Number.isFinite(value)) return fail(`expected a number, not ${show(raw)}`);
        return { ok: true, value };
      }
      if (typeof raw === 'number' && Number.isFinite(raw)) return { ok: true, value: raw };
      return fail(`expected a number, not ${show(raw)}`);
    }
    case 'boolean': {
      if (asText) {
        const word = (raw as string).trim().toLowerCase();
        if (word === 'true') return { ok: true, value: true };
        if (word === 'false') return { ok: true, value: false };
        return fail(`expected true or false, not ${show(raw)}`);
      }
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      return fail(`expected true or false, not ${show(raw)}`);
    }
  }
}

function safeInteger(value: number, raw: unknown): InputValueResult {
  return Number.isSafeInteger(value)
    ? { ok: true, value }
    : fail(`${show(raw)} is too large (integers go up to ${Number.MAX_SAFE_INTEGER})`);
}

function fail(reason: string): InputValueResult {
  return { ok: false, reason };
}

/** What kind of value it is, without the value: for a secret's. */
function kindOf(value: unknown): string {
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'true or false';
  return show(value, typeof value === 'string');
}

/** A value for a message; a secret's value is never shown. */
function show(value: unknown, secret = false): string {
  if (secret) return 'the value';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return 'a date';
  if (Array.isArray(value)) return 'a list';
  if (value === null || value === undefined) return 'nothing';
  return 'a table';
}
