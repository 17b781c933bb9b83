/** Time, as the engine sees it. Adapters: `SystemClock`; tests: `FixedClock` from `@playbook/engine/testing`. */
export interface Clock {
  /** The current wall-clock time. */
  now(): Date;
}
