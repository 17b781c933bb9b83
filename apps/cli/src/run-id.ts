import { UsageError } from './clipanion.js';

/** Parses a positive integer given on the command line, else a usage error naming the flag and what it is. */
export function parsePositiveInteger(value: string, flag: string, what: string): number {
  const trimmed = value.trim();
  const id = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new UsageError(`${flag} must be a positive integer ${what}, got "${value}"`);
  }
  return id;
}

/** Parses a run id given on the command line: a positive integer, else a usage error naming the flag or argument. */
export function parseRunId(value: string, flag = '--run-id'): number {
  return parsePositiveInteger(value, flag, 'run id');
}
