import { type RunStore, runHistoryContract, runRepositoryContract } from '@playbook/engine/testing';
import { openPostgresRunRepository } from '../src/open-postgres-run-repository.js';
import { dropSchema, freshSchema } from './schemas.js';

// Each test on a schema of its own, dropped once the repository is closed.
const schemas = new Map<object, string>();

async function fresh(): Promise<RunStore> {
  const { schema, url } = await freshSchema();
  const repository = await openPostgresRunRepository(url);
  schemas.set(repository, schema);
  return repository;
}

async function cleanup(repository: object): Promise<void> {
  const schema = schemas.get(repository);
  schemas.delete(repository);
  if (schema !== undefined) await dropSchema(schema);
}

runRepositoryContract('PostgresRunRepository', fresh, { cleanup });
runHistoryContract('PostgresRunRepository', fresh, { cleanup });
