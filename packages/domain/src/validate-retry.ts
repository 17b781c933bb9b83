import { describeValue } from './created-at.js';
import { suggestKey } from './did-you-mean.js';
import type { NodeType, RetryPolicy } from './runbook.js';
import type { ReportIssue } from './validation-issue.js';

const RETRY_KEYS = ['attempts', 'delay', 'backoff', 'exit_codes'] as const;

const isTable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const shown = (value: unknown): string =>
  typeof value === 'number' || typeof value === 'boolean' ? String(value) : describeValue(value);

/**
 * Checks a Command or Function node's `retry` table (SPEC §8.4), each key with its own message located at
 * `retry.<key>`, and maps it with its defaults (delay 0, backoff 1). Undefined when it is invalid (reported).
 */
export function checkRetry(
  nodeId: string,
  type: NodeType,
  value: unknown,
  report: ReportIssue,
): RetryPolicy | undefined {
  const problem = (field: string, message: string) =>
    report('error', 'INVALID_RETRY', message, nodeId, `retry${field === '' ? '' : `.${field}`}`);
  if (!isTable(value)) {
    problem('', `\`retry\` must be a table { attempts = 3, delay = 5, backoff = 2.0 }, not ${shown(value)}`);
    return undefined;
  }
  let valid = true;
  const fail = (field: string, message: string) => {
    problem(field, message);
    valid = false;
  };
  const { attempts, delay, backoff } = value;
  const exitCodes = value['exit_codes'];
  if (attempts === undefined) {
    fail(
      '',
      '`retry` needs `attempts`: how many tries in all, the first included (3 = the first and two retries)',
    );
  } else if (!isNumber(attempts) || !Number.isInteger(attempts) || attempts < 0) {
    fail('attempts', `\`retry.attempts\` must be a whole number ≥ 0 (tries in all), not ${shown(attempts)}`);
  }
  if (delay !== undefined && (!isNumber(delay) || delay < 0)) {
    fail('delay', `\`retry.delay\` must be a number of seconds ≥ 0, not ${shown(delay)}`);
  }
  if (backoff !== undefined && (!isNumber(backoff) || backoff < 1)) {
    fail(
      'backoff',
      `\`retry.backoff\` must be a number ≥ 1 (the delay's factor after each try), not ${shown(backoff)}`,
    );
  }
  if (exitCodes !== undefined) {
    if (type !== 'Command') {
      fail('exit_codes', '`retry.exit_codes` is for Command nodes only (a function has no exit code)');
    } else if (!Array.isArray(exitCodes)) {
      fail(
        'exit_codes',
        `\`retry.exit_codes\` must be a list of exit codes (1–255), not ${shown(exitCodes)}`,
      );
    } else {
      const bad = exitCodes.find(
        (code) => !isNumber(code) || !Number.isInteger(code) || code < 1 || code > 255,
      );
      if (bad !== undefined || exitCodes.length === 0) {
        fail(
          'exit_codes',
          bad === undefined
            ? '`retry.exit_codes` must list at least one exit code (1–255); leave it out to retry any failure'
            : `\`retry.exit_codes\` holds ${shown(bad)}: an exit code to retry is a whole number from 1 to 255`,
        );
      }
    }
  }
  for (const key of Object.keys(value)) {
    if ((RETRY_KEYS as readonly string[]).includes(key)) continue;
    const hint = suggestKey(key, RETRY_KEYS);
    report(
      'warning',
      'UNKNOWN_KEY',
      `unknown key \`${key}\` in \`retry\`${hint === undefined ? '' : ` (did you mean \`${hint}\`?)`}`,
      nodeId,
      `retry.${key}`,
    );
  }
  if (!valid) return undefined;
  const policy: { attempts: number; delay: number; backoff: number; exitCodes?: readonly number[] } = {
    attempts: attempts as number,
    delay: (delay as number | undefined) ?? 0,
    backoff: (backoff as number | undefined) ?? 1,
  };
  if (exitCodes !== undefined) policy.exitCodes = [...new Set(exitCodes as number[])];
  return policy;
}
