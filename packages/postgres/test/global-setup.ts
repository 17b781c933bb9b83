import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL database the tests may use freely; each test makes its own schema in it. */
    postgresUrl: string;
  }
}

/** Environment variable naming an existing server to test against instead of a throw-away one. */
const URL_VARIABLE = 'PLAYBOOK_TEST_POSTGRES_URL';
const DATABASE = 'playbook_test';

/**
 * vitest globalSetup: gives the tests a PostgreSQL database (`inject('postgresUrl')`). It is the server named
 * by PLAYBOOK_TEST_POSTGRES_URL when set; otherwise a throw-away cluster made with the local binaries
 * (`postgres-server.ts`), stopped and deleted afterwards.
 */
export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env[URL_VARIABLE];
  if (given !== undefined && given !== '') {
    project.provide('postgresUrl', given);
    return undefined;
  }
  const server = await startPostgresServer(DATABASE);
  project.provide('postgresUrl', server.url);
  return server.remove;
}
