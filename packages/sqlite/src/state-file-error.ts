import { StateStoreError, type StateStoreErrorCode } from '@playbook/sql-store';

/**
 * Why a state file could not be used: the codes every store gives (`StateStoreErrorCode`, see there), and
 * `NOT_A_FILE`: the path is a folder, a FIFO, a device or a socket — only a regular file (or nothing) is used.
 */
export type StateFileErrorCode = StateStoreErrorCode | 'NOT_A_FILE';

/** A state file that cannot be opened or used, with a one-line message naming it. */
export class StateFileError extends StateStoreError<StateFileErrorCode> {
  override readonly name = 'StateFileError';

  /** The state file, as the caller gave it. */
  get path(): string {
    return this.location;
  }
}
