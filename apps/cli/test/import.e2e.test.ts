// `playbook import` through the built binary: files in a temporary folder, runbooks written for these tests in
// the Python prototype's format (one construct each), and the converted result validated and run for real.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

const META = `[runbook]
title = "Imported"
description = "written for the prototype"
version = "1.0.0"
author = "tests"
created_at = "2025-01-20T12:00:00Z"
`;

const V1 = `[variables]
APP = { default = "shop", description = "Application" }
ENV = { required = true, choices = ["dev", "prod"] }
REPLICAS = { default = 2, type = "int" }

${META}
[build]
type = "Command"
command_name = "echo 'building {{ APP }}' for {{ ENV }} x{{ REPLICAS }}"

[approve]
type = "Manual"
prompt_after = "Deploy {{ APP }} to {{ ENV }}?"
`;

async function sandboxWith(files: Record<string, string>): Promise<Sandbox> {
  const box = await makeSandbox();
  for (const [name, text] of Object.entries(files)) await writeFile(box.path(name), text);
  return box;
}

beforeAll(() => {
  ensureBuilt();
}, 180_000);

describe('playbook import', () => {
  it('writes <name>.imported.playbook.toml, prints each change with its line, and the result validates', async () => {
    const box = await sandboxWith({ 'old.playbook.toml': V1 });
    const imported = await runCli(box, ['import', 'old.playbook.toml']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Wrote old.imported.playbook.toml');
    expect(imported.stderr).toContain('old.playbook.toml:2: change: [variables.APP] → [runbook.inputs.APP]');
    expect(imported.stderr).toContain(
      'old.playbook.toml:17: change: [approve.depends_on] none given: the prototype ran it after the previous node, now written out as ["build"]',
    );
    expect(imported.stderr).toContain(
      "old.playbook.toml:15: change: [build.command_name] inside the command's quotes, so passed through env: $APP",
    );
    const text = box.read('old.imported.playbook.toml');
    expect(text).toContain('[runbook.inputs.ENV]');
    expect(text).toContain(
      `command_name = "echo 'building '\\"$APP\\" for \${{ inputs.ENV }} x\${{ inputs.REPLICAS }}"`,
    );
    const validated = await runCli(box, ['validate', '--strict', 'old.imported.playbook.toml']);
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);

    // The converted runbook runs with the values the prototype's flat vars file gives (names it does not
    // declare, a list among them, are ignored with a warning); the Manual step gets its answer piped.
    await writeFile(
      box.path('dev.vars.toml'),
      'APP = "shop-dev"\nENV = "dev"\nREPLICAS = 3\nSERVICES = ["api", "web"]\n',
    );
    const run = await runCli(box, ['run', 'old.imported.playbook.toml', '--vars-file', 'dev.vars.toml'], {
      stdin: 'ok\n\n',
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toContain('building shop-dev for dev x3');
    expect(run.stderr).toContain('ignored a name the runbook does not declare: SERVICES');
  }, 60_000);

  it('never overwrites without --force, and prints the result with --output -', async () => {
    const box = await sandboxWith({ 'old.playbook.toml': V1, 'taken.playbook.toml': 'keep me\n' });
    const refused = await runCli(box, ['import', 'old.playbook.toml', '--output', 'taken.playbook.toml']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'error: taken.playbook.toml already exists; not overwriting it (use --force to replace it)',
    );
    expect(box.read('taken.playbook.toml')).toBe('keep me\n');
    const forced = await runCli(box, [
      'import',
      'old.playbook.toml',
      '--output',
      'taken.playbook.toml',
      '--force',
    ]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(box.read('taken.playbook.toml')).toContain('[runbook.inputs.APP]');
    const printed = await runCli(box, ['import', 'old.playbook.toml', '--output', '-']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toBe(box.read('taken.playbook.toml'));
    const badName = await runCli(box, ['import', 'old.playbook.toml', '--output', 'new.toml']);
    expect(badName.code).toBe(2);
  }, 60_000);

  it.each([
    ['not TOML', `${META}\n[a]\ntype = "Command\n`, /^bad\.playbook\.toml:9:\d+: error: \[a\] invalid TOML/m],
    [
      'a cycle',
      `${META}\n[a]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["b:success"]\n\n[b]\ntype = "Command"\ncommand_name = "true"\ndepends_on = "a"\n`,
      /^bad\.playbook\.toml:\d+: error: \[\w\.depends_on\] .*cycle.*a → b → a|b → a → b/m,
    ],
    [
      'a variable name that cannot be an input name',
      `[variables]\n"APP-NAME" = "x"\n\n${META}\n[a]\ntype = "Manual"\n`,
      /^bad\.playbook\.toml:2: error: \[variables\.APP-NAME\] the variable name `APP-NAME` is not a valid input name/m,
    ],
    [
      'a condition naming a node that does not exist',
      `${META}\n[a]\ntype = "Command"\ncommand_name = "true"\nwhen = "{{ has_failed('deploy') }}"\n`,
      /^bad\.playbook\.toml:11: error: \[a\.when\] the condition reads node `deploy`, which this runbook does not have$/m,
    ],
  ])(
    'refuses %s: one clear line, exit 1, nothing written',
    async (_, text, line) => {
      const box = await sandboxWith({ 'bad.playbook.toml': text });
      const result = await runCli(box, ['import', 'bad.playbook.toml']);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(line);
      expect(result.stderr).toContain('Nothing was written: bad.playbook.toml was not converted.');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(box.path('bad.imported.playbook.toml'))).toBe(false);
    },
    30_000,
  );

  it('warns about an unknown plugin and a condition outside the subset, and --strict writes nothing for them', async () => {
    const text = `[variables]\nSERVICES = { default = "api" }\n\n${META}
[tell]
type = "Function"
plugin = "slack"
function = "send_message"
function_params = { text = "hi" }

[loop]
type = "Command"
command_name = "true"
when = "{{ SERVICES | join(',') == 'api' }}"
`;
    const box = await sandboxWith({ 'odd.playbook.toml': text });
    const strict = await runCli(box, ['import', 'odd.playbook.toml', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /^odd\.playbook\.toml:13: warning: \[tell\.plugin\] the plugin function slack\.send_message has no equivalent here/m,
    );
    expect(strict.stderr).toMatch(
      /^odd\.playbook\.toml:20: warning: \[loop\.when\] the filter `join` with arguments; the step never runs until you write the condition \(when = "false"\): kept as a comment$/m,
    );
    expect(strict.stderr).toContain('Nothing was written: --strict');
    expect(existsSync(box.path('odd.imported.playbook.toml'))).toBe(false);

    const lenient = await runCli(box, ['import', 'odd.playbook.toml']);
    expect(lenient.code, lenient.stderr).toBe(0);
    const converted = box.read('odd.imported.playbook.toml');
    expect(converted).toContain(`# prototype: when = "{{ SERVICES | join(',') == 'api' }}"`);
    expect(converted).toContain('[loop]\ntype = "Command"\ndepends_on = ["tell"]\nwhen = "false"\n');
    expect((await runCli(box, ['validate', 'odd.imported.playbook.toml'])).code).toBe(0);
  }, 60_000);
});
