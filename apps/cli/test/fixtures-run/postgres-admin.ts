import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inject } from 'vitest';
import { repoRoot } from './e2e.js';

/** The slice of `pg` the CLI's PostgreSQL tests use: the CLI has no dependency on it, @playbook/postgres has. */
interface PgClient {
  connect(): Promise<void>;
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}
const pg = createRequire(join(repoRoot, 'packages/postgres/package.json'))('pg') as {
  Client: new (config: { connectionString: string }) => PgClient;
};

/** Runs `text` on the test server as its administrator (outside any schema under test); its rows. */
export async function admin(text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: inject('postgresUrl') });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
