import type { EngineEvent, ListenerErrorEvent } from './events.js';

/** Hands one event to the caller's listener; never throws. */
export type Deliver = (event: EngineEvent) => void;

/**
 * Wraps the caller's event listener so that nothing it does can change a run: a throw, or the rejection of a
 * promise it returns, is caught here — in the middle of a step the same error would otherwise fail the step,
 * or leave the run `running` when thrown at `run-started`. The first failure of a run is handed to the same
 * listener as an `error` event (a failure to take that one is dropped); later ones are not, so that a listener
 * broken for every output chunk does not double the stream.
 */
export function isolateListener(listener: ((event: EngineEvent) => unknown) | undefined): Deliver {
  if (listener === undefined) return () => {};
  let reported = false;
  const report = (error: unknown, event: EngineEvent) => {
    if (reported || event.type === 'error') return;
    reported = true;
    const failure: ListenerErrorEvent = {
      type: 'error',
      runId: event.runId,
      workflow: event.workflow,
      timestamp: event.timestamp,
      source: 'listener',
      eventType: event.type,
      message: error instanceof Error ? error.message : String(error),
      error,
    };
    call(listener, failure, () => {});
  };
  return (event) => call(listener, event, (error) => report(error, event));
}

function call(
  listener: (event: EngineEvent) => unknown,
  event: EngineEvent,
  onError: (error: unknown) => void,
): void {
  try {
    const result = listener(event);
    // An async listener's rejection would otherwise be unhandled, which ends a Node process.
    if (isThenable(result)) result.then(undefined, onError);
  } catch (error) {
    onError(error);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
