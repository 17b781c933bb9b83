// The team's PostgreSQL server stops while `playbook run` is in the middle of a step (an operator's
// `pg_ctl stop`, a failover): the run ends with one error line that names the state URL — without its
// password — instead of pg's bare `terminating connection due to administrator command`. The server is one
// of this test's own (packages/postgres/test/postgres-server.ts), so the shared test server is not touched.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, repoRoot, type Sandbox, startCli, waitFor } from './fixtures-run/e2e.js';

/** The slice of packages/postgres/test/postgres-server.ts used here (outside this package's sources). */
interface ServerModule {
  canStartPostgresServer(): boolean;
  startPostgresServer(database: string): Promise<{
    readonly url: string;
    stop(mode?: 'fast' | 'immediate'): void;
    remove(): void;
  }>;
}

const PASSWORD = 'hunter2';
let server: Awaited<ReturnType<ServerModule['startPostgresServer']>> | undefined;
let stateUrl = '';
let box: Sandbox;

beforeAll(async () => {
  ensureBuilt();
  box = await makeSandbox();
  const servers = (await import(join(repoRoot, 'packages/postgres/test/postgres-server.ts'))) as ServerModule;
  if (!servers.canStartPostgresServer()) return;
  server = await servers.startPostgresServer('stops_cli');
  const url = new URL(server.url);
  url.password = PASSWORD;
  stateUrl = url.toString();
}, 180_000);

afterAll(() => server?.remove());

describe('playbook run when the PostgreSQL server stops mid-run', () => {
  it('ends with one error line naming the state URL without its password', async (context) => {
    if (server === undefined)
      return context.skip('no PostgreSQL server binaries to start a server of its own');
    const file = await box.runbook(
      'stops',
      'Stops',
      `
[first]
type = "Command"
command_name = "touch started; sleep 2"

[second]
type = "Command"
command_name = "echo second"
depends_on = ["first"]
`,
    );
    const run = startCli(box, ['--state-url', stateUrl, 'run', file, '--non-interactive'], {
      statePath: null,
      timeoutMs: 30_000,
    });
    await waitFor(() => box.exists('started'), 'the first step to start', 20_000);
    server.stop('fast');
    const result = await run.done;

    const shown = stateUrl.replace(PASSWORD, '***');
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(1);
    expect(output).not.toContain(PASSWORD);
    const errors = result.stderr.split('\n').filter((line) => line.startsWith('error: '));
    expect(errors, output).toHaveLength(1);
    expect(errors[0], output).toContain(`state database ${shown}: `);
    expect(result.stdout).not.toContain('second\n');
  });
});
