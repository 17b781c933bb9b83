import { writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli } from './fixtures-run/e2e.js';

// Who did what (SPEC §10.1), through the built binary on a real SQLite file: the claimed operator and the OS
// user@host of each run, attempt and session, what each attempt ran, and the runbook's text once per hash.

const osUser = `${userInfo().username}@${hostname()}`;

describe('who did what, as show tells it (built binary, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('records the claimed operator, the OS user, what ran and each session; show prints them', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'audit',
      'Audit',
      `
[build]
type = "Command"
command_name = "echo built; test -f go"

[notify]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "done" }
depends_on = ["build"]
`,
    );
    const failed = await runCli(box, ['run', file, '--non-interactive', '--retries', '0'], {
      env: { PLAYBOOK_OPERATOR: 'alice' },
    });
    expect(failed.code, failed.stderr).toBe(1);
    writeFileSync(join(box.dir, 'go'), '');
    // Bob resumes, named in his config file rather than the environment.
    writeFileSync(join(box.dir, 'bob.toml'), 'operator = "bob"\n');
    const resumed = await runCli(box, ['resume', file, '1', '--non-interactive', '--config', 'bob.toml']);
    expect(resumed.code, resumed.stderr).toBe(0);

    const json = await runCli(box, ['show', 'Audit', '--run-id', '1', '--json']);
    expect(json.code, json.stderr).toBe(0);
    const shown = JSON.parse(json.stdout);
    expect(shown.run.startedBy).toEqual({ operator: 'alice', osUser, dbUser: null });
    expect(
      shown.executions.map((a: { nodeId: string; attempt: number; by: { operator: string } }) => [
        `${a.nodeId}#${a.attempt}`,
        a.by.operator,
      ]),
    ).toEqual([
      ['build#1', 'alice'],
      ['build#2', 'bob'],
      ['notify#1', 'bob'],
    ]);
    expect(shown.executions[0].ran).toEqual({
      command: 'echo built; test -f go',
      params: null,
      cwd: box.dir,
      envKeys: ['PLAYBOOK_ATTEMPT', 'PLAYBOOK_NODE_ID', 'PLAYBOOK_RUN_ID', 'PLAYBOOK_WORKFLOW'],
    });
    expect(shown.executions[2].ran).toMatchObject({
      command: 'playbook:notify',
      params: '{"message":"done"}',
    });
    expect(
      shown.sessions.map((s: { seq: number; kind: string; by: { operator: string }; flags: string[] }) => [
        s.seq,
        s.kind,
        s.by.operator,
        s.flags.join(' '),
      ]),
    ).toEqual([
      [1, 'run', 'alice', '--non-interactive --retries 0'],
      [2, 'resume', 'bob', '--non-interactive'],
    ]);

    const text = await runCli(box, ['show', 'Audit', '--run-id', '1']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Started by  alice (${osUser})`);
    expect(text.stdout).toMatch(/build\s+2\s+ok\s+-\s+bob \(/);
    expect(text.stdout).toContain(`build#1: $ echo built; test -f go  in ${box.dir}  env PLAYBOOK_ATTEMPT`);
    expect(text.stdout).toMatch(/2\s+resume\s+\S+\s+bob \(.*--non-interactive/);
  });

  it('refuses an operator name with control characters, naming the variable', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('x', 'X', '[a]\ntype = "Command"\ncommand_name = "true"\n');
    const result = await runCli(box, ['run', file, '--non-interactive'], {
      env: { PLAYBOOK_OPERATOR: 'mallory\u001b[2J' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PLAYBOOK_OPERATOR must not contain control characters');
    expect(result.stderr).not.toContain('\u001b[2J');
  });
});
