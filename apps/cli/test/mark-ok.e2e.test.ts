import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli } from './fixtures-run/e2e.js';

const RUNBOOK = `
[deploy]
type = "Command"
command_name = "echo 'no route to host' >&2; exit 4"
critical = true

[after]
type = "Command"
command_name = "echo after"
depends_on = ["deploy"]
`;

describe.concurrent('mark ok after a failed attempt (SPEC §9.3), end to end (built binary, piped answers)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('`o`, then a required note (an empty one is asked again): a new attempt ok / override, the run goes on', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('mark', 'Mark', RUNBOOK);
    const result = await runCli(box, ['run', file], { stdin: 'o\n\nrolled out by hand from the console\n' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('What now? r/a/o? o\n');
    expect(result.stdout).toContain('A note is required to mark the step ok.');
    expect(result.stdout).toMatch(/✔ deploy ok · attempt 2 · .* · decision: override/);
    const state = await loadRun(box, 'Mark', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'deploy')).toEqual(['nok/override', 'ok/override']);
    expect(attemptsOf(state, 'after')).toEqual(['ok']);
    const marked = state.attempts.find((a) => a.nodeId === 'deploy' && a.attempt === 2);
    expect(marked?.resultText).toBe('rolled out by hand from the console');
  });

  it('input that ends before the note: the run aborts, nothing is marked ok', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('cut', 'Cut', RUNBOOK);
    const result = await runCli(box, ['run', file], { stdin: 'o\n' });
    expect(result.code).toBe(1);
    const state = await loadRun(box, 'Cut', 1);
    expect(state.run.status).toBe('aborted');
    expect(attemptsOf(state, 'deploy')).toEqual(['nok/abort']);
  });

  it('asks a secret output too, hidden: the step after it reads it, nothing shows or stores it', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'login',
      'Login',
      `
[login]
type = "Command"
command_name = "exit 1"
outputs = ["user"]
secret_outputs = ["token"]

[use]
type = "Command"
command_name = "echo user=\${{ steps.login.outputs.user }} token=$T"
env = { T = "\${{ steps.login.outputs.token }}" }
depends_on = ["login"]
`,
    );
    const result = await runCli(box, ['run', file], { stdin: 'o\nlogged in by hand\nops\ntk-55190\n' });
    // It asked `user` only: `use` then failed, the token "not produced".
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Value of output `token` (secret, not shown):');
    expect(result.stdout).toContain('user=ops token=***');
    expect(result.stdout + result.stderr).not.toContain('tk-55190');
    const state = await loadRun(box, 'Login', 1);
    expect(attemptsOf(state, 'login')).toEqual(['nok/override', 'ok/override']);
    expect(state.attempts[1]?.outputs).toEqual({ user: 'ops' });
    expect(readFileSync(box.statePath).includes('tk-55190')).toBe(false);
  });

  it('never in non-interactive mode: nothing is asked, the step stays nok', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('ci', 'Ci', RUNBOOK);
    const result = await runCli(box, ['run', file, '--non-interactive'], { stdin: 'o\nby hand\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('What now?');
    const state = await loadRun(box, 'Ci', 1);
    expect(attemptsOf(state, 'deploy')).toEqual(['nok']);
  });
});
