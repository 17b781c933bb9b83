// What a repository method is to every SQL dialect: the statements it yields, and how an adapter drives them.

/**
 * One statement for an executor to run, and what it wants back: `row` the first row (undefined for none),
 * `rows` all of them, `changes` how many rows the statement changed.
 */
export type SqlStep =
  | { readonly kind: 'row' | 'rows'; readonly sql: string; readonly values: readonly unknown[] }
  | { readonly kind: 'changes'; readonly sql: string; readonly values: readonly unknown[] };

/**
 * A repository method written once for every dialect: it yields the statements to run, one at a time, and gets
 * each one's result back. SQLite drives it synchronously inside one `BEGIN IMMEDIATE` transaction; PostgreSQL
 * awaits each step inside a transaction of its pool. The adapter decides how; the operation only what.
 */
export type Operation<T> = Generator<SqlStep, T, unknown>;

export const row = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'row', sql, values });
export const rows = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'rows', sql, values });
export const changes = (sql: string, ...values: unknown[]): SqlStep => ({ kind: 'changes', sql, values });

/** Runs an operation whose steps an executor answers synchronously. */
export function driveSync<T>(operation: Operation<T>, execute: (step: SqlStep) => unknown): T {
  let next = operation.next();
  while (next.done !== true) next = operation.next(execute(next.value));
  return next.value;
}

/** Runs an operation whose steps an executor answers asynchronously. */
export async function driveAsync<T>(
  operation: Operation<T>,
  execute: (step: SqlStep) => Promise<unknown>,
): Promise<T> {
  let next = operation.next();
  while (next.done !== true) next = operation.next(await execute(next.value));
  return next.value;
}
