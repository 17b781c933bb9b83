import type { Clock } from './ports/clock.js';

/**
 * Waits on a timer of the host, ended early when `signal` aborts; never rejects. The timer does not keep the
 * process alive by itself (what waits on it does).
 */
export function hostSleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || !(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Waits through the clock port (a test clock makes time pass at once), or the host's timer without one. */
export function sleepOn(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return clock.sleep === undefined ? hostSleep(ms, signal) : clock.sleep(ms, signal);
}
