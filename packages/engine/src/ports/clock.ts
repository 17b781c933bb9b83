/** Time, as the engine sees it. Adapters: `SystemClock`; tests: `FixedClock` from `@playbook/engine/testing`. */
export interface Clock {
  /** The current wall-clock time. */
  now(): Date;
  /**
   * Waits `ms` milliseconds, or less when `signal` aborts first; never rejects. The engine waits only through it
   * (a retry's delay, an `expected_duration`), so a test clock can make time pass at once. Optional: without it
   * the engine waits on a timer of the host.
   */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}
