import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

// Every connection of this package is made here, because of SQLite's immutable mode. Reading a WAL database
// needs its `-shm` file: in a read-only folder (or file system) where that file does not exist, SQLite cannot
// make it and refuses to read at all. Opened as immutable, SQLite reads the main file alone — without the
// changes still in the WAL, so a reader must be told the view may be behind. Immutable mode is only reachable
// through a `file:` URI, and better-sqlite3 builds SQLite with URI file names off unless SQLITE_USE_URI=1 is
// in the environment when its native addon loads (at its first connection). So the first connection is made
// with it set, and the variable is removed at once: commands a run spawns never see it. The paths this package
// opens are absolute, so none of them starts with `file:` and URI handling changes nothing else here. When
// another module loaded the addon first, with URIs off, the immutable open fails and the original error stands.

//
// better-sqlite3 is loaded through `require` at the first connection, and its native addon from the path its
// build puts it at: imported as an ES module, the CommonJS package went through Node's ESM translation (its
// sources lexed for exports), and its default addon lookup (the `bindings` package) walks the call stack and
// probes a dozen paths: together a few milliseconds of every `show`, `info` and `run`, which an operator types
// all day (docs/performance.md). An addon elsewhere (a custom build) is still found by that lookup.

const requireHere = createRequire(import.meta.url);

interface Driver {
  readonly Database: typeof BetterSqlite3;
  /** The addon's path when it is where better-sqlite3's build writes it; else its own lookup finds it. */
  readonly nativeBinding: string | undefined;
}
let driver: Driver | undefined;

/**
 * better-sqlite3's JavaScript, when its addon is where the package builds it. The `playbook` binary's bundler
 * turns this into a plain `require` that it can follow (apps/cli/scripts/bundle.mjs), so that the CLI carries
 * the package's JavaScript in its bundle, code-cached; keep the function's shape.
 */
function bundledBetterSqlite3() {
  return requireHere('better-sqlite3');
}

const ADDON = join('better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * The addon where better-sqlite3's build writes it, in the nearest `node_modules` that has the package — the
 * folder Node's own lookup would find it in first. Looked for directly: resolving `better-sqlite3/package.json`
 * read and parsed this package's and better-sqlite3's package.json files at every start (~1–2 ms). Where it
 * is not found (a custom layout), Node's resolution says where the package is.
 */
function builtAddon(): string | undefined {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, 'node_modules', ADDON);
    if (existsSync(candidate)) return candidate;
    if (existsSync(join(folder, 'node_modules', 'better-sqlite3'))) return undefined;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const resolved = join(dirname(dirname(requireHere.resolve('better-sqlite3/package.json'))), ADDON);
  return existsSync(resolved) ? resolved : undefined;
}

function loadDriver(): Driver {
  if (driver !== undefined) return driver;
  const nativeBinding = builtAddon();
  const Database = (
    nativeBinding === undefined ? requireHere('better-sqlite3') : bundledBetterSqlite3()
  ) as typeof BetterSqlite3;
  driver = { Database, nativeBinding };
  if (process.env.SQLITE_USE_URI !== undefined) return driver; // the embedding application decided
  process.env.SQLITE_USE_URI = '1';
  try {
    open(driver, ':memory:', {}).close();
  } finally {
    delete process.env.SQLITE_USE_URI;
  }
  return driver;
}

function open(
  { Database, nativeBinding }: Driver,
  name: string,
  options: BetterSqlite3.Options,
): BetterSqlite3.Database {
  return new Database(name, nativeBinding === undefined ? options : { ...options, nativeBinding });
}

/** A connection to the file at `absolute` (never a `file:` URI). */
export function connect(absolute: string, options: BetterSqlite3.Options = {}): BetterSqlite3.Database {
  return open(loadDriver(), absolute, options);
}

/** A read-only connection that reads `absolute` through SQLite's immutable mode: no lock, no journal. */
export function connectImmutable(absolute: string): BetterSqlite3.Database {
  return open(loadDriver(), `${pathToFileURL(absolute).href}?immutable=1`, {
    readonly: true,
    fileMustExist: true,
  });
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
