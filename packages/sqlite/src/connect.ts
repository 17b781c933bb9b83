import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';

// Every connection of this package is made here, because of SQLite's immutable mode. Reading a WAL database
// needs its `-shm` file: in a read-only folder (or file system) where that file does not exist, SQLite cannot
// make it and refuses to read at all. Opened as immutable, SQLite reads the main file alone — without the
// changes still in the WAL, so a reader must be told the view may be behind. Immutable mode is only reachable
// through a `file:` URI, and better-sqlite3 builds SQLite with URI file names off unless SQLITE_USE_URI=1 is
// in the environment when its native addon loads (at its first connection). So the first connection is made
// with it set, and the variable is removed at once: commands a run spawns never see it. The paths this package
// opens are absolute, so none of them starts with `file:` and URI handling changes nothing else here. When
// another module loaded the addon first, with URIs off, the immutable open fails and the original error stands.

let addonLoaded = false;

function loadAddonWithUris(): void {
  if (addonLoaded) return;
  addonLoaded = true;
  if (process.env.SQLITE_USE_URI !== undefined) return; // the embedding application decided
  process.env.SQLITE_USE_URI = '1';
  try {
    new Database(':memory:').close();
  } finally {
    delete process.env.SQLITE_USE_URI;
  }
}

/** A connection to the file at `absolute` (never a `file:` URI). */
export function connect(absolute: string, options: Database.Options = {}): Database.Database {
  loadAddonWithUris();
  return new Database(absolute, options);
}

/** A read-only connection that reads `absolute` through SQLite's immutable mode: no lock, no journal. */
export function connectImmutable(absolute: string): Database.Database {
  loadAddonWithUris();
  return new Database(`${pathToFileURL(absolute).href}?immutable=1`, { readonly: true, fileMustExist: true });
}

/**
 * Whether opening or reading failed only because SQLite could not open or create the WAL's companions (a
 * read-only folder or file system): a read in immutable mode may still work.
 */
export function journalUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' && (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN'))
  );
}
