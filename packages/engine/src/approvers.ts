// Who counts as whom at an approval gate (SPEC §10.1, §10.2): one place, so that the engine's checks, the stores'
// one-decision-per-person rule and what `show` prints agree.

import type { OperatorIdentity } from '@playbook/domain';

/**
 * The person an identity decides as: the claimed operator, or without one the OS user, each without any
 * `@<host>` — a claimed name matches `alice` or `alice@<any host>` (SPEC §10.1), so `alice@laptop` and
 * `alice@db-1` are one person, who gets one decision. Null when nothing names anyone.
 */
export function operatorName(by: OperatorIdentity | null | undefined): string | null {
  if (by == null) return null;
  const claimed = by.operator?.trim() ?? '';
  const name = withoutHost(claimed !== '' ? claimed : by.osUser);
  return name === '' ? null : name;
}

/** Whether the person `name` (from `operatorName`) is `approver` as a runbook lists it (`alice` or `alice@host`). */
export function approverMatches(approver: string, name: string): boolean {
  return withoutHost(approver) === name;
}

function withoutHost(name: string): string {
  const at = name.indexOf('@');
  return (at < 0 ? name : name.slice(0, at)).trim();
}
