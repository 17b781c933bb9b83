import { StateStoreError, type StateStoreErrorCode } from '@playbook/sql-store';

/** Why a state database could not be used (see `StateStoreErrorCode`). */
export type StateDatabaseErrorCode = Extract<
  StateStoreErrorCode,
  'NEWER_SCHEMA' | 'NOT_A_DATABASE' | 'OPEN_FAILED'
>;

/** A state database that cannot be reached or used, with a one-line message naming it (password hidden). */
export class StateDatabaseError extends StateStoreError<StateDatabaseErrorCode> {
  override readonly name = 'StateDatabaseError';

  /** The database URL, without its password. */
  get url(): string {
    return this.location;
  }
}
