import type { EngineEvent } from './events.js';

/** The version of the event line schema; raised when a field changes meaning or goes away (new fields do not). */
export const EVENT_SCHEMA_VERSION = 1;

/** The engine events that become lines: all but a listener's own `error`, which is told to that listener. */
export type LineEvent = Exclude<EngineEvent, { readonly type: 'error' }>;

/** The JSON line of an event (without the newline); `undefined` for an event that has none (`error`). */
export function eventLine(event: EngineEvent): string | undefined {
  if (event.type === 'error') return undefined;
  // What every line has comes first, so the lines read well in a log.
  const { type, timestamp, workflow, runId, ...rest } = event;
  return JSON.stringify({ schemaVersion: EVENT_SCHEMA_VERSION, type, timestamp, workflow, runId, ...rest });
}
