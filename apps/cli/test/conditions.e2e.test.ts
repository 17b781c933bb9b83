import { mkdir } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, loadRun, makeSandbox, runCli, startCli, waitFor } from './fixtures-run/e2e.js';

// The node fields of SPEC §8.4 (when, run_if, retry, cwd, expected_duration) through the built binary.

/** `validate` of one node table: the problem lines it prints (file:line:col: error: [node.field] …). */
async function validateNode(node: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const box = await makeSandbox();
  const file = await box.runbook(
    'bad',
    'Bad',
    `[runbook.inputs.env]\ntype = "string"\ndefault = "staging"\n\n[first]\ntype = "Command"\ncommand_name = "true"\n\n${node}`,
  );
  return runCli(box, ['validate', file]);
}

describe('bad input of when, run_if, retry, cwd and expected_duration: one located line each, exit 1', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  const cases: [string, string, string][] = [
    [
      'a non-boolean when',
      'when = "inputs.env"',
      '[step.when] `when` must be a boolean expression (true or false), but `inputs.env` is of type string',
    ],
    [
      'a when that reads a step it does not depend on',
      'when = "steps.first.status == \'ok\'"',
      '[step.when] `when`: `step` does not depend on `first`',
    ],
    [
      'run_if not one of the three',
      'run_if = "on_error"',
      '[step.run_if] `run_if` must be one of "success", "failure", "always", not a string ("on_error")',
    ],
    [
      'retry.attempts below 0',
      'retry = { attempts = -1 }',
      '[step.retry.attempts] `retry.attempts` must be a whole number ≥ 0 (tries in all), not -1',
    ],
    [
      'retry.attempts not an integer',
      'retry = { attempts = 2.5 }',
      '[step.retry.attempts] `retry.attempts` must be a whole number ≥ 0 (tries in all), not 2.5',
    ],
    [
      'a negative retry.delay',
      'retry = { attempts = 2, delay = -5 }',
      '[step.retry.delay] `retry.delay` must be a number of seconds ≥ 0, not -5',
    ],
    [
      'retry.backoff below 1',
      'retry = { attempts = 2, backoff = 0.5 }',
      "[step.retry.backoff] `retry.backoff` must be a number ≥ 1 (the delay's factor after each try), not 0.5",
    ],
    [
      'an exit code 0',
      'retry = { attempts = 2, exit_codes = [0] }',
      '[step.retry.exit_codes] `retry.exit_codes` holds 0: an exit code to retry is a whole number from 1 to 255',
    ],
    [
      'an exit code above 255',
      'retry = { attempts = 2, exit_codes = [75, 256] }',
      '[step.retry.exit_codes] `retry.exit_codes` holds 256: an exit code to retry is a whole number from 1 to 255',
    ],
    [
      'an expected_duration that is not positive',
      'expected_duration = 0',
      '[step.expected_duration] `expected_duration` must be a positive number of seconds, not 0',
    ],
    [
      'an env value that is not a string',
      'env = { PORT = 8080 }',
      '[step.env.PORT] the value of `PORT` must be a string (write it in quotes), not 8080',
    ],
    [
      'an invalid env name',
      'env = { "1BAD" = "x" }',
      '[step.env.1BAD] "1BAD" is not an environment variable name',
    ],
  ];

  for (const [what, line, expected] of cases) {
    it(`refuses ${what}`, async () => {
      const result = await validateNode(`[step]\ntype = "Command"\ncommand_name = "true"\n${line}\n`);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain(expected);
      expect(result.stdout + result.stderr).toMatch(/bad\.playbook\.toml:\d+:\d+: error: \[step\./);
      expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('refuses retry on a Manual node', async () => {
    const result = await validateNode('[step]\ntype = "Manual"\nprompt = "p"\nretry = { attempts = 3 }\n');
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toContain(
      '[step.retry] `retry` is for Command and Function nodes: a Manual step is retried by its operator',
    );
  });

  it('accepts every field used well', async () => {
    const result = await validateNode(
      [
        '[step]',
        'type = "Command"',
        'command_name = "true"',
        'depends_on = "first"',
        "when = \"inputs.env == 'prod' && steps.first.status == 'ok'\"",
        'run_if = "always"',
        'cwd = "sub/${{ inputs.env }}"',
        'retry = { attempts = 3, delay = 1, backoff = 2.0, exit_codes = [75, 124] }',
        'expected_duration = 30',
      ].join('\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

/** A run's attempts as `node#attempt:status/decision`, in the order they were written. */
async function history(box: Awaited<ReturnType<typeof makeSandbox>>, title: string, runId = 1) {
  const state = await loadRun(box, title, runId);
  return {
    status: state.run.status,
    attempts: state.attempts.map(
      (a) =>
        `${a.nodeId}#${a.attempt}:${a.status}${a.operatorDecision === null ? '' : `/${a.operatorDecision}`}`,
    ),
    state,
  };
}

// A deployment with a rollback (run_if = "failure") and a cleanup (run_if = "always").
const DEPLOY = (deploy: string) => `
[runbook.inputs.env]
type = "string"
default = "staging"

[build]
type = "Command"
command_name = "echo build >> marks"

[prod-only]
type = "Command"
command_name = "echo prod-only >> marks"
depends_on = ["build"]
when = "inputs.env == 'prod'"

[deploy]
type = "Command"
command_name = "${deploy}"
depends_on = ["prod-only"]

[verify]
type = "Command"
command_name = "echo verify >> marks"
depends_on = ["deploy"]

[rollback]
type = "Command"
command_name = "echo rollback >> marks"
depends_on = ["deploy"]
run_if = "failure"

[cleanup]
type = "Command"
command_name = "echo cleanup >> marks"
depends_on = ["verify", "rollback"]
run_if = "always"
`;

describe('conditions, cleanup steps and retries, end to end (built binary, real SQLite, real shells)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('all well: when false keeps its dependents running, the rollback is skipped (run_if), cleanup runs, ok', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('deploy', 'Deploy', DEPLOY('echo deploy >> marks'));
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(box.read('marks').split('\n').filter(Boolean)).toEqual(['build', 'deploy', 'verify', 'cleanup']);
    const { status, attempts, state } = await history(box, 'Deploy');
    expect(status).toBe('ok');
    expect(attempts).toEqual([
      'build#1:ok',
      'prod-only#1:skipped/condition',
      'deploy#1:ok',
      'verify#1:ok',
      'rollback#1:skipped/run_if',
      'cleanup#1:ok',
    ]);
    expect(state.attempts[1]?.resultText).toBe("inputs.env == 'prod'");
    expect(result.stdout).toMatch(/prod-only skipped · attempt 1 · .* · decision: condition/);
  });

  it('a failure: the rollback and the cleanup run, the run stays nok', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('deploy', 'Deploy', DEPLOY('echo deploy >> marks; exit 3'));
    const result = await runCli(box, ['run', file, '--non-interactive', '--var', 'env=prod']);
    expect(result.code).toBe(1);
    expect(box.read('marks').split('\n').filter(Boolean)).toEqual([
      'build',
      'prod-only',
      'deploy',
      'rollback',
      'cleanup',
    ]);
    const { status, attempts } = await history(box, 'Deploy');
    expect(status).toBe('nok');
    expect(attempts).toEqual([
      'build#1:ok',
      'prod-only#1:ok',
      'deploy#1:nok',
      'rollback#1:ok',
      'cleanup#1:ok',
    ]);
    expect(result.stdout).toContain('Failed: deploy — exit code 3');
  });

  it('answering abort still runs the rollback and the cleanup, says so, and the run stays aborted', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('deploy', 'Deploy', DEPLOY('echo deploy >> marks; exit 3'));
    const result = await runCli(box, ['run', file], { stdin: 'a\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      '! Aborting: the rollback and cleanup steps whose dependencies have ended still run (rollback, cleanup)',
    );
    const { status, attempts } = await history(box, 'Deploy');
    expect(status).toBe('aborted');
    expect(attempts).toEqual([
      'build#1:ok',
      'prod-only#1:skipped/condition',
      'deploy#1:nok/abort',
      'rollback#1:ok',
      'cleanup#1:ok',
    ]);
  });

  it('Ctrl-C: the cleanup still runs (the terminal says so), a second Ctrl-C skips it; exit 130, aborted', async () => {
    const runbook = `
[slow]
type = "Command"
command_name = "echo started > started; sleep 30"

[cleanup]
type = "Command"
command_name = "echo cleaning > cleaning; sleep \${CLEANUP_SLEEP:-0}; echo cleaned > cleaned"
depends_on = ["slow"]
run_if = "always"
`;
    for (const second of [false, true]) {
      const box = await makeSandbox();
      const file = await box.runbook('slow', 'Slow', runbook);
      const run = startCli(box, ['run', file, '--non-interactive'], {
        env: { CLEANUP_SLEEP: second ? '30' : '0' },
      });
      await waitFor(() => box.exists('started'), 'the slow step');
      run.child.kill('SIGINT');
      if (second) {
        await waitFor(() => box.exists('cleaning'), 'the cleanup step');
        run.child.kill('SIGINT');
      }
      const result = await run.done;
      expect(result.code).toBe(130);
      expect(result.stdout).toContain(
        '! Aborting: the rollback and cleanup steps whose dependencies have ended',
      );
      expect(result.stdout).toContain('press Ctrl-C again to skip them');
      const { status, attempts } = await history(box, 'Slow');
      expect(status).toBe('aborted');
      if (second) {
        expect(result.stderr).toContain('Skipping the remaining rollback and cleanup steps');
        expect(box.exists('cleaned')).toBe(false);
        expect(attempts).toEqual(['slow#1:nok/interrupted', 'cleanup#1:nok/interrupted']);
      } else {
        expect(box.exists('cleaned')).toBe(true);
        expect(attempts).toEqual(['slow#1:nok/interrupted', 'cleanup#1:ok']);
      }
    }
  }, 60_000);

  it('after Ctrl-C a cleanup step that asks the operator is asked (piped answers)', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'ask',
      'Ask',
      `
[slow]
type = "Command"
command_name = "echo started > started; sleep 30"

[check]
type = "Manual"
prompt = "Is the service back?"
depends_on = ["slow"]
run_if = "always"
`,
    );
    const run = startCli(box, ['run', file], { stdin: 'ok\nall back\n' });
    await waitFor(() => box.exists('started'), 'the slow step');
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const { status, attempts, state } = await history(box, 'Ask');
    expect(status).toBe('aborted');
    expect(attempts).toEqual(['slow#1:nok/interrupted', 'check#1:ok/ok']);
    expect(state.attempts[1]?.resultText).toBe('all back');
  });

  it('a retry policy with delay and backoff records the right number of attempts, each retried one auto-retry', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'flaky',
      'Flaky',
      `
[flaky]
type = "Command"
command_name = "echo $PLAYBOOK_ATTEMPT >> tries; test $(wc -l < tries) -ge 3"
retry = { attempts = 4, delay = 0.2, backoff = 2.0 }

[never]
type = "Command"
command_name = "exit 7"
retry = { attempts = 2, exit_codes = [75] }
`,
    );
    const started = Date.now();
    const result = await runCli(box, ['run', file, '--non-interactive', '--retries', '9']);
    // Two waits: 0.2 s, then 0.4 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('↻ flaky retrying automatically in 200ms (try 2 of 4)');
    expect(result.stdout).toContain('↻ flaky retrying automatically in 400ms (try 3 of 4)');
    const { attempts } = await history(box, 'Flaky');
    // `never` exits 7, which its policy does not list: not retried, --retries notwithstanding.
    expect(attempts).toEqual([
      'flaky#1:nok/auto-retry',
      'flaky#2:nok/auto-retry',
      'flaky#3:ok',
      'never#1:nok',
    ]);
  });

  it('retries a timeout only when 124 is listed', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'slow',
      'Timeouts',
      `
[listed]
type = "Command"
command_name = "sleep 5"
timeout = 0.3
retry = { attempts = 2, exit_codes = [124] }

[unlisted]
type = "Command"
command_name = "sleep 5"
timeout = 0.3
retry = { attempts = 3 }
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code).toBe(1);
    const { attempts } = await history(box, 'Timeouts');
    expect(attempts).toEqual(['listed#1:nok/auto-retry', 'listed#2:nok', 'unlisted#1:nok']);
  });

  it('cwd: relative to the runbook with templates; a missing folder is a clear nok, not a crash', async () => {
    const box = await makeSandbox();
    await mkdir(box.path('app/staging'), { recursive: true });
    const file = await box.runbook(
      'cwd',
      'Cwd',
      `
[runbook.inputs.env]
type = "string"
default = "staging"

[here]
type = "Command"
command_name = "pwd > where"
cwd = "app/\${{ inputs.env }}"

[missing]
type = "Command"
command_name = "true"
cwd = "no/such/folder"
retry = { attempts = 3 }
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code).toBe(1);
    expect(box.read('app/staging/where').trim()).toBe(box.path('app/staging'));
    expect(result.stdout).toContain(
      `could not start the command: cannot run command in ${box.path('no/such/folder')}: the working directory does not exist`,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // Stored as that one line too: it was the error's stack, frames of the bundle's chunks included, which
    // `show --json` and the incident report printed.
    const state = await loadRun(box, 'Cwd', 1);
    expect(state.attempts.find((a) => a.nodeId === 'missing')?.exception).toBe(
      `could not start the command: cannot run command in ${box.path('no/such/folder')}: the working directory does not exist`,
    );
    const { attempts } = await history(box, 'Cwd');
    expect(attempts[0]).toBe('here#1:ok');
    expect(attempts.filter((a) => a.startsWith('missing#'))).toHaveLength(3);
  });

  it('a when or a template that fails at run time ends the attempt nok and is not retried', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'broken',
      'Broken',
      `
[first]
type = "Command"
command_name = "true"

[reads]
type = "Command"
command_name = "true"
depends_on = ["first"]
when = "steps.first.outputs.missing == 'x'"
retry = { attempts = 3 }

[renders]
type = "Command"
command_name = "echo \${{ steps.first.outputs.missing }}"
depends_on = ["first"]
retry = { attempts = 3 }
`,
    );
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('step `first` has no output `missing`');
    const { attempts } = await history(box, 'Broken');
    expect(attempts).toEqual(['first#1:ok', 'reads#1:nok', 'renders#1:nok']);
  });

  it('expected_duration: overdue is shown once in the terminal and once as an overdue event', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'late',
      'Late',
      `
[late]
type = "Command"
command_name = "sleep 1"
expected_duration = 0.2
`,
    );
    const human = await runCli(box, ['run', file, '--non-interactive']);
    expect(human.code).toBe(0);
    expect(human.stdout.match(/late is overdue: expected 200ms/g)).toHaveLength(1);
    const json = await runCli(box, ['run', file, '--non-interactive', '--json']);
    const overdue = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; nodeId?: string; expectedSeconds?: number })
      .filter((event) => event.type === 'overdue');
    expect(overdue).toMatchObject([{ nodeId: 'late', expectedSeconds: 0.2 }]);
  });

  it('a v1 runbook runs as before: --retries retries without a word of the retry policy', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('v1', 'V1', '[a]\ntype = "Command"\ncommand_name = "exit 1"\n');
    const result = await runCli(box, ['run', file, '--non-interactive', '--retries', '1', '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('retry-wait');
    expect(result.stderr).not.toContain('retrying automatically');
    expect((await history(box, 'V1')).attempts).toEqual(['a#1:nok/auto-retry', 'a#2:nok']);
  });
});
