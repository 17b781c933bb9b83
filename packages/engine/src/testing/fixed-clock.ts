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

  /** Moves the clock forward by `ms`. */
  advance(ms: number): void {
    this.#ms += ms;
  }
}
