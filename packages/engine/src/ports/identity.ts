import type { OperatorIdentity } from '@playbook/domain';

// The records of who did what live with the other run records in @playbook/domain.
export type { OperatorIdentity, SessionInput, SessionKind, SessionRecord, WhatRan } from '@playbook/domain';

/** The identity used when none is given: nobody claimed, the OS user unknown. */
export function unknownIdentity(host: string): OperatorIdentity {
  return { operator: null, osUser: `unknown@${host}` };
}
