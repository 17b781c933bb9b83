import { type SqlDialect, schemaDdl as schemaDdlOf } from '@playbook/sql-store';

/**
 * SQLite's hooks. Every write runs in one `BEGIN IMMEDIATE` transaction, which holds the whole file: no row or
 * run-id lock is needed. `rowid` orders same-instant attempts.
 */
export const SQLITE_DIALECT: SqlDialect = {
  packageName: '@playbook/sqlite',
  parameter: () => '?',
  schema: { durationType: 'INTEGER', contractNote: '', ownerLeaseDdl: [], writeOrderDdl: [] },
  writeOrder: 'rowid',
  lockRun: '',
  // Pages in use, including changes still in the write-ahead log.
  sizeQuery: 'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()',
};

/** The CREATE (and ALTER) statements of the schema this package writes, in order, for `info --ddl`. */
export function schemaDdl(): string {
  return schemaDdlOf(SQLITE_DIALECT);
}
