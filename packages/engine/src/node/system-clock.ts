import type { Clock } from '../ports/clock.js';
import { hostSleep } from '../sleep.js';

/** The machine's wall clock. */
export class SystemClock implements Clock {
  /** The current time. */
  now(): Date {
    return new Date();
  }

  /** Waits on a timer, ended early by `signal`. */
  sleep(ms: number, signal: AbortSignal): Promise<void> {
    return hostSleep(ms, signal);
  }
}
