import type { OperatorIdentity } from './run-records.js';

/**
 * An identity as the history's views (`show`, the report, the web view) print it: `alice (ops@host1, db playbook)`, or the OS user
 * alone when no operator was claimed. `short` leaves out the database role.
 */
export function formatIdentity(identity: OperatorIdentity, options: { short?: boolean } = {}): string {
  const details = [identity.osUser];
  if (options.short !== true && identity.dbUser != null) details.push(`db ${identity.dbUser}`);
  if (identity.operator === null) return details.join(', ');
  return `${identity.operator} (${details.join(', ')})`;
}
