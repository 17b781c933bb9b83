import { closeSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { schemaVersionOf } from '@playbook/sql-store';
import type Database from 'better-sqlite3';
import { connect, connectImmutable, journalUnavailable } from './connect.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { SqliteRunRepository } from './sqlite-run-repository.js';
import { StateFileError } from './state-file-error.js';
import {
  createStateFile,
  openStateFileForReading,
  reasonOf,
  stateFileWritable,
  statePathExists,
} from './state-path.js';

export interface OpenSqliteOptions {
  /** Open for reading only (`info`, `show`): nothing is created, migrated or written. */
  readonly readonly?: boolean;
  /** How long a write waits for another process's write lock, in milliseconds (default 5000). */
  readonly busyTimeoutMs?: number;
  /** SQLite's `synchronous` mode: `NORMAL` (default) survives process crashes; `FULL` also every power cut, at a disk flush per write. */
  readonly synchronous?: 'NORMAL' | 'FULL';
}

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** Tables a file may hold without a migration history and still be adopted: the original prototype's. */
const PROTOTYPE_TABLES = new Set(['runs', 'executions']);

/**
 * Opens (creating it, with its folders, mode 0600, when missing) the state file at `path`, checks it is a
 * Playbook database this code can read, and brings its schema up to date. Throws `StateFileError`.
 *
 * Read-only, a file whose folder (or file system) is read-only is still read: through SQLite's immutable mode
 * when the WAL's `-shm` file cannot be made, which the repository's `immutable` then says.
 */
export async function openSqliteRunRepository(
  path: string,
  options: OpenSqliteOptions = {},
): Promise<SqliteRunRepository> {
  const absolute = resolve(path);
  const readonly = options.readonly ?? false;
  if (readonly) {
    if (!statePathExists(absolute, path)) {
      throw new StateFileError('OPEN_FAILED', path, `no state file at ${path}`);
    }
  } else {
    createStateFile(absolute, path);
  }
  const { version: appliedVersion, immutable, reader, writer } = inspect(absolute, path, readonly);
  if (readonly && appliedVersion < SCHEMA_VERSION) {
    reader?.close();
    throw new StateFileError(
      'OPEN_FAILED',
      path,
      `state file ${path} has schema version ${appliedVersion}, older than ${SCHEMA_VERSION}: open it once for writing (run a runbook) to upgrade it`,
    );
  }

  let database: Database.Database;
  try {
    // Read-only, the connection that checked the file is the one to read it with; a writer opens its own
    // (the check never holds a connection that could write).
    database =
      reader ??
      writer ??
      (immutable ? connectImmutable(absolute) : connect(absolute, { readonly, fileMustExist: true }));
  } catch (error) {
    throw openError(error, path);
  }
  try {
    // The busy timeout first: switching to WAL itself needs the lock another process may hold.
    database.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    database.pragma('foreign_keys = ON');
    if (!readonly) {
      database.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives the process being killed (SIGKILL, a crash) and the file stays
      // consistent after a power cut, which may lose only the last commits; FULL would flush the disk on every
      // write (~10 ms each here, see docs/performance.md), too slow for a write at each attempt's start and end.
      database.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    }
  } catch (error) {
    database.close();
    throw openError(error, path);
  }

  // Migrations need Kysely; a file already at the latest schema (every run after the first) does not.
  if (!readonly && appliedVersion < SCHEMA_VERSION) {
    const { kyselyOver, migrateToLatest } = await import('./kysely-connection.js');
    // Not destroyed once done: that would close the connection, which the repository goes on using.
    const db = kyselyOver(database);
    const error = await migrateToLatest(db);
    if (error !== undefined) {
      await db.destroy();
      throw new StateFileError('OPEN_FAILED', path, `cannot upgrade state file ${path}: ${reasonOf(error)}`, {
        cause: error,
      });
    }
  }
  const access = readonly
    ? { writable: !immutable && stateFileWritable(absolute), immutable }
    : { writable: true, immutable: false };
  const repository = new SqliteRunRepository(database, absolute, access);
  if (!readonly) await repository.loadWrites();
  return repository;
}

/**
 * Checks, without writing a byte, that the file is empty or a Playbook database whose schema this code knows,
 * and returns its schema version (0 for a new file) and whether it can only be read in immutable mode (only
 * tried when `readonly`: a writer needs the journal). The connection it checked the file with stays open, the
 * caller's to use and close — a second connection would cost as much again: the read-only one as `reader`;
 * for a writer, a read-write one as `writer` (opening it writes nothing; should it fail, or should the WAL hold
 * changes that its close would write into a refused file, a read-only one checks the file, so that a file that
 * is not ours is reported as such before anything says it cannot be written).
 */
function inspect(
  absolute: string,
  path: string,
  readonly: boolean,
): { version: number; immutable: boolean; reader?: Database.Database; writer?: Database.Database } {
  if (!hasSqliteHeader(absolute, path)) {
    throw new StateFileError(
      'NOT_A_DATABASE',
      path,
      `${path} is not an SQLite database; refusing to use it as the state file`,
    );
  }
  if (statSync(absolute).size === 0) return { version: 0, immutable: false };
  let database: Database.Database | undefined;
  let immutable = false;
  let writable = false;
  try {
    try {
      // Not with a WAL that holds changes (a writer killed before its checkpoint): should the file be refused, the
      // close of a read-write connection, the last one, would checkpoint those changes into it.
      if (!readonly && !pendingWal(absolute)) {
        try {
          database = connect(absolute, { fileMustExist: true });
          writable = true;
        } catch {
          // Said again below by the read-only open, or by the open for writing once the file is known to be ours.
        }
      }
      database ??= connect(absolute, { readonly: true, fileMustExist: true });
      database.prepare('select count(*) from sqlite_master').get();
    } catch (error) {
      database?.close();
      database = undefined;
      if (!readonly || !journalUnavailable(error)) throw error;
      database = readImmutable(absolute, error);
      immutable = true;
    }
    const tables = database
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'",
      )
      .pluck()
      .all() as string[];
    if (!tables.includes('kysely_migration')) {
      const foreign = tables.filter(
        (table) => !PROTOTYPE_TABLES.has(table) && table !== 'kysely_migration_lock',
      );
      if (foreign.length > 0) {
        throw new StateFileError(
          'NOT_A_DATABASE',
          path,
          `${path} is an SQLite database but not a Playbook state file (it has table ${foreign[0]}); refusing to change it`,
        );
      }
      return { version: 0, immutable };
    }
    const applied = database.prepare('select name from kysely_migration').pluck().all() as string[];
    const version = schemaVersionOf(applied);
    const unknown = applied.filter((name) => !(name in MIGRATIONS));
    if (version > SCHEMA_VERSION || unknown.length > 0) {
      throw new StateFileError(
        'NEWER_SCHEMA',
        path,
        `state file ${path} was written by a newer Playbook (schema version ${version}, this one knows up to ${SCHEMA_VERSION}); upgrade Playbook to use it`,
      );
    }
    const checked = database;
    if (!readonly && !writable) return { version, immutable };
    database = undefined;
    return readonly ? { version, immutable, reader: checked } : { version, immutable, writer: checked };
  } catch (error) {
    if (error instanceof StateFileError) throw error;
    throw openError(error, path);
  } finally {
    database?.close();
  }
}

/** Whether the file's WAL holds something (a writer ended without its final checkpoint). */
function pendingWal(absolute: string): boolean {
  try {
    return (statSync(`${absolute}-wal`, { throwIfNoEntry: false })?.size ?? 0) > 0;
  } catch {
    return true;
  }
}

/** An immutable connection that can read the file, or `original` thrown when even that fails. */
function readImmutable(absolute: string, original: unknown): Database.Database {
  let database: Database.Database | undefined;
  try {
    database = connectImmutable(absolute);
    database.prepare('select count(*) from sqlite_master').get();
    return database;
  } catch {
    database?.close();
    throw original;
  }
}

/** False when the file has bytes that do not start with SQLite's 16-byte magic header. */
function hasSqliteHeader(absolute: string, path: string): boolean {
  const fd = openStateFileForReading(absolute, path);
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, header, 0, header.length, 0);
    return read === 0 || (read === header.length && header.equals(SQLITE_HEADER));
  } catch (error) {
    throw openError(error, path);
  } finally {
    closeSync(fd);
  }
}

/** Maps a file-system or SQLite failure to a one-line StateFileError naming the path. */
export function openError(error: unknown, path: string): StateFileError {
  const code = String((error as { code?: unknown } | null)?.code);
  const reason =
    code === 'SQLITE_READONLY_DIRECTORY'
      ? 'its folder is read-only, and SQLite keeps its journal (-wal, -shm) beside it'
      : reasonOf(error);
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new StateFileError('NOT_A_DATABASE', path, `${path} is not a usable SQLite database: ${reason}`, {
      cause: error,
    });
  }
  if (
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code.startsWith('SQLITE_READONLY') ||
    code === 'SQLITE_PERM'
  ) {
    return new StateFileError('UNWRITABLE', path, `cannot write the state file ${path}: ${reason}`, {
      cause: error,
    });
  }
  return new StateFileError('OPEN_FAILED', path, `cannot open the state file ${path}: ${reason}`, {
    cause: error,
  });
}
