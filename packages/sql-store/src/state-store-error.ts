/**
 * Why a run history could not be used. Each adapter's error narrows it to the codes it gives.
 * - `NOT_A_DATABASE`: the file or schema is not a Playbook history (another application's, damaged).
 * - `NEWER_SCHEMA`: written by a newer Playbook; refused, never altered.
 * - `UNWRITABLE`: it cannot be written (permissions, a read-only file system).
 * - `OPEN_FAILED`: it cannot be opened or reached, or is too old to read without upgrading it.
 * - `QUERY_FAILED`: a read or write failed once it was open (a full disk, an I/O error, a lock held too long).
 */
export type StateStoreErrorCode =
  | 'NOT_A_DATABASE'
  | 'NEWER_SCHEMA'
  | 'UNWRITABLE'
  | 'OPEN_FAILED'
  | 'QUERY_FAILED';

/** A run history that cannot be opened or used, with a one-line message naming where it is. */
export class StateStoreError<Code extends string = StateStoreErrorCode> extends Error {
  override readonly name: string = 'StateStoreError';
  readonly code: Code;
  /** Where the history is: a file's path as the caller gave it, or a database URL without its password. */
  readonly location: string;

  constructor(code: Code, location: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.location = location;
  }
}

/** The first line of an error's message: drivers' messages may go on with details the operator does not need. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
