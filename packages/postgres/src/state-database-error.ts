import { StateStoreError, type StateStoreErrorCode } from '@playbook/sql-store';

/**
 * Why a state database could not be used (see `StateStoreErrorCode`). `QUERY_FAILED` here: the server
 * could not be reached or the connection was lost once the history was open (it stopped, restarted, the
 * network broke).
 */
export type StateDatabaseErrorCode = Extract<
  StateStoreErrorCode,
  'NEWER_SCHEMA' | 'NOT_A_DATABASE' | 'OPEN_FAILED' | 'QUERY_FAILED'
>;

/** A state database that cannot be reached or used, with a one-line message naming it (password hidden). */
export class StateDatabaseError extends StateStoreError<StateDatabaseErrorCode> {
  override readonly name = 'StateDatabaseError';

  /** The database URL, without its password. */
  get url(): string {
    return this.location;
  }
}

/** The first line of an error's message; for an AggregateError (every address refused), its first part's. */
export function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n')[0] ?? message;
  if (first === '' && error instanceof AggregateError) return messageOf(error.errors[0]);
  return first === '' ? String((error as { code?: unknown }).code ?? 'unknown error') : first;
}
