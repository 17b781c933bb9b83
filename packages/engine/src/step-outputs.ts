import {
  isOutputKey,
  MAX_ATTEMPT_OUTPUTS_BYTES,
  MAX_OUTPUT_VALUE_BYTES,
  missingOutputs,
  outputsProblem,
  type RunbookNode,
  utf8Length,
} from '@playbook/domain';
import type { AttemptResult } from './attempt-context.js';
import type { SecretMasker } from './secret-masker.js';

/**
 * A function's returned value as step outputs (SPEC §8.3): the top-level keys of a plain object (not an array,
 * a Date, a class instance), strings as they are and other values as JSON; a key whose value has no JSON form
 * (a function, undefined) gives none. Anything else returned gives no outputs.
 */
export function functionOutputs(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const entries: [string, string][] = [];
  for (const [key, item] of Object.entries(value)) {
    const text = typeof item === 'string' ? item : asJson(item);
    if (text !== undefined) entries.push([key, text]);
  }
  // fromEntries, not assignment: a key `__proto__` must stay a key.
  return Object.fromEntries(entries);
}

function asJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    // BigInts and cycles have no JSON form.
    return String(value);
  }
}

/** An attempt's outputs as they are kept: in memory for the steps after it, in storage without secret ones. */
export interface SettledOutputs {
  readonly result: AttemptResult;
  /** Every output, secret ones included: what the steps after it read in this session. */
  readonly outputs: Readonly<Record<string, string>>;
  /** The keys of the secret outputs produced: stored to show that they exist, never with their values. */
  readonly secretKeys: readonly string[];
  /** What may be stored: `outputs` without the secret ones. */
  readonly stored: Readonly<Record<string, string>>;
}

/**
 * Applies the rules of SPEC §8.3 to what an attempt produced. A key that is not a name, a value over 64 KiB or
 * outputs over 1 MiB end the attempt `nok` naming the key (never truncated); so does an attempt that would end
 * `ok` without one of the node's declared outputs. A Function or Manual node that declares no outputs is a
 * runbook written before outputs existed: what it returns keeps working as it did — keys that are not names and
 * values over the caps are left out of its outputs, instead of failing it.
 *
 * The values of the node's secret outputs join the run's secrets in `masker` before anything of the attempt is
 * kept or told: its captured output is masked again (a command that printed its token), and so is every other
 * output's value (one that holds a secret of the run). A secret output's value itself stays as it is, for the
 * steps after it; only its key is stored.
 */
export function settleOutputs(
  node: RunbookNode,
  result: AttemptResult,
  masker: SecretMasker,
): SettledOutputs {
  const produced = result.outputs ?? {};
  const declares = node.outputs !== undefined || node.secretOutputs !== undefined;
  let outputs: Readonly<Record<string, string>>;
  let failed: string | undefined;
  if (node.type === 'Command' || declares) {
    failed = outputsProblem(produced);
    outputs = failed === undefined ? produced : {};
  } else {
    outputs = usableOutputs(produced);
  }
  if (failed === undefined && result.status === 'ok') {
    const missing = missingOutputs(node, outputs);
    if (missing.length > 0) {
      const names = missing.map((key) => `"${key}"`).join(', ');
      failed = `declared output${missing.length === 1 ? '' : 's'} ${names} not produced`;
    }
  }
  const secretKeys = new Set(node.secretOutputs ?? []);
  const producedSecrets: string[] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (!secretKeys.has(key)) continue;
    masker.add(value);
    producedSecrets.push(key);
  }
  const kept: [string, string][] = [];
  const stored: [string, string][] = [];
  for (const [key, value] of Object.entries(outputs)) {
    if (secretKeys.has(key)) {
      kept.push([key, value]);
    } else {
      const masked = masker.mask(value);
      kept.push([key, masked]);
      stored.push([key, masked]);
    }
  }
  const { outputs: _raw, ...rest } = result;
  const settled: AttemptResult = {
    ...rest,
    ...(failed === undefined
      ? {}
      : {
          status: 'nok',
          reason: result.status === 'nok' ? (result.reason ?? failed) : failed,
          // Stored with the attempt, so that `show`, `logs` and `report` say why a step whose command exited 0
          // is `nok` (the terminal line alone is lost once the run ends).
          exception: result.exception ?? failed,
        }),
    ...(producedSecrets.length === 0 || result.stdout == null ? {} : { stdout: masker.mask(result.stdout) }),
    ...(producedSecrets.length === 0 || result.stderr == null ? {} : { stderr: masker.mask(result.stderr) }),
  };
  return {
    result: settled,
    outputs: Object.fromEntries(kept),
    secretKeys: producedSecrets,
    stored: Object.fromEntries(stored),
  };
}

/** The outputs that follow the rules, in order, up to the total cap: for nodes that predate outputs. */
function usableOutputs(produced: Readonly<Record<string, string>>): Record<string, string> {
  const kept: [string, string][] = [];
  let total = 0;
  for (const [key, value] of Object.entries(produced)) {
    if (!isOutputKey(key)) continue;
    const size = utf8Length(value);
    if (size > MAX_OUTPUT_VALUE_BYTES) continue;
    if (total + utf8Length(key) + size > MAX_ATTEMPT_OUTPUTS_BYTES) break;
    total += utf8Length(key) + size;
    kept.push([key, value]);
  }
  return Object.fromEntries(kept);
}
