import { driveSync, type Operation, SqlRunStore, type SqlStep } from '@playbook/sql-store';
import type Database from 'better-sqlite3';
import { SQLITE_DIALECT } from './sqlite-dialect.js';
import { StateFileError } from './state-file-error.js';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * `RunRepository` and `RunHistory` on one SQLite file. Get one from `openSqliteRunRepository`, which checks
 * and migrates the file first.
 *
 * Statements are prepared once, on first use (a read-only opening prepares no write), and run synchronously:
 * at every attempt's start and end, building and compiling a query per call (Kysely) would cost several times
 * the write itself. Every state change is one transaction begun IMMEDIATE: it takes SQLite's write lock up
 * front, so a concurrent process waits within the busy timeout instead of failing, and nothing of this process
 * can interleave with it. A failure of SQLite itself (a full disk, an I/O error) is a `StateFileError`
 * `QUERY_FAILED` naming the file.
 */
export class SqliteRunRepository extends SqlRunStore {
  readonly #database: Database.Database;
  readonly #path: string;
  readonly #statements = new Map<string, Statement>();
  #transaction: ((fn: () => unknown) => unknown) | undefined;
  #closed = false;

  /**
   * Whether this process may write the state file and its folder: false for a read-only open of a file that
   * is read-only to it (permissions, a read-only file system). Nothing should then try to write it.
   */
  readonly writable: boolean;
  /**
   * Whether SQLite reads the file in immutable mode, because its journal could not be opened or created (a
   * read-only folder): changes still in the WAL file are not seen, so the view may miss the newest ones.
   */
  readonly immutable: boolean;

  /** Use `openSqliteRunRepository`: it checks, creates and migrates the file this expects. */
  constructor(
    database: Database.Database,
    path: string,
    access: { readonly writable: boolean; readonly immutable: boolean } = {
      writable: true,
      immutable: false,
    },
  ) {
    super(SQLITE_DIALECT);
    this.#database = database;
    this.#path = path;
    this.writable = access.writable;
    this.immutable = access.immutable;
  }

  /** Absolute path of the state file. */
  get path(): string {
    return this.#path;
  }

  protected async write<T>(operation: Operation<T>): Promise<T> {
    return this.#guard(() => {
      // One wrapper, built once: the function it runs comes as its argument. better-sqlite3 rolls back on a
      // throw only while a transaction is active, so an error after which SQLite rolled back itself (a full
      // disk) is the one the caller sees.
      this.#transaction ??= this.#database.transaction((fn: () => unknown) => fn()).immediate;
      return this.#transaction(() => driveSync(operation, this.#execute)) as T;
    });
  }

  protected async read<T>(operation: Operation<T>): Promise<T> {
    return this.#guard(() => driveSync(operation, this.#execute));
  }

  /** Closes the database; later calls fail. Closing twice is harmless. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#database.close();
  }

  readonly #execute = (step: SqlStep): unknown => {
    let statement = this.#statements.get(step.sql);
    if (statement === undefined) {
      statement = this.#database.prepare(step.sql);
      this.#statements.set(step.sql, statement);
    }
    if (step.kind === 'changes') return statement.run(...step.values).changes;
    return step.kind === 'row' ? statement.get(...step.values) : statement.all(...step.values);
  };

  #guard<T>(body: () => T): T {
    if (this.#closed) throw new Error(`the state file ${this.#path} is closed`);
    try {
      return body();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_')) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StateFileError('QUERY_FAILED', this.#path, `state file ${this.#path}: ${message}`, {
        cause: error,
      });
    }
  }
}
