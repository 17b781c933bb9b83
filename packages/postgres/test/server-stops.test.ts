import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresRunRepository } from '../src/open-postgres-run-repository.js';
import { StateDatabaseError } from '../src/state-database-error.js';
import { canStartPostgresServer, type PostgresServer, startPostgresServer } from './postgres-server.js';

// A server that stops in the middle of a run (an operator's `pg_ctl stop`, a failover): the next write fails
// with an error that says which history it was — the state URL, its password hidden — instead of pg's bare
// `terminating connection due to administrator command` or `connect ECONNREFUSED`. The test stops a server of
// its own, so the shared test server of the other tests is not touched.

const PASSWORD = 'hunter2';
let server: PostgresServer | undefined;
let url = '';

beforeAll(async () => {
  if (!canStartPostgresServer()) return;
  server = await startPostgresServer('stops');
  // The server trusts any password: one in the URL must never be printed.
  const withPassword = new URL(server.url);
  withPassword.password = PASSWORD;
  url = withPassword.toString();
}, 60_000);

afterAll(() => server?.remove());

describe('a PostgreSQL server that stops mid-run', () => {
  it('fails the next write, and every later call, with QUERY_FAILED naming the URL without its password', async (context) => {
    if (server === undefined)
      return context.skip('no PostgreSQL server binaries to start a server of its own');
    const repository = await openPostgresRunRepository(url);
    try {
      const run = await repository.createRun({
        workflowName: 'w',
        startTime: '2025-05-03T12:08:00.000Z',
        owner: { host: 'h', pid: 1, processGroup: null },
        runbookHash: null,
        nodeIds: ['a'],
      });

      server.stop('fast');

      const shown = url.replace(PASSWORD, '***');
      const calls: [string, Promise<unknown>][] = [
        [
          'startAttempt',
          repository.startAttempt({
            workflowName: 'w',
            runId: run.runId,
            nodeId: 'a',
            startTime: '2025-05-03T12:08:01.000Z',
            status: 'running',
          }),
        ],
        ['loadRun', repository.loadRun({ workflowName: 'w', runId: run.runId })],
        ['listWorkflows', repository.listWorkflows()],
      ];
      for (const [name, call] of calls) {
        const error = (await call.then(
          () => undefined,
          (thrown: unknown) => thrown,
        )) as StateDatabaseError;
        expect(error).toBeInstanceOf(StateDatabaseError);
        expect({ name, code: error.code }).toEqual({ name, code: 'QUERY_FAILED' });
        expect(error.url).toBe(shown);
        expect(error.message).toMatch(
          new RegExp(`^(cannot reach|lost the connection to) state database ${escapeRegExp(shown)}: \\S`),
        );
        expect(error.message).not.toContain(PASSWORD);
        expect(error.message).not.toContain('\n');
        expect(error.cause).toBeDefined();
      }
    } finally {
      // Closing ends the pool; with the server gone there is nothing to say goodbye to.
      await repository.close().catch(() => undefined);
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
