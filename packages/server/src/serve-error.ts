/** Why the server could not start. */
export type ServeErrorCode = 'TLS_REQUIRED' | 'ADDRESS_IN_USE' | 'ADDRESS_UNAVAILABLE';

/** The server could not start; `code` says why, the message says it in one line. */
export class ServeError extends Error {
  override readonly name = 'ServeError';

  constructor(
    message: string,
    readonly code: ServeErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
