import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli } from './fixtures-run/e2e.js';

// What an operator meets around the steps themselves: descriptions before a step, and a Function module that
// cannot be found, checked before anything runs. (The repeat question's default: spec-audit-run.e2e.test.ts and
// tty.e2e.test.ts.)

describe('playbook run, as an operator meets it (built binary, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('shows each step`s description before it runs, for Command and Function steps too', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'described',
      'Described',
      `
[build]
type = "Command"
command_name = "echo building"
description = "Builds the image.\\nTakes a minute."

[notify]
type = "Function"
function_name = "playbook:notify"
function_params = { message = "sent" }
description = "Tells the channel."
depends_on = ["build"]
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(
      '› [1/2] build Command\n  Builds the image.\n  Takes a minute.\n  │ building\n✔ build ok',
    );
    expect(result.stdout).toContain('› [2/2] notify Function\n  Tells the channel.\n  │ sent\n');
  });

  it('refuses to start when a Function module cannot be found: one located line, exit 1, no run created', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'missing',
      'Missing',
      `
[first]
type = "Command"
command_name = "touch first-ran"

[notify]
type = "Function"
function_name = "./ops/notify.mjs#send"
depends_on = ["first"]
`,
    );
    for (const command of [
      ['run', file],
      ['resume', file],
      ['run', file, '--non-interactive'],
    ]) {
      const result = await runCli(box, command);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^missing\.playbook\.toml:14:1: error: \[notify\.function_name\] .*ops\/notify\.mjs/,
      );
      expect(lines.slice(1)).toEqual(['✖ missing.playbook.toml is invalid (1 error); nothing was run.']);
    }
    expect(box.exists('first-ran')).toBe(false);
    // Not even the history was created: nothing was run, nothing was recorded.
    expect(existsSync(box.statePath)).toBe(false);
  });
});
