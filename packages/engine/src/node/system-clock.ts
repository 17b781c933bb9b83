import type { Clock } from '../ports/clock.js';

/** The machine's wall clock. */
export class SystemClock implements Clock {
  /** The current time. */
  now(): Date {
    return new Date();
  }
}
