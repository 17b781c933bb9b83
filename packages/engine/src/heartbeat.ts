import type { Clock } from './ports/clock.js';

/** What a heartbeat needs: how often, when the attempt started, and what to do at each beat. */
export interface HeartbeatOptions {
  /** Seconds between beats; 0 (or less) sends none. */
  readonly everySeconds: number;
  readonly clock: Clock;
  readonly started: Date;
  /** Called at each beat with the time since `started`. */
  readonly beat: (elapsedMs: number) => void;
}

/**
 * Beats every `everySeconds` until the returned function is called (SPEC §9.5: a long step shows life in a log
 * without a terminal). One timer per attempt, so attempts running side by side each beat on their own.
 */
export function startHeartbeat(options: HeartbeatOptions): () => void {
  if (!(options.everySeconds > 0)) return () => {};
  const timer = setInterval(() => {
    options.beat(Math.max(0, options.clock.now().getTime() - options.started.getTime()));
  }, options.everySeconds * 1000);
  // The attempt itself keeps the process alive; a beat never should.
  timer.unref?.();
  return () => clearInterval(timer);
}
