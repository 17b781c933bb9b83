// The defaults of the engine's settings (`EngineSettings`), in one place: the engine applies them, and the
// CLI's configuration falls back to the same values (docs/configuration.md).

/** Per-attempt limit of a node without its own `timeout`, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/** Cap of each captured output stream of an attempt, in bytes (head and tail kept past it). */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** SIGTERM → SIGKILL grace when stopping a process group, in milliseconds. */
export const DEFAULT_KILL_GRACE_MS = 2000;

/** Seconds between `heartbeat` events (and the CLI's "still running" lines) of a running step; 0 for none. */
export const DEFAULT_HEARTBEAT_SECONDS = 60;
