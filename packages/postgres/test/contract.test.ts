import { runHistoryContract, runRepositoryContract } from '@playbook/engine/testing/contract';
import { openPostgresRunRepository } from '../src/open-postgres-run-repository.js';
import type { PostgresRunRepository } from '../src/postgres-run-repository.js';
import { dropSchema, freshSchema } from './schemas.js';

/** Short leases, so that the suite can see one run out. */
const LEASE_SECONDS = 0.5;

// Each test on a schema of its own, dropped once the repository last opened on it is closed.
const schemas = new Map<object, { schema: string; url: string }>();

async function open(location: { schema: string; url: string }): Promise<PostgresRunRepository> {
  const repository = await openPostgresRunRepository(location.url, { leaseSeconds: LEASE_SECONDS });
  schemas.set(repository, location);
  return repository;
}

async function reopen(repository: PostgresRunRepository): Promise<PostgresRunRepository> {
  const location = schemas.get(repository);
  if (location === undefined) throw new Error('reopen of a repository this test did not open');
  schemas.delete(repository);
  return open(location);
}

async function cleanup(repository: object): Promise<void> {
  const location = schemas.get(repository);
  schemas.delete(repository);
  if (location !== undefined) await dropSchema(location.schema);
}

const fresh = async () => open(await freshSchema());
runRepositoryContract('PostgresRunRepository', fresh, { reopen, cleanup, leaseMs: LEASE_SECONDS * 1000 });
runHistoryContract('PostgresRunRepository', fresh, { reopen, cleanup });
