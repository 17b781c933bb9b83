import { describeValue } from './created-at.js';
import { suggestKey } from './did-you-mean.js';
import type { ApprovalPolicy } from './runbook.js';
import type { ReportIssue } from './validation-issue.js';

const APPROVAL_KEYS = ['approvers', 'min', 'not_starter'] as const;

const isTable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
const shown = (value: unknown): string =>
  typeof value === 'number' || typeof value === 'boolean' ? String(value) : describeValue(value);

/**
 * Checks a Manual node's `approval` table (SPEC §10.2), each key with its own message located at
 * `approval.<key>`, and maps it with its defaults (min 1, not_starter false). Undefined when it is invalid
 * (reported).
 */
export function checkApproval(
  nodeId: string,
  value: unknown,
  report: ReportIssue,
): ApprovalPolicy | undefined {
  const problem = (field: string, message: string) =>
    report('error', 'INVALID_APPROVAL', message, nodeId, `approval${field === '' ? '' : `.${field}`}`);
  if (!isTable(value)) {
    problem(
      '',
      `\`approval\` must be a table { approvers = ["alice", "bob"], min = 1 }, not ${shown(value)}`,
    );
    return undefined;
  }
  let valid = true;
  const fail = (field: string, message: string) => {
    problem(field, message);
    valid = false;
  };
  const { approvers, min } = value;
  const notStarter = value['not_starter'];
  let names: string[] = [];
  if (approvers === undefined) {
    fail('', '`approval` needs `approvers`: the operators who may approve, e.g. ["alice", "bob"]');
  } else if (!Array.isArray(approvers) || approvers.length === 0) {
    fail(
      'approvers',
      `\`approval.approvers\` must be a non-empty list of operator names, not ${shown(approvers)}`,
    );
  } else {
    const bad = approvers.find(
      (name) => typeof name !== 'string' || name.trim() === '' || name !== name.trim(),
    );
    if (bad !== undefined) {
      fail(
        'approvers',
        `\`approval.approvers\` holds ${shown(bad)}: each approver is an operator name such as "alice"`,
      );
    } else {
      names = [...new Set(approvers as string[])];
    }
  }
  if (min !== undefined) {
    if (typeof min !== 'number' || !Number.isInteger(min) || min < 1) {
      fail('min', `\`approval.min\` must be a whole number ≥ 1 (approvals needed), not ${shown(min)}`);
    } else if (names.length > 0 && min > names.length) {
      fail(
        'min',
        `\`approval.min\` is ${min} but only ${names.length} approver${names.length === 1 ? ' is' : 's are'} listed: the gate could never open`,
      );
    }
  }
  if (notStarter !== undefined && typeof notStarter !== 'boolean') {
    fail('not_starter', `\`approval.not_starter\` must be true or false, not ${shown(notStarter)}`);
  }
  for (const key of Object.keys(value)) {
    if ((APPROVAL_KEYS as readonly string[]).includes(key)) continue;
    const hint = suggestKey(key, APPROVAL_KEYS);
    report(
      'warning',
      'UNKNOWN_KEY',
      `unknown key \`${key}\` in \`approval\`${hint === undefined ? '' : ` (did you mean \`${hint}\`?)`}`,
      nodeId,
      `approval.${key}`,
    );
  }
  if (!valid) return undefined;
  return { approvers: names, min: (min as number | undefined) ?? 1, notStarter: notStarter === true };
}
