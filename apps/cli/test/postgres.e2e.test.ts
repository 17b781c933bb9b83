// A team's shared history: the built binary against a real PostgreSQL database through --state-url (the test
// server of packages/postgres/test/global-setup.ts), run then resume after a failed step, then show and info.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { binPath, ensureBuilt, makeSandbox, type Sandbox } from './fixtures-run/e2e.js';
import { admin } from './fixtures-run/postgres-admin.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test database of packages/postgres/test/global-setup.ts. */
    postgresUrl: string;
  }
}

const NODES = `
[prepare]
type = "Command"
command_name = "echo preparing"

[deploy]
type = "Command"
command_name = "test -f fixed && echo deployed"
depends_on = ["prepare"]
`;

let schema = '';
let stateUrl = '';
let box: Sandbox;

/** Runs the binary in the sandbox: no state path anywhere, the config home inside the sandbox. */
function playbook(args: string[], env: Record<string, string> = {}) {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const key of ['CI', 'FORCE_COLOR', 'PLAYBOOK_STATE_PATH', 'PLAYBOOK_STATE_URL', 'PLAYBOOK_CONFIG']) {
    delete base[key];
  }
  const result = spawnSync(process.execPath, [binPath, ...args], {
    cwd: box.dir,
    env: { ...base, NO_COLOR: '1', XDG_CONFIG_HOME: join(box.dir, 'config'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  ensureBuilt();
  schema = `cli_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  // A password in the URL (the test server trusts any): it must never be printed.
  const url = new URL(inject('postgresUrl'));
  url.password = 'hunter2';
  url.searchParams.set('options', `-c search_path=${schema}`);
  stateUrl = url.toString();
  box = await makeSandbox();
}, 180_000);

afterAll(async () => {
  if (schema !== '') await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  if (box !== undefined) await rm(box.dir, { recursive: true, force: true });
});

describe('playbook --state-url postgres://…', () => {
  it('runs, resumes after a failed step, and shows the run from the shared database', async () => {
    const file = await box.runbook('shared', 'Shared deploy', NODES);

    const first = playbook(['--state-url', stateUrl, 'run', file, '--non-interactive']);
    expect(first.stderr).not.toContain('hunter2');
    expect(first.code).toBe(1);
    expect(await admin(`select run_id, status from ${schema}.runs`)).toEqual([{ run_id: 1, status: 'nok' }]);

    await writeFile(box.path('fixed'), '');
    // The option after the command name works the same.
    const resumed = playbook(['resume', file, '--non-interactive', '--state-url', stateUrl]);
    expect(resumed.code).toBe(0);

    // And through the environment, as an operator's shell profile would set it.
    const shown = playbook(['show', 'Shared deploy', '--json'], { PLAYBOOK_STATE_URL: stateUrl });
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const { runs } = JSON.parse(shown.stdout);
    expect(runs).toMatchObject([{ runId: 1, status: 'ok', trigger: 'resume', nodesOk: 2 }]);

    const run = playbook(['show', 'Shared deploy', '--run-id', '1', '--json', '--state-url', stateUrl]);
    const { executions } = JSON.parse(run.stdout);
    expect(
      executions.map(
        (e: { nodeId: string; attempt: number; status: string }) => `${e.nodeId}#${e.attempt}:${e.status}`,
      ),
    ).toEqual(['prepare#1:ok', 'deploy#1:nok', 'deploy#2:ok']);

    // Straight from the database: the contract table, as another tool of the team would read it.
    const rows = await admin(`select run_id, status, trigger from ${schema}.runs`);
    expect(rows).toEqual([{ run_id: 1, status: 'ok', trigger: 'resume' }]);
    // No SQLite file was made on the side.
    expect(box.exists('config/playbook/run.db')).toBe(false);

    const info = playbook(['--state-url', stateUrl, 'info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toContain('postgres://postgres:***@');
    expect(info.stdout).not.toContain('hunter2');
    expect(info.stdout).toContain('Shared deploy');
  });

  it('takes state_url from the config file, and says which database it cannot reach without its password', async () => {
    await writeFile(box.path('team.toml'), 'state_url = "postgres://ops:s3cret@127.0.0.1:1/playbook"\n');
    const result = playbook(['--config', 'team.toml', 'info']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('postgres://ops:***@127.0.0.1:1/playbook');
    expect(result.stderr).not.toContain('s3cret');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});
