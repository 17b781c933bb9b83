import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli } from './fixtures-run/e2e.js';

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
