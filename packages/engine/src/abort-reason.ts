import { EngineError } from './engine-error.js';

/**
 * Refuses to begin when the caller's signal is already aborted: an interrupt that came first must not create a
 * run (or take one over) only to end it `aborted` at once. The abort reason is the error's `cause`.
 */
export function refuseIfAborted(signal: AbortSignal | undefined, workflowName: string, runId?: number): void {
  if (signal === undefined || !signal.aborted) return;
  const reason = abortReasonText(signal.reason);
  throw new EngineError(
    'ABORTED',
    `the run was not ${runId === undefined ? 'started' : 'resumed'}: its signal was already aborted${reason === null ? '' : ` (${reason})`}`,
    { workflowName, ...(runId === undefined ? {} : { runId }), cause: signal.reason },
  );
}

/**
 * The abort reason as one line for the record, or null for none worth keeping: `abort()` without a reason gives
 * a DOMException "This operation was aborted", which says nothing the `interrupted` decision does not.
 */
export function abortReasonText(reason: unknown): string | null {
  if (reason === undefined || reason === null) return null;
  if (reason instanceof Error || (typeof reason === 'object' && 'message' in reason)) {
    const { name, message } = reason as { name?: unknown; message?: unknown };
    if (name === 'AbortError') return null;
    return typeof message === 'string' && message.trim() !== '' ? message.trim() : null;
  }
  const text = String(reason).trim();
  return text === '' ? null : text;
}
