import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { PlanSchema } from '@playbook/engine/plan-schema';
import { Value } from 'typebox/value';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, loadRun, makeSandbox, runCli, type Sandbox, startCli } from './fixtures-run/e2e.js';

// `playbook plan` (SPEC §9.2) through the built binary: what it prints, and what it must never do — run a
// command, import a Function module, create or change a run history.

const RUNBOOK = `
[runbook.inputs.env]
type = "string"
choices = ["staging", "prod"]
default = "staging"

[runbook.inputs.version]
type = "string"

[runbook.inputs.token]
type = "string"
secret = true

[build]
type = "Command"
name = "Build"
command_name = "touch built.txt; echo \${{ inputs.version }}"
description = "Build \${{ inputs.version }} for \${{ inputs.env }}"
critical = true
timeout = 60

[load]
type = "Function"
function_name = "./explodes.mjs#run"
function_params = { target = "\${{ inputs.env }}", run = "\${{ run.id }}" }
depends_on = ["build"]
skippable = true

[approve]
type = "Manual"
prompt = "Ship \${{ inputs.version }} to \${{ inputs.env }}?"
depends_on = ["load"]

[deploy]
type = "Command"
command_name = "touch deployed.txt"
env = { TOKEN = "\${{ inputs.token }}", BUILD = "\${{ steps.build.status }}" }
depends_on = ["approve"]
`;

// A module that leaves a mark and throws the moment it is imported: a plan must never import it.
const EXPLODES = `
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./imported.txt', import.meta.url), 'imported');
throw new Error('imported at plan time');
export const run = () => {};
`;

async function planSandbox(): Promise<{ box: Sandbox; file: string }> {
  const box = await makeSandbox();
  const file = await box.runbook('plan', 'Plan', RUNBOOK);
  await writeFile(box.path('explodes.mjs'), EXPLODES);
  return { box, file };
}

/** The sandbox's files, the runbook's own aside: what a command left behind. */
const leftBehind = (box: Sandbox) =>
  readdirSync(box.dir).filter((name) => !['plan.playbook.toml', 'explodes.mjs', 'config'].includes(name));

describe.concurrent('playbook plan, end to end (built binary)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('numbers the steps in run order with rendered commands and prompts; runs, imports and creates nothing', async () => {
    const { box, file } = await planSandbox();
    // stdin stays open: a plan never waits for an answer, not even for the input without a value.
    const result = await startCli(box, ['plan', file, '--var', 'version=1.4.0'], {
      env: { PLAYBOOK_VAR_token: 'hunter-22-secret' },
    }).done;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toMatch(/^Plan of "Plan" · a new run · 4 steps · nothing is run\n/);
    expect(out).toContain('[1/4] Build (build) · Command · runs\n      critical · timeout 60s\n');
    expect(out).toContain('      Build 1.4.0 for staging\n');
    expect(out).toContain("      $ touch built.txt; echo '1.4.0'\n");
    expect(out).toContain('[2/4] load · Function · runs\n      after build · skippable · timeout 300s\n');
    expect(out).toContain('      ƒ ./explodes.mjs#run {"target":"staging","run":"${{ run.id }}"}\n');
    expect(out).toContain(
      '[3/4] approve · Manual · runs\n      after load\n      ? Ship 1.4.0 to staging?\n',
    );
    expect(out).toContain('[4/4] deploy · Command · runs\n');
    expect(out).toContain('      env TOKEN=***\n      env BUILD=${{ steps.build.status }}\n');
    expect(out).toContain('      known at run time: ${{ steps.build.status }}\n');
    expect(out).toMatch(/ {2}token {4}\*\*\*\n/);
    expect(out).not.toContain('hunter-22-secret');
    // Nothing ran, nothing was imported, no history was created (not even its folder).
    expect(leftBehind(box)).toEqual([]);
  });

  it('an input without a value is shown as known only when the run starts, and what reads it stays a template', async () => {
    const { box, file } = await planSandbox();
    const result = await startCli(box, ['plan', file]).done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ {2}version {2}no value yet: asked when the run starts/);
    expect(result.stdout).toContain('      $ touch built.txt; echo ${{ inputs.version }}\n');
    expect(result.stdout).toContain('known at run time: ${{ inputs.version }}');
    expect(leftBehind(box)).toEqual([]);
  });

  it('--json prints one document valid against the published schema; inputs from a vars file and the environment', async () => {
    const { box, file } = await planSandbox();
    await writeFile(box.path('vars.toml'), 'env = "prod"\nversion = "2.0.0"\nother = 1\n');
    const result = await runCli(box, ['plan', file, '--vars-file', 'vars.toml', '--json'], {
      env: { PLAYBOOK_VAR_token: 'hunter-22-secret', PLAYBOOK_VAR_version: '9.9.9' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^warning: vars.toml: ignored a name the runbook does not declare: other\n$/,
    );
    const plan = JSON.parse(result.stdout);
    expect(Value.Errors(PlanSchema, plan)).toEqual([]);
    expect(readFileSync(new URL('../../../schema/plan.schema.json', import.meta.url), 'utf8')).toContain(
      '"title": "Playbook plan"',
    );
    expect(plan.inputs).toEqual([
      { name: 'env', type: 'string', known: true, value: 'prod', secret: false },
      { name: 'version', type: 'string', known: true, value: '2.0.0', secret: false },
      { name: 'token', type: 'string', known: true, value: '***', secret: true },
    ]);
    expect(plan.steps.map((step: { nodeId: string }) => step.nodeId)).toEqual([
      'build',
      'load',
      'approve',
      'deploy',
    ]);
    expect(plan.steps[0]).toMatchObject({
      command: "touch built.txt; echo '2.0.0'",
      critical: true,
      timeoutSeconds: 60,
      condition: { decision: 'runs' },
    });
    expect(result.stdout).not.toContain('hunter-22-secret');
    expect(leftBehind(box)).toEqual(['vars.toml']);
  });

  it('a resume plan lists kept and re-run steps from the history, which it reads without changing', async () => {
    const { box, file } = await planSandbox();
    // A run that fails at `load` (its module throws when imported) — the run imports it, the plan never does.
    await writeFile(box.path('explodes.mjs'), 'export const run = () => { throw new Error("down"); };\n');
    const run = await runCli(box, ['run', file, '--non-interactive', '--var', 'version=1.0.0'], {
      env: { PLAYBOOK_VAR_token: 'hunter-22-secret' },
    });
    expect(run.code).toBe(1);
    await writeFile(box.path('explodes.mjs'), EXPLODES);
    const before = readFileSync(box.statePath);
    const stored = await loadRun(box, 'Plan', 1);

    const plan = await runCli(box, ['plan', file, '--resume'], {
      env: { PLAYBOOK_VAR_token: 'hunter-22-secret' },
    });
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(
      /^Plan of "Plan" · resume of run 1 \(nok\) · 4 steps: 1 kept, 3 run · nothing is run\n/,
    );
    expect(plan.stdout).toContain('[1/4] Build (build) · kept (ok)\n');
    expect(plan.stdout).toContain('[2/4] load · Function · runs (was nok)\n');
    // The stored inputs are the run's: a resume reuses them, and so does its plan.
    expect(plan.stdout).toContain('      ? Ship 1.0.0 to staging?\n');
    // A kept step's status is known: what reads it is rendered.
    expect(plan.stdout).toContain('      env BUILD=ok\n');
    expect(plan.stdout).not.toContain('hunter-22-secret');

    const only = await runCli(box, ['plan', file, '--resume', '1', '--node', 'build', '--only', '--json']);
    expect(only.code).toBe(0);
    const onlyPlan = JSON.parse(only.stdout);
    expect(onlyPlan.resume).toMatchObject({ runId: 1, status: 'nok', node: 'build', rerun: 'only' });
    expect(onlyPlan.steps.map((step: { action: string }) => step.action)).toEqual([
      'run',
      'keep',
      'keep',
      'keep',
    ]);
    const down = await runCli(box, ['plan', file, '--resume', '--node', 'load', '--downstream']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('from load: that step and every step that depends on it run again\n');
    expect(down.stdout).toContain('[1/4] Build (build) · kept (ok)\n');
    expect(down.stdout).toContain('[4/4] deploy · Command · runs\n');

    // Re-run alone, a step after one that never ran is blocked, as the resume would find it.
    const alone = await runCli(box, ['plan', file, '--resume', '--node', 'deploy', '--only']);
    expect(alone.stdout).toContain(
      '[4/4] deploy · Command · blocked: it needs "approve", which is kept pending\n',
    );

    // Nothing ran, nothing was imported, the history is as it was.
    expect(box.exists('imported.txt')).toBe(false);
    expect(box.exists('deployed.txt')).toBe(false);
    expect(readFileSync(box.statePath).equals(before)).toBe(true);
    expect(await loadRun(box, 'Plan', 1)).toEqual(stored);
  });

  it('an approval gate: the plan says the run stops there (exit 3); on a run waiting at it, that a resume waits again until it is approved', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'gate',
      'Gated',
      `
[build]
type = "Command"
command_name = "echo built"

[prod_gate]
type = "Manual"
prompt = "Ship it?"
depends_on = ["build"]
approval = { approvers = ["alice", "bob"], min = 2 }

[deploy]
type = "Command"
command_name = "echo deployed"
depends_on = ["prod_gate"]
`,
    );
    const as = (operator: string) => ({ env: { PLAYBOOK_OPERATOR: operator } });
    const fresh = await runCli(box, ['plan', file]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain(
      '[2/3] prod_gate · Manual · waits for approval: the run stops here (exit 3) until it is approved\n' +
        '      after build\n' +
        '      approvers: alice, bob (2 approvals)\n',
    );
    expect((await runCli(box, ['run', file, '--non-interactive'], as('dave'))).code).toBe(3);
    expect((await runCli(box, ['approve', 'Gated', '1', 'prod_gate'], as('alice'))).code).toBe(0);
    const waiting = await runCli(box, ['plan', file, '--resume']);
    expect(waiting.code, waiting.stderr).toBe(0);
    expect(waiting.stdout).toContain(
      '! run 1 waits for approval: "prod_gate" by alice, bob (2 of them must approve; approved so far: alice). Until it is given, a resume stops there again (exit 3) and runs nothing; once it is, the gate is kept ok and the steps after it run\n',
    );
    expect(waiting.stdout).toContain(
      '[2/3] prod_gate · Manual · waiting for approval: a resume stops here again (exit 3) until it is approved\n' +
        '      after build\n' +
        '      approvers: alice, bob (2 approvals; approved so far: alice)\n',
    );
    const json = JSON.parse((await runCli(box, ['plan', file, '--resume', '--json'])).stdout);
    expect(Value.Errors(PlanSchema, json)).toEqual([]);
    expect(json.steps[1].approval).toEqual({
      approvers: ['alice', 'bob'],
      min: 2,
      notStarter: false,
      waiting: true,
      approvedBy: ['alice'],
    });
    // Opened: the gate is kept ok, only the step after it runs.
    expect((await runCli(box, ['approve', 'Gated', '1', 'prod_gate'], as('bob'))).code).toBe(0);
    const open = await runCli(box, ['plan', file, '--resume']);
    expect(open.stdout).toContain('[2/3] prod_gate · kept (ok)\n');
    expect(open.stdout).toContain('[3/3] deploy · Command · runs\n');
    expect(open.stdout).not.toContain('for approval');
  });

  it('a resume of a changed runbook: the plan names the changed steps as the resume warning does', async () => {
    const box = await makeSandbox();
    const nodes = `
[a]
type = "Command"
command_name = "echo a"

[b]
type = "Command"
command_name = "exit 1"
depends_on = ["a"]

[c]
type = "Command"
command_name = "echo c"
depends_on = ["b"]
`;
    const file = await box.runbook('changed', 'Changed', nodes);
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    await writeFile(
      box.path(file),
      `${box.read(file).replace('exit 1', 'echo fixed')}\n[d]\ntype = "Command"\ncommand_name = "echo d"\n`,
    );
    const warning = '! The runbook file changed since this run started.\n  changed: b\n  added:   d\n';
    const plan = await runCli(box, ['plan', file, '--resume']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(warning);
    const json = JSON.parse((await runCli(box, ['plan', file, '--resume', '--json'])).stdout);
    expect(json.resume.changes).toEqual({ added: ['d'], removed: [], changed: ['b'] });
    const resume = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stdout).toContain(warning);
  });

  it('a re-run of a run that ended ok needs its id, and the plan says the resume needs a reason', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('ok', 'Ok', '[a]\ntype = "Command"\ncommand_name = "echo a >> ran.txt"\n');
    expect((await runCli(box, ['run', file])).code).toBe(0);
    const plan = await runCli(box, ['plan', file, '--resume', '1', '--node', 'a', '--only']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('! run 1 ended ok: the resume needs --reason <text>, which is recorded\n');
    expect(plan.stdout).toContain('[1/1] a · Command · runs (was ok)\n');
    const refused = await runCli(box, ['plan', file, '--resume', '1']);
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: run 1 of "Ok" ended ok: there is nothing to resume\n',
    });
    expect(box.read('ran.txt')).toBe('a\n');
  });

  it('bad input: one line naming the problem, exit 1 or 2, nothing written', async () => {
    const { box, file } = await planSandbox();
    await writeFile(box.path('broken.playbook.toml'), '[runbook]\ntitle = "x"\n');
    const cases: [string[], number, RegExp][] = [
      [['--only'], 2, /^error: --only needs --node <id>: the step to run again\n/],
      [['--downstream'], 2, /^error: --downstream needs --node <id>/],
      [
        ['--resume', '--node', 'build', '--only', '--downstream'],
        2,
        /^error: give --only or --downstream, not both\n/,
      ],
      [['--node', 'build'], 2, /^error: --node goes with --resume/],
      [['3'], 2, /^error: a run id goes with --resume/],
      [['--resume', 'abc'], 2, /^error: run_id must be a positive integer run id, got "abc"\n/],
      [['--var', 'nope=1'], 2, /^error: --var nope: the runbook declares no input `nope`/],
      [
        ['--var', 'env=dev'],
        2,
        /^error: --var env: "dev" is not one of "staging", "prod" \(nothing was run\)\n$/,
      ],
      [['--vars-file', 'missing.toml'], 2, /^error: --vars-file missing.toml: cannot be read \(ENOENT\)/],
      [['--resume'], 1, /^error: no run history yet: .* does not exist, so there is no run to resume\n$/],
      [['--json', '--bogus'], 2, /^error: unknown option --bogus for plan/],
    ];
    for (const [args, code, stderr] of cases) {
      const result = await runCli(box, ['plan', file, ...args]);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code, stdout: '' });
      expect(result.stderr, args.join(' ')).toMatch(stderr);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    const missing = await runCli(box, ['plan', 'nowhere.playbook.toml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nowhere\.playbook\.toml/);
    const invalid = await runCli(box, ['plan', 'broken.playbook.toml']);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(
      /broken\.playbook\.toml is invalid \(\d+ errors?\); nothing was planned\.\n$/,
    );
    expect(leftBehind(box)).toEqual(['broken.playbook.toml']);
  });

  it('decides each `when` where the inputs allow, and shows run_if, retry, cwd and expected duration', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'conditions',
      'Conditions',
      `
[runbook.inputs.env]
type = "string"
default = "prod"

[migrate]
type = "Command"
command_name = "touch migrated.txt"
when = 'inputs.env == "prod"'
retry = { attempts = 3, delay = 5, backoff = 2.0, exit_codes = [75] }
expected_duration = 30
cwd = "db/\${{ inputs.env }}"

[seed]
type = "Command"
command_name = "touch seeded.txt"
when = 'inputs.env == "staging"'

[check]
type = "Command"
command_name = "true"
depends_on = ["migrate"]
when = 'steps.migrate.status == "ok"'

[rollback]
type = "Command"
command_name = "touch rolled-back.txt"
depends_on = ["migrate"]
run_if = "failure"

[cleanup]
type = "Command"
command_name = "touch cleaned.txt"
depends_on = ["check", "rollback"]
run_if = "always"
`,
    );
    const result = await runCli(box, ['plan', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(
      '[1/5] migrate · Command · runs (when: inputs.env == "prod")\n' +
        '      timeout 300s · retry: 3 attempts, 5s apart ×2, exit code 75 · cwd db/prod · expected 30s\n',
    );
    expect(out).toContain('[2/5] seed · Command · skipped: inputs.env == "staging"\n');
    expect(out).toContain(
      '[3/5] check · Command · decided at run time: steps.migrate.status == "ok" (it reads steps.migrate)\n',
    );
    expect(out).toContain(
      '[4/5] rollback · Command · decided at run time (run_if = "failure": it runs only if a step it depends on ends nok)\n' +
        '      after migrate · run_if failure: only when a dependency ends nok',
    );
    expect(out).toContain('[5/5] cleanup · Command · runs\n      after check, rollback · run_if always:');
    const staging = JSON.parse((await runCli(box, ['plan', file, '--var', 'env=staging', '--json'])).stdout);
    expect(Value.Errors(PlanSchema, staging)).toEqual([]);
    expect(staging.steps.map((step: { condition: { decision: string } }) => step.condition.decision)).toEqual(
      // migrate is skipped by its `when`: the rollback (run_if failure) after it is skipped for certain.
      ['skipped', 'runs', 'decided at run time', 'skipped', 'runs'],
    );
    expect(staging.steps[0]).toMatchObject({
      cwd: 'db/staging',
      retry: { attempts: 3, delaySeconds: 5, backoff: 2, exitCodes: [75] },
      expectedDurationSeconds: 30,
    });
    expect(staging.steps.map((step: { runIf: string }) => step.runIf)).toEqual([
      'success',
      'success',
      'success',
      'failure',
      'always',
    ]);
    // Nothing ran: no marker file, no history.
    expect(readdirSync(box.dir)).toEqual(['conditions.playbook.toml']);
  });

  it('text from the runbook and the inputs is shown, never obeyed: control characters made visible', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'hostile',
      'Hostile \\u001b]0;pwned\\u0007',
      `
[runbook.inputs.who]
type = "string"

[greet]
type = "Command"
name = "Greet \\u001b[2J"
command_name = "echo \\u009b31m \${{ inputs.who }}"
description = "line one\\u001b[1A"
`,
    );
    const result = await runCli(box, ['plan', file, '--var', 'who=\u001b[31mred']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(result.stdout).toContain('Plan of "Hostile ␛]0;pwned␇"');
    expect(result.stdout).toContain('Greet ␛[2J');
    expect(result.stdout).toContain("$ echo \\u009b31m '␛[31mred'");
    const json = await runCli(box, ['plan', file, '--var', 'who=\u001b[31mred', '--json']);
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u009b]/);
    expect(JSON.parse(json.stdout).workflow).toBe('Hostile \u001b]0;pwned\u0007');
  });

  it('the default timeout comes from the config file, as for a run', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('timeout', 'Timeout', '[a]\ntype = "Command"\ncommand_name = "true"\n');
    await mkdir(box.path('config/playbook'), { recursive: true });
    await writeFile(box.path('config/playbook/config.toml'), 'default_timeout_seconds = 42\n');
    const result = await runCli(box, ['plan', file]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('[1/1] a · Command · runs\n      timeout 42s\n');
  });

  it('the conditions a plan decides are those the run then takes: skipped steps are recorded skipped (condition)', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'agree',
      'Agree',
      `
[runbook.inputs.env]
type = "string"
default = "prod"

[migrate]
type = "Command"
command_name = "echo migrate >> ran.txt"
when = 'inputs.env == "prod"'

[seed]
type = "Command"
command_name = "echo seed >> ran.txt"
when = 'inputs.env == "staging"'

[report]
type = "Command"
command_name = "echo report >> ran.txt"
depends_on = ["migrate", "seed"]
`,
    );
    const planned = JSON.parse((await runCli(box, ['plan', file, '--json'])).stdout);
    const decisions = Object.fromEntries(
      planned.steps.map((step: { nodeId: string; condition: { decision: string } }) => [
        step.nodeId,
        step.condition.decision,
      ]),
    );
    expect(decisions).toEqual({ migrate: 'runs', seed: 'skipped', report: 'runs' });
    const run = await runCli(box, ['run', file, '--non-interactive']);
    expect(run.code).toBe(0);
    expect(box.read('ran.txt')).toBe('migrate\nreport\n');
    const state = await loadRun(box, 'Agree', 1);
    const seed = state.attempts.filter((attempt) => attempt.nodeId === 'seed');
    expect(seed.map((attempt) => [attempt.status, attempt.operatorDecision])).toEqual([
      ['skipped', 'condition'],
    ]);
  });

  it('docs/plan.md: the JSON example is a valid plan document', () => {
    const page = readFileSync(new URL('../../../docs/plan.md', import.meta.url), 'utf8');
    const example = /^```json\n([\s\S]*?)^```/m.exec(page)?.[1];
    expect(example).toBeDefined();
    expect(Value.Errors(PlanSchema, JSON.parse(example ?? ''))).toEqual([]);
  });

  it('resume bad input against a real history: an unknown node, an unknown run (exit 2 / 1), history unchanged', async () => {
    const { box, file } = await planSandbox();
    await writeFile(box.path('explodes.mjs'), 'export const run = () => { throw new Error("down"); };\n');
    expect(
      (
        await runCli(box, [
          'run',
          file,
          '--non-interactive',
          '--var',
          'version=1.0.0',
          '--var',
          'token=abcd-efg',
        ])
      ).code,
    ).toBe(1);
    const before = readFileSync(box.statePath);
    const ghost = await runCli(box, ['plan', file, '--resume', '--node', 'ghost', '--only']);
    expect(ghost).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: node "ghost" is not in the runbook\n',
    });
    const unknown = await runCli(box, ['plan', file, '--resume', '7']);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'error: workflow "Plan" has no run 7\n' });
    expect(readFileSync(box.statePath).equals(before)).toBe(true);
  });
});
