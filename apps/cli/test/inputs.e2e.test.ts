import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

const INPUTS = `
[runbook.inputs.env]
type = "string"
choices = ["staging", "prod"]
default = "staging"
description = "Target environment"

[runbook.inputs.count]
type = "integer"
min = 1
max = 9

[runbook.inputs.message]
type = "string"
`;

const NODES = `
[show]
type = "Command"
command_name = "printf '[%s]' \${{ inputs.message }} \${{ inputs.count * 2 }} \${{ inputs.env }}; echo"
description = "deploying to \${{ inputs.env }}"

[after]
type = "Command"
command_name = "echo status=\${{ steps.show.status }} \\"env=$TARGET\\""
env = { TARGET = "\${{ inputs.env }}/\${{ inputs.message }}" }
depends_on = "show"
`;

async function sandboxWith(inputs = INPUTS, nodes = NODES): Promise<{ box: Sandbox; file: string }> {
  const box = await makeSandbox();
  // The [runbook] header comes first: the inputs tables belong to it.
  const file = await box.runbook('inputs', 'Inputs', `${inputs}\n${nodes}`);
  return { box, file };
}

describe('inputs and templates, end to end (built binary, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('substitutes --var values shell-quoted: a hostile value creates no file and is printed exactly', async () => {
    const { box, file } = await sandboxWith();
    const hostile = "a'b; touch X";
    const result = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--var',
      `message=${hostile}`,
      '--var',
      'count=3',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`[${hostile}][6][staging]`);
    expect(result.stdout).toContain('deploying to staging');
    expect(result.stdout).toContain(`status=ok env=staging/${hostile}`);
    expect(existsSync(box.path('X'))).toBe(false);
  });

  it('takes values from a vars file (TOML or JSON) and PLAYBOOK_VAR_<name>; --var wins', async () => {
    const { box, file } = await sandboxWith();
    await writeFile(box.path('vars.toml'), 'message = "from-toml"\ncount = 2\nOTHER = "x"\n');
    const toml = await runCli(box, ['run', file, '--non-interactive', '--vars-file', 'vars.toml'], {
      env: { PLAYBOOK_VAR_env: 'prod' },
    });
    expect(toml.code).toBe(0);
    expect(toml.stdout).toContain('[from-toml][4][prod]');
    // One warning for the names the runbook does not declare.
    expect(toml.stderr).toBe('warning: vars.toml: ignored a name the runbook does not declare: OTHER\n');

    await writeFile(box.path('vars.json'), JSON.stringify({ message: 'from-json', count: 5 }));
    const json = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--vars-file',
      'vars.json',
      '--var',
      'count=1',
    ]);
    expect(json.code).toBe(0);
    expect(json.stdout).toContain('[from-json][2][staging]');
  });

  it('reads missing inputs first from piped answers, one line each in declaration order', async () => {
    const { box, file } = await sandboxWith();
    const result = await runCli(box, ['run', file], { stdin: '4\npiped words\n' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('? Value for input `count`: 4');
    expect(result.stdout).toContain('[piped words][8][staging]');
  });

  it('reports every bad input at once, exit 2, and creates no run', async () => {
    const { box, file } = await sandboxWith();
    const result = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--var',
      'count=x',
      '--var',
      'nope=1',
      '--var',
      'env=dev',
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'error: --var nope: the runbook declares no input `nope` (declared: env, count, message)',
      'error: --var env: "dev" is not one of "staging", "prod"',
      'error: --var count: expected an integer, not "x"',
      expect.stringMatching(
        /^error: input `message` has no value: .*\(4 problems with the inputs; nothing was run\)$/,
      ),
    ]);
    expect(existsSync(box.statePath)).toBe(false);
  });

  it('a vars file that is not valid TOML or JSON, and a value over max, are usage errors', async () => {
    const { box, file } = await sandboxWith();
    await writeFile(box.path('bad.json'), '{ "count": ');
    const bad = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--vars-file',
      'bad.json',
      '--var',
      'message=m',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --vars-file bad\.json: not valid JSON: /);
    const high = await runCli(box, [
      'run',
      file,
      '--non-interactive',
      '--var',
      'count=10',
      '--var',
      'message=m',
    ]);
    expect(high.code).toBe(2);
    expect(high.stderr).toContain('--var count: 10 is more than the maximum 9');
    expect(existsSync(box.statePath)).toBe(false);
  });

  it('never shows a secret input of the wrong type: a vars file holding the token as a number', async () => {
    const { box, file } = await sandboxWith(
      `${INPUTS}\n[runbook.inputs.token]\ntype = "string"\nsecret = true\n`,
    );
    await writeFile(box.path('vars.json'), '{ "message": "m", "count": 2, "token": 73519904 }');
    const result = await runCli(box, ['run', file, '--non-interactive', '--vars-file', 'vars.json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('vars.json: token: expected a string, not a number');
    // It said `expected a string, not 73519904`.
    expect(result.stdout + result.stderr).not.toContain('73519904');
    expect(existsSync(box.statePath)).toBe(false);
  });

  it('validate locates template problems at file:line:col with node and field', async () => {
    const { box, file } = await sandboxWith(
      INPUTS,
      `
[a]
type = "Command"
command_name = "echo \${{ inputs.nope }}"

[b]
type = "Command"
command_name = "echo '\${{ inputs.env }}'"

[c]
type = "Manual"
prompt = "\${{ steps.d.status }}"
name = "C \${{ inputs.env }}"

[d]
type = "Command"
command_name = "true"
`,
    );
    const result = await runCli(box, ['validate', file]);
    expect(result.code).toBe(1);
    const lines = (result.stdout + result.stderr).split('\n').filter((line) => line.includes('error:'));
    expect(lines).toEqual([
      expect.stringMatching(/^inputs\.playbook\.toml:25:1: error: \[a\.command_name\] unknown input `nope`/),
      expect.stringMatching(
        /^inputs\.playbook\.toml:29:1: error: \[b\.command_name\] the template .* inside shell quotes.*env/,
      ),
      expect.stringMatching(
        /^inputs\.playbook\.toml:33:1: error: \[c\.prompt\] .*`c` does not depend on `d`/,
      ),
      expect.stringMatching(/^inputs\.playbook\.toml:34:1: error: \[c\.name\] `name` takes no template/),
    ]);
  });

  it('a default that fails its own rules is located in [runbook.inputs]', async () => {
    const { box, file } = await sandboxWith(
      `
[runbook.inputs.count]
type = "integer"
default = "three"
`,
      `
[a]
type = "Command"
command_name = "true"
`,
    );
    const result = await runCli(box, ['validate', file]);
    expect(result.code).toBe(1);
    expect(result.stdout + result.stderr).toMatch(
      /inputs\.playbook\.toml:10:1: error: \[runbook\.inputs\.count\.default\] the default fails its own rules: expected an integer, not "three"/,
    );
  });

  it('stores the inputs with the run (a secret never), show lists them, resume asks nothing', async () => {
    const secret = 's3cr3t-\'quote"-value';
    const { box, file } = await sandboxWith(
      `${INPUTS}
[runbook.inputs.token]
secret = true
`,
      `
[use]
type = "Command"
command_name = '''printf '%s|\\n' "$TOKEN"; echo \${{ inputs.message }}'''
env = { TOKEN = "\${{ inputs.token }}" }

[flaky]
type = "Command"
command_name = "test -f go || { touch go; exit 1; }"
depends_on = "use"
`,
    );
    const first = await runCli(
      box,
      ['run', file, '--non-interactive', '--var', 'message=hi', '--var', 'count=2'],
      {
        env: { PLAYBOOK_VAR_token: secret },
      },
    );
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('***|');
    expect(first.stdout + first.stderr).not.toContain('s3cr3t');

    const shown = await runCli(box, ['show', 'Inputs', '--run-id', '1']);
    expect(shown.stdout).toContain('Inputs\n  count = 2\n  env = staging\n  message = hi\n  token = ***\n');
    const json = await runCli(box, ['show', 'Inputs', '--run-id', '1', '--json']);
    expect(JSON.parse(json.stdout).inputs).toEqual({ count: 2, env: 'staging', message: 'hi', token: '***' });
    expect(json.stdout).not.toContain('s3cr3t');

    // A --var that differs from the stored value: exit 2, the run untouched.
    const changed = await runCli(box, ['resume', file, '1', '--non-interactive', '--var', 'count=3'], {
      env: { PLAYBOOK_VAR_token: secret },
    });
    expect(changed.code).toBe(2);
    expect(changed.stderr).toContain('--var count: the run was started with count=2');

    // Resume with piped stdin: the stored inputs are reused, only the secret is asked (here: from the env).
    const resumed = await runCli(box, ['resume', file, '1'], {
      stdin: '',
      env: { PLAYBOOK_VAR_token: secret },
    });
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).not.toContain('Value for input');
    expect(resumed.stdout + resumed.stderr).not.toContain('s3cr3t');

    // Nowhere in the database file, nor its write-ahead log: raw or JSON-escaped.
    const forms = [secret, JSON.stringify(secret).slice(1, -1), 's3cr3t'];
    for (const path of [box.statePath, `${box.statePath}-wal`]) {
      if (!existsSync(path)) continue;
      const bytes = readFileSync(path);
      for (const form of forms) expect(bytes.includes(form)).toBe(false);
    }
  });

  it("reads a step's outputs through ${{ steps.<id>.outputs.<key> }}; a missing output ends the reader nok", async () => {
    const nodes = `
[produce]
type = "Command"
command_name = "echo image=app:1 >> \\"$PLAYBOOK_OUTPUT\\""

[consume]
type = "Command"
command_name = "echo got \${{ steps.produce.outputs.image }}"
depends_on = "produce"

[missing]
type = "Command"
command_name = "echo \${{ steps.produce.outputs.nope }}"
depends_on = "consume"
`;
    // `produce` declares no outputs: what it writes is known only at run time, so `validate` lets the read
    // of `nope` through (a declared node's unknown key is refused before the run: UNKNOWN_OUTPUT).
    const { box, file } = await sandboxWith('', nodes);
    const result = await runCli(box, ['run', file, '--non-interactive']);
    expect(result.stdout).toContain('got app:1');
    expect(result.stdout).toContain('step `produce` has no output `nope`');
    expect(result.code).toBe(1);
  });
});
