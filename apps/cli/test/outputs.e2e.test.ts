import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli } from './fixtures-run/e2e.js';

// Step outputs (SPEC §8.3) through the built binary, a real SQLite file and real shells.
describe('step outputs, end to end', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('keeps what a command, a function and a Manual note produce, and show lists it (text and JSON)', async () => {
    const box = await makeSandbox();
    await writeFile(
      box.path('ops.mjs'),
      'export function tag() { return { tag: "v1.2", replicas: 3, "not-a-name": 1 }; }\n',
    );
    const file = await box.runbook(
      'outputs',
      'Outputs',
      `
[build]
type = "Command"
command_name = "echo image=app:1 >> \\"$PLAYBOOK_OUTPUT\\"; printf 'notes<<EOF\\\\nline 1\\\\nline 2\\\\nEOF\\\\n' >> \\"$PLAYBOOK_OUTPUT\\"; echo \\"$PLAYBOOK_OUTPUT\\" > where.txt"
outputs = ["image", "notes"]

[tag]
type = "Function"
function_name = "./ops.mjs#tag"
depends_on = ["build"]

[check]
type = "Manual"
prompt = "Is it up?"
depends_on = ["tag"]
outputs = ["note"]
`,
    );
    const result = await runCli(box, ['run', file], { stdin: 'ok\nall green\n' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The output file was deleted with the attempt, its private folder too.
    const where = box.read('where.txt').trim();
    expect(where).not.toBe('');
    expect(existsSync(where)).toBe(false);

    const state = await loadRun(box, 'Outputs', 1);
    const outputs = Object.fromEntries(state.attempts.map((a) => [a.nodeId, a.outputs]));
    expect(outputs).toEqual({
      build: { image: 'app:1', notes: 'line 1\nline 2' },
      tag: { tag: 'v1.2', replicas: '3' },
      check: { note: 'all green' },
    });

    const shown = await runCli(box, ['show', 'Outputs', '--run-id', '1']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(
      [
        'Outputs',
        '  build#1: image=app:1',
        '  build#1: notes=line 1 ⏎ line 2',
        '  tag#1: tag=v1.2',
        '  tag#1: replicas=3',
        '  check#1: note=all green',
      ].join('\n'),
    );
    const json = JSON.parse((await runCli(box, ['show', 'Outputs', '--run-id', '1', '--json'])).stdout);
    expect(json.executions[0].outputs).toEqual({ image: 'app:1', notes: 'line 1\nline 2' });
  });

  it.each([
    [
      'a value over 64 KiB',
      `command_name = "printf big= >> \\"$PLAYBOOK_OUTPUT\\"; head -c 70000 /dev/zero | tr '\\\\\\\\0' x >> \\"$PLAYBOOK_OUTPUT\\""`,
      'output "big" is larger than 64 KiB (outputs are never truncated)',
    ],
    [
      'outputs over 1 MiB in all',
      `command_name = "for i in $(seq 1 20); do printf k$i= >> \\"$PLAYBOOK_OUTPUT\\"; head -c 60000 /dev/zero | tr '\\\\\\\\0' x >> \\"$PLAYBOOK_OUTPUT\\"; echo >> \\"$PLAYBOOK_OUTPUT\\"; done"`,
      'the outputs pass 1 MiB in all at output "k18" (outputs are never truncated)',
    ],
    [
      'a malformed line',
      `command_name = "echo 'just text' >> \\"$PLAYBOOK_OUTPUT\\""`,
      'output file line 1: expected key=value or key<<DELIMITER (the line is not shown: it may hold a secret)',
    ],
    [
      'a missing delimiter',
      `command_name = "printf 'body<<EOF\\\\nline\\\\n' >> \\"$PLAYBOOK_OUTPUT\\""`,
      'output file line 1: the value of "body" has no closing line "EOF" (a key<<DELIMITER block ends with a line holding only the delimiter)',
    ],
    [
      'an invalid key',
      `command_name = "echo 'image-id=1' >> \\"$PLAYBOOK_OUTPUT\\""`,
      'output file line 1: invalid output key "image-id": a key is letters, digits and _',
    ],
    [
      'a missing declared output',
      `command_name = "echo image=1 >> \\"$PLAYBOOK_OUTPUT\\""
outputs = ["image", "digest"]`,
      'declared output "digest" not produced',
    ],
  ])(
    'ends the attempt nok for %s, naming it, keeps none of its outputs and stores why (show says it)',
    async (_what, fields, reason) => {
      const box = await makeSandbox();
      const file = await box.runbook('bad', 'Bad', `[write]\ntype = "Command"\n${fields}\n`);
      const result = await runCli(box, ['run', file, '--non-interactive']);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(reason);
      const state = await loadRun(box, 'Bad', 1);
      expect(attemptsOf(state, 'write')).toEqual(['nok']);
      if (!reason.startsWith('declared')) expect(state.attempts[0]?.outputs).toBeUndefined();
      // The command exited 0: without the reason stored, history showed a `nok` with exit code 0 and no why.
      expect(state.attempts[0]?.exception).toBe(reason);
      const shown = await runCli(box, ['show', 'Bad', '--run-id', '1']);
      expect(shown.stdout).toContain(`write#1: exception: ${reason}`);
    },
  );

  it('refuses an output key with invalid characters in the runbook, located, with nothing written', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'keys',
      'Keys',
      '[build]\ntype = "Command"\ncommand_name = "true"\noutputs = ["ok", "image id"]\n',
    );
    for (const command of ['validate', 'run']) {
      const result = await runCli(box, [command, file]);
      expect(result.code).toBe(1);
      const lines = `${result.stdout}${result.stderr}`.split('\n');
      expect(lines.filter((line) => line.includes('image id'))).toEqual([
        'keys.playbook.toml:11:1: error: [build.outputs] invalid output key "image id": a key is letters, digits and _ (in `outputs`)',
      ]);
    }
    expect(existsSync(box.statePath)).toBe(false);
  });

  it('refuses a read of an output its step does not declare, located with a suggestion, nothing written', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'reads',
      'Reads',
      `
[build]
type = "Command"
command_name = "echo image=app:1 >> \\"$PLAYBOOK_OUTPUT\\""
outputs = ["image"]

[ship]
type = "Command"
command_name = "echo \${{ steps.build.outputs.imgae }}"
depends_on = ["build"]
`,
    );
    for (const command of ['validate', 'run']) {
      const result = await runCli(box, [command, file]);
      expect(result.code).toBe(1);
      const lines = `${result.stdout}${result.stderr}`.split('\n');
      expect(lines.filter((line) => line.includes('imgae'))).toEqual([
        'reads.playbook.toml:15:1: error: [ship.command_name] ${{ steps.build.outputs.imgae }}: step `build` has ' +
          'no output `imgae` (did you mean `image`?); it declares `image` (at character 10 of the value)',
      ]);
    }
    expect(existsSync(box.statePath)).toBe(false);
  });

  it('never writes a secret output to the database (nor its WAL) nor to captured output; show gives ***', async () => {
    const box = await makeSandbox();
    const secret = 'tok-s3cr3t-output-value';
    // The token comes from a file, as from a vault: the runbook's text, which the history keeps (SPEC §10.1),
    // does not hold it. The step prints its own token (stored masked), and a later step prints it again.
    writeFileSync(box.path('vault.txt'), `${secret}\n`);
    const file = await box.runbook(
      'secret',
      'Secret',
      `
[login]
type = "Command"
command_name = "echo user=ops >> \\"$PLAYBOOK_OUTPUT\\"; echo token=$(cat vault.txt) >> \\"$PLAYBOOK_OUTPUT\\"; echo got $(cat vault.txt); cat vault.txt > token.txt"
secret_outputs = ["token"]

[use]
type = "Command"
command_name = "echo using $(cat token.txt); echo \\"msg=with $(cat token.txt)\\" >> \\"$PLAYBOOK_OUTPUT\\""
depends_on = ["login"]
`,
    );
    const result = await runCli(box, ['run', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('using ***');
    const state = await loadRun(box, 'Secret', 1);
    expect(state.attempts[0]).toMatchObject({
      stdout: 'got ***\n',
      outputs: { user: 'ops' },
      secretOutputs: ['token'],
    });
    expect(state.attempts[1]).toMatchObject({ stdout: 'using ***\n', outputs: { msg: 'with ***' } });
    for (const path of [box.statePath, `${box.statePath}-wal`]) {
      if (existsSync(path)) expect(readFileSync(path).includes('s3cr3t')).toBe(false);
    }
    const shown = await runCli(box, ['show', 'Secret', '--run-id', '1']);
    expect(shown.stdout).toContain('  login#1: user=ops\n  login#1: token=***\n');
    const json = JSON.parse((await runCli(box, ['show', 'Secret', '--run-id', '1', '--json'])).stdout);
    expect(json.executions[0].outputs).toEqual({ user: 'ops', token: '***' });
  });

  it('never stores nor shows a malformed output line, which may hold a secret the step meant to write', async () => {
    const box = await makeSandbox();
    writeFileSync(box.path('vault.txt'), 'tok-s3cr3t-malformed\n');
    // `token value` instead of `token=value`: the line is not an output, so nothing knows to mask it.
    const file = await box.runbook(
      'malformed',
      'Malformed',
      `
[login]
type = "Command"
command_name = "echo token $(cat vault.txt) >> \\"$PLAYBOOK_OUTPUT\\""
secret_outputs = ["token"]
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain('output file line 1: expected key=value');
    expect(result.stdout + result.stderr).not.toContain('s3cr3t');
    for (const path of [box.statePath, `${box.statePath}-wal`]) {
      if (existsSync(path)) expect(readFileSync(path).includes('s3cr3t')).toBe(false);
    }
    const shown = await runCli(box, ['show', 'Malformed', '--run-id', '1']);
    expect(shown.stdout).toContain('output file line 1');
    expect(shown.stdout).not.toContain('s3cr3t');
  });

  it('remembers outputs on resume: the failed step, run again, reads what the ok step produced before', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'resume',
      'Resume',
      `
[build]
type = "Command"
command_name = "echo run >> build-runs.txt; echo image=app:7 >> \\"$PLAYBOOK_OUTPUT\\""
outputs = ["image"]

[ship]
type = "Command"
command_name = "echo shipping \${{ steps.build.outputs.image }}; test -f ready"
depends_on = ["build"]
`,
    );
    const first = await runCli(box, ['run', file, '--non-interactive']);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('shipping app:7');
    await writeFile(box.path('ready'), '');
    const resumed = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('shipping app:7');
    expect(readFileSync(box.path('build-runs.txt'), 'utf8')).toBe('run\n');
    const state = await loadRun(box, 'Resume', 1);
    expect(attemptsOf(state, 'build')).toEqual(['ok']);
    expect(attemptsOf(state, 'ship')).toEqual(['nok', 'ok']);
  });

  it('on resume, a step reading a secret output asks for it (never stored); without an operator it ends nok naming it', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'relogin',
      'Relogin',
      `
[login]
type = "Command"
command_name = "echo token=tok-s3cr3t-value >> \\"$PLAYBOOK_OUTPUT\\""
secret_outputs = ["token"]

[use]
type = "Command"
command_name = "echo token is $T; test -f ready"
env = { T = "\${{ steps.login.outputs.token }}" }
depends_on = ["login"]
`,
    );
    const first = await runCli(box, ['run', file, '--non-interactive']);
    expect(first.code).toBe(1);
    await writeFile(box.path('ready'), '');
    const alone = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(alone.code).toBe(1);
    expect(alone.stdout + alone.stderr).toContain(
      'the secret output "token" of step "login" is not stored (secret outputs never are): resume with an operator to type it',
    );
    const typed = await runCli(box, ['resume', file, '1'], { stdin: 'tok-typed-again\n' });
    expect(typed.code).toBe(0);
    expect(typed.stdout).toContain('token is ***');
    expect(typed.stdout + typed.stderr).not.toContain('tok-typed-again');
    const state = await loadRun(box, 'Relogin', 1);
    expect(attemptsOf(state, 'login')).toEqual(['ok']);
    expect(attemptsOf(state, 'use')).toEqual(['nok', 'nok', 'ok']);
    for (const path of [box.statePath, `${box.statePath}-wal`]) {
      if (existsSync(path)) expect(readFileSync(path).includes('tok-typed-again')).toBe(false);
    }
  });
  it('on resume, a `when` that reads a secret output asks for it before it is decided', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'gate',
      'Gate',
      `
[login]
type = "Command"
command_name = "echo token=$(cat vault.txt) >> \\"$PLAYBOOK_OUTPUT\\""
secret_outputs = ["token"]

[use]
type = "Command"
command_name = "echo using the token; test -f ready"
when = "steps.login.outputs.token.startsWith('tok-')"
depends_on = ["login"]
`,
    );
    await writeFile(box.path('vault.txt'), 'tok-from-vault\n');
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await writeFile(box.path('ready'), '');
    const alone = await runCli(box, ['resume', file, '1', '--non-interactive']);
    expect(alone.code).toBe(1);
    expect(alone.stdout + alone.stderr).toContain('the secret output "token" of step "login" is not stored');
    const typed = await runCli(box, ['resume', file, '1'], { stdin: 'tok-typed-again\n' });
    expect(typed.code, typed.stdout + typed.stderr).toBe(0);
    expect(typed.stdout).toContain('using the token');
    const state = await loadRun(box, 'Gate', 1);
    expect(attemptsOf(state, 'login')).toEqual(['ok']);
    expect(attemptsOf(state, 'use').at(-1)).toBe('ok');
  });
});
