import { hostname, userInfo } from 'node:os';
import type { OperatorIdentity } from '../ports/identity.js';

/**
 * This process's identity (SPEC §10.1): the claimed operator as given (an empty name claims nobody), and the OS
 * account as `<user>@<host>`. An account without a name in the password database (a container's arbitrary
 * uid) is written as its uid.
 */
export function osIdentity(operator?: string | null): OperatorIdentity {
  const claimed = operator?.trim() ?? '';
  return { operator: claimed === '' ? null : claimed, osUser: `${osUserName()}@${hostname()}` };
}

function osUserName(): string {
  try {
    return userInfo().username;
  } catch {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
    return uid === undefined ? 'unknown' : `uid${uid}`;
  }
}
