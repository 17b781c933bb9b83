import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { messageOf, StateDatabaseError } from './state-database-error.js';

// A server that stops or restarts mid-run (`pg_ctl stop`, a failover, a dropped network) makes `pg` fail with
// `terminating connection due to administrator command`, `Connection terminated unexpectedly` or
// `connect ECONNREFUSED 127.0.0.1:5432` — none of which says which history it was. The pool Kysely gets is
// wrapped so that such failures, wherever a query or a connection fails, become a `QUERY_FAILED`
// StateDatabaseError naming the state URL (without its password). Errors the server reports about a
// statement (a constraint, a serialization failure) are left as they are: callers may act on their code.

/** SQLSTATE classes of a lost or refused connection: 08 connection exception, 57 operator intervention. */
const CONNECTION_CLASSES = ['08', '57'];

/** `pool` for Kysely's PostgresDialect, with connection failures naming `shown` (the redacted URL). */
export function namingConnectionLoss(pool: pg.Pool, shown: string): PostgresPool {
  // The driver keeps one connection object per client it is given: hand it the same wrapper each time.
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw connectionLost(error, shown, 'cannot reach');
      }
      let wrapper = wrappers.get(client);
      if (wrapper === undefined) {
        wrapper = wrapClient(client, shown);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}

function wrapClient(client: pg.PoolClient, shown: string): PostgresPoolClient {
  const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
    // A cursor (streaming) is passed through: this package does not stream.
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
    return client.query(sqlOrCursor, parameters as unknown[]).catch((error: unknown) => {
      throw isConnectionLoss(error) ? connectionLost(error, shown, 'lost the connection to') : error;
    });
  };
  return {
    query: query as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  };
}

/** Whether `error` means the connection is gone, rather than a statement the server refused. */
function isConnectionLoss(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    return CONNECTION_CLASSES.some((prefix) => error.code?.startsWith(prefix) === true);
  }
  // A socket error (ECONNRESET, EPIPE…), or pg's own: `Connection terminated unexpectedly`, `Client has
  // encountered a connection error and is not queryable`, `Query read timeout`.
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  return error instanceof Error && /connection|not queryable|timeout/i.test(error.message);
}

function connectionLost(error: unknown, shown: string, what: string): StateDatabaseError {
  return new StateDatabaseError(
    'QUERY_FAILED',
    shown,
    `${what} state database ${shown}: ${messageOf(error)}`,
    {
      cause: error,
    },
  );
}
