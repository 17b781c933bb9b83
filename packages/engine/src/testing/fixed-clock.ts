import type { Clock } from '../ports/clock.js';

/** A `Clock` that stands still (or moves `stepMs` on each reading), so tests can assert exact times. */
export class FixedClock implements Clock {
  #ms: number;

  constructor(
    start: Date = new Date('2025-01-01T00:00:00.000Z'),
    readonly stepMs = 0,
  ) {
    this.#ms = start.getTime();
  }

  now(): Date {
    const now = new Date(this.#ms);
    this.#ms += this.stepMs;
    return now;
  }

  /** Every wait asked of `sleep`, in milliseconds, in order. */
  readonly sleeps: number[] = [];

  /** Time passes at once: the clock moves forward by `ms` (unless `signal` has aborted) and the wait ends. */
  async sleep(ms: number, signal: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (!signal.aborted) this.#ms += ms;
  }

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}
