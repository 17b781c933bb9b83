/** Why a state database could not be used. */
export type StateDatabaseErrorCode = 'NEWER_SCHEMA' | 'NOT_A_DATABASE' | 'OPEN_FAILED';

/** A state database that cannot be reached or used, with a one-line message naming it (password hidden). */
export class StateDatabaseError extends Error {
  override readonly name = 'StateDatabaseError';
  readonly code: StateDatabaseErrorCode;
  /** The database URL, without its password. */
  readonly url: string;

  constructor(code: StateDatabaseErrorCode, url: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.url = url;
  }
}
