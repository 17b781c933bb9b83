/** Why a state file could not be used. */
export type StateFileErrorCode =
  | 'NOT_A_DATABASE'
  | 'NEWER_SCHEMA'
  | 'UNWRITABLE'
  | 'OPEN_FAILED'
  /** The path is a folder, a FIFO, a device or a socket: only a regular file (or nothing) is used. */
  | 'NOT_A_FILE';

/** A state file that cannot be opened or used, with a one-line message naming it. */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  readonly code: StateFileErrorCode;
  /** The state file, as the caller gave it. */
  readonly path: string;

  constructor(code: StateFileErrorCode, path: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.path = path;
  }
}
