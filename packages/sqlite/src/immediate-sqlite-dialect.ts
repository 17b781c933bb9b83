import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * Kysely's SQLite driver opens transactions with a plain (deferred) `BEGIN`, which takes the write lock only at
 * the first write: two processes that both read first then deadlock, and SQLite answers SQLITE_BUSY at once,
 * whatever the busy timeout. `BEGIN IMMEDIATE` takes the write lock up front, so a second writer waits its
 * turn within the busy timeout instead of failing.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * On some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM…) SQLite rolls the transaction back itself; Kysely's
   * ROLLBACK then fails with "no transaction is active", and that error would replace the one that says what went
   * wrong (a full disk). Nothing is left to roll back then, so the original error is the one to see.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } catch (error) {
      if (error instanceof Error && /no transaction is active/i.test(error.message)) return;
      throw error;
    }
  }
}

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says it does not, so its `Migrator` would run each
 * migration statement by statement: a crash could leave half a migration applied, and two processes opening a
 * new file at once would both apply the same migration. Saying so makes every migration one transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** `SqliteDialect` whose transactions all begin IMMEDIATE and whose migrations each run in one transaction. */
export class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}
