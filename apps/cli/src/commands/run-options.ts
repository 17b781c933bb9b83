import { UsageError } from '../clipanion.js';

/** `--set` values: node id → parameter → value, as the engine's `RunOptions.values` takes them. */
export type SetValues = Record<string, Record<string, string>>;

const NODE_ID = /^[A-Za-z0-9_-]+$/;

/** Parses `--set <node>.<param>=<value>` flags; a malformed one is a usage error (exit 2). */
export function parseSetValues(flags: readonly string[]): SetValues {
  const values: SetValues = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq === -1 ? flag : flag.slice(0, eq);
    const dot = key.indexOf('.');
    const node = dot === -1 ? '' : key.slice(0, dot);
    const param = dot === -1 ? '' : key.slice(dot + 1);
    if (eq === -1 || !NODE_ID.test(node) || param === '') {
      throw new UsageError(`--set expects <node>.<param>=<value>, got "${flag}"`);
    }
    values[node] ??= {};
    (values[node] as Record<string, string>)[param] = flag.slice(eq + 1);
  }
  return values;
}

/** Parses `--retries`: a non-negative integer, or a usage error (exit 2). */
export function parseRetries(value: string | undefined): number {
  if (value === undefined) {
    return 0;
  }
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--retries expects a non-negative integer, got "${value}"`);
  }
  return Number(value);
}

/** Parses `--concurrency`: a positive integer, or a usage error (exit 2); undefined when not given. */
export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new UsageError(`--concurrency expects a positive integer (steps at once), got "${value}"`);
  }
  return Number(value);
}

/** Whether an operator may be asked anything: not with `--non-interactive`, nor when `CI` is set (SPEC §2.4). */
export function isInteractive(
  nonInteractiveFlag: boolean,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  if (nonInteractiveFlag) {
    return false;
  }
  const ci = env['CI'];
  // CI=false / CI=0 are how people switch it off again in a shell that exports it.
  return ci === undefined || ci === '' || ['0', 'false'].includes(ci.toLowerCase());
}

/** Quotes a word for a POSIX shell when it needs it, for command lines we suggest to the operator. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
