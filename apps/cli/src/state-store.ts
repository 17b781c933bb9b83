import type { RunHistory, RunRepository } from '@playbook/engine';

// The one place the CLI names a storage adapter: every command reaches the run history through the engine's
// ports, `RunRepository` and `RunHistory`. An adapter is imported when first needed, not at the top, so
// commands that never touch the history start fast and `@playbook/postgres` loads only when a URL is set.

/** The run history as commands use it: the engine's write port and read port, on one connection. */
export interface RunStore extends RunRepository, RunHistory {
  /** Releases the file or the connections. */
  close(): Promise<void>;
}

/** Where the history is: a PostgreSQL URL when one is configured, else the SQLite state file. */
export interface StoreLocation {
  readonly statePath: string;
  readonly stateUrl?: string | undefined;
}

/**
 * Opens the run history. Throws the adapter's `StateStoreError` (`StateFileError`, `StateDatabaseError`) for a
 * history that is unusable, too new or unwritable; each says where it is in one line.
 */
export async function openRunStore(
  location: StoreLocation,
  options: { readonly readonly?: boolean } = {},
): Promise<RunStore> {
  if (location.stateUrl !== undefined) {
    const { openPostgresRunRepository } = await import('@playbook/postgres');
    return openPostgresRunRepository(location.stateUrl, options);
  }
  const { openSqliteRunRepository } = await import('@playbook/sqlite');
  return openSqliteRunRepository(location.statePath, options);
}

/** The schema (CREATE statements) the configured store writes, without opening it. */
export async function storeSchemaDdl(location: StoreLocation): Promise<string> {
  const { schemaDdl } =
    location.stateUrl === undefined ? await import('@playbook/sqlite') : await import('@playbook/postgres');
  return schemaDdl();
}
