import TOML from '@iarna/toml';
import * as cel from '@playbook/expressions/cel';
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../parse-runbook.js';
import { formatImportNote } from './import-notes.js';
import { type ImportResult, importPrototypeRunbook } from './import-runbook.js';

const META = `[runbook]
title = "T"
description = "d"
version = "1.0.0"
author = "a"
created_at = "2025-01-20T12:00:00Z"
`;

function convert(
  text: string,
): Extract<ImportResult, { ok: true }> & { nodes: Record<string, Record<string, unknown>> } {
  const result = importPrototypeRunbook(text, 'old.playbook.toml', { cel });
  if (!result.ok) throw new Error(result.problems.map((problem) => problem.message).join('\n'));
  // The converted text is a valid runbook of this format.
  const parsed = parseRunbook(result.text, 'new.playbook.toml', { cel });
  expect(parsed.ok, parsed.ok ? '' : parsed.problems.map((p) => p.message).join('\n')).toBe(true);
  return { ...result, nodes: TOML.parse(result.text) as Record<string, Record<string, unknown>> };
}

function refused(text: string): Extract<ImportResult, { ok: false }> {
  const result = importPrototypeRunbook(text, 'old.playbook.toml', { cel });
  if (result.ok) throw new Error(`converted:\n${result.text}`);
  return result;
}

const messages = (result: ImportResult): string[] =>
  result.notes.map((note) => formatImportNote(note, 'old.playbook.toml'));

describe('importPrototypeRunbook: [variables]', () => {
  it('declares each variable as an input with its type, default, choices and bounds', () => {
    const { nodes, notes } = convert(`[variables]
APP = "myapp"
ENV = { required = true, choices = ["dev", "prod"], description = "Target" }
TIMEOUT = { default = 300, type = "int", min = 60, max = 3600 }
RATIO = { default = 0.5, type = "float" }
SKIP = { default = false }
TAG = { pattern = "v[0-9]+", default = "v1" }

${META}
[step]
type = "Manual"
prompt_after = "ok?"
`);
    const inputs = (nodes.runbook as { inputs: Record<string, unknown> }).inputs;
    expect(inputs).toEqual({
      APP: { type: 'string', default: 'myapp' },
      ENV: { type: 'string', description: 'Target', choices: ['dev', 'prod'] },
      TIMEOUT: { type: 'integer', default: 300, min: 60, max: 3600 },
      RATIO: { type: 'number', default: 0.5 },
      SKIP: { type: 'boolean', default: false },
      // Python's re.match anchors at the start.
      TAG: { type: 'string', default: 'v1', pattern: '^(?:v[0-9]+)' },
    });
    expect(notes.find((note) => note.field === 'SKIP.type')?.message).toMatch(
      /type boolean, from the default false/,
    );
    expect(notes.find((note) => note.field === 'TAG')?.line).toBe(7);
  });

  it('declares a name used but never declared as a required string input, with a warning', () => {
    const result = convert(`[variables]
APP = "x"
${META}
[hello]
type = "Command"
command_name = "echo {{ WHO }}"
`);
    expect((result.nodes.runbook as { inputs: unknown }).inputs).toEqual({
      APP: { type: 'string', default: 'x' },
      WHO: { type: 'string' },
    });
    expect(messages(result)).toContain(
      'old.playbook.toml:12: warning: [hello.command_name] `WHO` is not declared in [variables]: declared as a required string input',
    );
  });

  it('keeps {{ … }} in text as it is when the file declares no [variables], as the prototype did', () => {
    const result = convert(`${META}
[inspect]
type = "Command"
command_name = "docker inspect -f '{{.State.Status}}' db"
`);
    expect(result.nodes.inspect?.command_name).toBe("docker inspect -f '{{.State.Status}}' db");
    expect(result.notes.find((note) => note.field === 'command_name')?.message).toMatch(
      /^kept as literal text: without \[variables\]/,
    );
  });

  it('refuses a variable name that cannot be an input name, writing nothing', () => {
    const result = refused(`[variables]\n"APP-NAME" = "x"\n${META}\n[a]\ntype = "Manual"\n`);
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'BAD_VARIABLE_NAME',
        line: 2,
        message: expect.stringContaining('`APP-NAME` is not a valid input name'),
      }),
    ]);
  });
});

describe('importPrototypeRunbook: templates', () => {
  it('turns {{ VAR }} into shell-quoted templates, and values inside the command quotes into env', () => {
    const { nodes, notes } = convert(`[variables]
APP = "myapp"
N = { default = 2, type = "int" }
${META}
[deploy]
type = "Command"
command_name = "deploy --app={{APP}} --n {{ N }} && echo 'deployed {{APP}}' \\"{{ N }} replicas\\" '{{APP}} at {{N}}'"
description = "Deploys {{ APP }}"
`);
    expect(nodes.deploy?.command_name).toBe(
      `deploy --app=\${{ inputs.APP }} --n \${{ inputs.N }} && echo 'deployed '"$APP" "\${N} replicas" "$APP"' at '"$N"`,
    );
    expect(nodes.deploy?.env).toEqual({ APP: '${{ inputs.APP }}', N: '${{ inputs.N }}' });
    expect(nodes.deploy?.description).toBe('Deploys ${{ inputs.APP }}');
    expect(notes.map((note) => note.message)).toContain(
      "inside the command's quotes, so passed through env: $APP, $N",
    );
  });

  it('keeps a literal ${{ literal, and keeps a function parameter that is one template typed', () => {
    const { nodes } = convert(`[variables]
S = { default = 1, type = "int" }
${META}
[wait]
type = "Function"
plugin = "python"
function = "sleep"
function_params = { seconds = "{{ S }}" }

[say]
type = "Command"
command_name = "echo 'costs \${{ S }}'"
`);
    expect(nodes.wait).toMatchObject({
      function_name: 'playbook:sleep',
      function_params: { seconds: '${{ inputs.S }}' },
    });
    // `${{ S }}` pasted a value after a `$` (a shell variable's name): no equivalent, so the step is guarded.
    expect(nodes.say).toMatchObject({ command_name: 'false', when: 'false' });
    const literal = convert(`${META}\n[say]\ntype = "Command"\ncommand_name = "echo '\${{ x }}'"\n`);
    expect(literal.nodes.say?.command_name).toBe("echo '$${{ x }}'");
  });

  it('guards a command whose Jinja is outside the subset: kept as a comment, when = "false", a warning', () => {
    const result = convert(`[variables]
SERVICES = "a b"
${META}
[loop]
type = "Command"
command_name = "{% for s in SERVICES %}deploy {{ s }};{% endfor %}"
`);
    expect(result.nodes.loop).toMatchObject({ command_name: 'false', when: 'false' });
    expect(result.text).toContain(
      '# prototype: command_name = "{% for s in SERVICES %}deploy {{ s }};{% endfor %}"',
    );
    expect(
      messages(result).some((line) =>
        line.startsWith('old.playbook.toml:12: warning: [loop.command_name] the Jinja statement'),
      ),
    ).toBe(true);
  });

  it('keeps a template in the title as text, and uses the default for a templated timeout, with warnings', () => {
    const result = convert(`[variables]
APP = "myapp"
T = { default = 120, type = "int" }
[runbook]
title = "Deploy {{APP}}"
description = "d"
version = "1.0.0"
author = "a"
created_at = "2025-01-20T12:00:00Z"

[go]
type = "Command"
command_name = "true"
timeout = "{{T}}"
`);
    expect((result.nodes.runbook as { title: string }).title).toBe('Deploy {{APP}}');
    expect(result.nodes.go?.timeout).toBe(120);
    expect(messages(result)).toEqual(
      expect.arrayContaining([
        'old.playbook.toml:5: warning: [runbook.title] {{ … }} has no equivalent in the [runbook] table: kept as literal text',
        'old.playbook.toml:14: warning: [go.timeout] {{T}} cannot vary per run here: the default of `T`, 120, is used',
      ]),
    );
  });
});

describe('importPrototypeRunbook: dependencies and conditions', () => {
  it('writes out implicit, ^ and * dependencies', () => {
    const { nodes } = convert(`${META}
[a]
type = "Command"
command_name = "true"

[b]
type = "Command"
command_name = "true"

[c]
type = "Command"
command_name = "true"
depends_on = "^"

[d]
type = "Command"
command_name = "true"
depends_on = "*"

[e]
type = "Command"
command_name = "true"
depends_on = []
`);
    expect(Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((id) => [id, nodes[id]?.depends_on]))).toEqual({
      a: [],
      b: ['a'],
      c: ['b'],
      d: ['a', 'b', 'c'],
      e: [],
    });
  });

  it('turns x:failure into run_if = "failure", x:success into a condition, and both into an always-evaluated one', () => {
    const { nodes, notes } = convert(`${META}
[deploy]
type = "Command"
command_name = "true"
depends_on = []

[rollback]
type = "Command"
command_name = "true"
depends_on = ["deploy:failure"]

[celebrate]
type = "Command"
command_name = "true"
depends_on = ["deploy:success"]

[cleanup_failure]
type = "Command"
command_name = "true"
depends_on = ["deploy:failure", "rollback:success"]
`);
    expect(nodes.rollback).toMatchObject({ depends_on: ['deploy'], run_if: 'failure' });
    expect(nodes.rollback?.when).toBeUndefined();
    // Requiring the only dependency to have succeeded: evaluated even after it failed, so it ends skipped.
    expect(nodes.celebrate).toMatchObject({
      depends_on: ['deploy'],
      run_if: 'always',
      when: 'steps.deploy.status == "ok"',
    });
    expect(nodes.cleanup_failure).toMatchObject({
      depends_on: ['deploy', 'rollback'],
      run_if: 'always',
      when: 'steps.deploy.status == "nok" && steps.rollback.status == "ok"',
    });
    expect(notes.find((note) => note.nodeId === 'rollback' && note.severity === 'change')).toMatchObject({
      line: 16,
      message: '"deploy:failure" → depends_on = ["deploy"], run_if = "failure"',
    });
  });

  it('joins when with the outcome dependencies, and keeps success gating for a condition on inputs only', () => {
    const { nodes } = convert(`[variables]
ENV = { default = "dev" }
SKIP = { default = false, type = "bool" }
${META}
[build]
type = "Command"
command_name = "true"

[tests]
type = "Command"
command_name = "true"
when = "{{ not SKIP and has_succeeded('build') }}"

[prod_only]
type = "Command"
command_name = "true"
depends_on = ["build", "tests:success"]
when = "{{ ENV == 'prod' }}"

[inputs_only]
type = "Command"
command_name = "true"
when = "{{ ENV == 'prod' }}"
`);
    // It requires its only dependency to have succeeded: evaluated (and skipped) even when that one failed.
    expect(nodes.tests).toMatchObject({
      when: '!inputs.SKIP && steps.build.status == "ok"',
      run_if: 'always',
    });
    expect(nodes.prod_only).toMatchObject({ when: 'steps.tests.status == "ok" && inputs.ENV == "prod"' });
    expect(nodes.prod_only?.run_if).toBeUndefined();
    expect(nodes.inputs_only?.run_if).toBeUndefined();
  });

  it('adds to depends_on a step the condition reads that would not have ended first', () => {
    const result = convert(`${META}
[a]
type = "Command"
command_name = "true"
depends_on = []

[b]
type = "Command"
command_name = "true"
depends_on = []
when = "{{ has_failed('a') }}"
`);
    expect(result.nodes.b).toMatchObject({
      depends_on: ['a'],
      run_if: 'always',
      when: 'steps.a.status == "nok"',
    });
    expect(messages(result)).toContain(
      'old.playbook.toml:17: change: [b.when] the condition reads `a`: it is added to depends_on, so that it has ended first',
    );
  });

  it('guards a node whose condition is outside the subset and keeps the condition as a comment', () => {
    const result = convert(`[variables]
SERVICES = { default = "a" }
${META}
[x]
type = "Command"
command_name = "true"
when = "{{ SERVICES | join(',') == 'a' }}"
`);
    expect(result.nodes.x?.when).toBe('false');
    expect(result.text).toContain(`# prototype: when = "{{ SERVICES | join(',') == 'a' }}"`);
    expect(messages(result)).toContain(
      'old.playbook.toml:13: warning: [x.when] the filter `join` with arguments; the step never runs until you write the condition (when = "false"): kept as a comment',
    );
  });

  it('turns skip = true into when = "false"', () => {
    const { nodes } = convert(`${META}\n[x]\ntype = "Command"\ncommand_name = "true"\nskip = true\n`);
    expect(nodes.x?.when).toBe('false');
  });

  it.each([
    [
      'a cycle',
      `[a]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["b"]\n\n[b]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["a"]\n`,
      'CYCLE',
      11,
    ],
    [
      'a missing dependency',
      `[a]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["nope"]\n`,
      'UNKNOWN_NODE',
      11,
    ],
    [
      'a condition naming a missing node',
      `[a]\ntype = "Command"\ncommand_name = "true"\nwhen = "{{ has_succeeded('nope') }}"\n`,
      'UNKNOWN_NODE',
      11,
    ],
    [
      'a bad outcome',
      `[a]\ntype = "Command"\ncommand_name = "true"\ndepends_on = ["b:done"]\n\n[b]\ntype = "Manual"\n`,
      'BAD_DEPENDENCY',
      11,
    ],
  ])('refuses %s, located in the source', (_, nodes, code, line) => {
    const result = refused(`${META}\n${nodes}`);
    expect(result.problems[0]).toMatchObject({ code, line });
  });

  it('refuses a file that is not TOML, with its position', () => {
    const result = refused(`${META}\n[a]\ntype = "Command\n`);
    expect(result.problems).toEqual([expect.objectContaining({ code: 'TOML_SYNTAX', line: 9 })]);
  });
});

describe('importPrototypeRunbook: node kinds', () => {
  it('maps prompt_after to prompt, and the python plugin to the playbook: built-ins', () => {
    const { nodes } = convert(`${META}
[ask]
type = "Manual"
prompt_after = "Proceed?"

[plain]
type = "Manual"

[say]
type = "Function"
plugin = "python"
function = "notify"
function_params = { message = "hi" }

[boom]
type = "Function"
plugin = "python"
function = "throw"

[legacy]
type = "Function"
function_name = "playbook.functions.notify"
function_params = { message = "hi" }
`);
    expect(nodes.ask).toMatchObject({ type: 'Manual', prompt: 'Proceed?' });
    expect(nodes.plain).toMatchObject({ type: 'Manual', prompt: 'Continue with the next step?' });
    expect(nodes.say).toMatchObject({ function_name: 'playbook:notify', function_params: { message: 'hi' } });
    expect(nodes.boom).toMatchObject({
      function_name: 'playbook:fail',
      function_params: { message: 'Intentional exception for testing purposes' },
    });
    expect(nodes.legacy).toMatchObject({ function_name: 'playbook.functions.notify' });
  });

  it('turns an unknown plugin into a Manual step with a warning, and reads multi-line inline tables', () => {
    const result = convert(`[variables]
CHANNEL = "#ops"
${META}
[tell]
type = "Function"
plugin = "slack"
function = "send_message"
function_params = {
    channel = "{{ CHANNEL }}",  # where
    text = "hello",
}
plugin_config = { webhook_url = "x" }

[after]
type = "Command"
command_name = "true"
`);
    expect(result.nodes.tell?.type).toBe('Manual');
    expect(result.nodes.tell?.prompt).toBe(
      'Do by hand what the plugin call slack.send_message did, with:\n  channel = ${{ inputs.CHANNEL }}\n  text = hello\nDone?',
    );
    expect(result.text).toContain('# prototype: plugin = "slack", function = "send_message"');
    expect(result.text).toContain('# prototype: plugin_config = { webhook_url = "x" }');
    expect(
      messages(result).some((line) =>
        line.startsWith(
          'old.playbook.toml:12: warning: [tell.plugin] the plugin function slack.send_message has no equivalent',
        ),
      ),
    ).toBe(true);
    // Lines after the joined inline table keep their numbers.
    expect(result.notes.find((note) => note.nodeId === 'after')?.line).toBe(20);
  });

  it("turns a Command step's prompt_after into a Manual step after it, which its dependents wait for", () => {
    const result = convert(`[variables]
V = "1.2"
${META}
[deploy]
type = "Command"
command_name = "true"
prompt_after = "Is {{ V }} live?"

[announce]
type = "Command"
command_name = "true"

[rollback]
type = "Command"
command_name = "true"
depends_on = ["deploy:failure"]
`);
    expect(Object.keys(result.nodes)).toEqual([
      'runbook',
      'deploy',
      'deploy_confirm',
      'announce',
      'rollback',
    ]);
    expect(result.nodes.deploy_confirm).toEqual({
      type: 'Manual',
      depends_on: ['deploy'],
      when: 'steps.deploy.status == "ok"',
      prompt: 'Is ${{ inputs.V }} live?',
    });
    expect(result.nodes.announce?.depends_on).toEqual(['deploy_confirm']);
    // A rollback still answers the step itself.
    expect(result.nodes.rollback).toMatchObject({ depends_on: ['deploy'], run_if: 'failure' });
    expect(messages(result)).toContain(
      'old.playbook.toml:13: change: [deploy.prompt_after] → a Manual step `deploy_confirm` right after it, asking the question once it succeeded; the steps that waited for `deploy` wait for it',
    );
  });

  it('maps the v0.1 playbook.functions.throw to playbook:fail, and turns any other Python function into a Manual step', () => {
    const result = convert(`${META}
[boom]
type = "Function"
function_name = "playbook.functions.throw"
depends_on = []

[restart]
type = "Function"
function_name = "myorg.ops.restart"
function_params = { service = "db" }
depends_on = []

[js]
type = "Function"
function_name = "playbook:sleep"
function_params = { seconds = 0 }
depends_on = []
`);
    expect(result.nodes.boom).toMatchObject({ type: 'Function', function_name: 'playbook:fail' });
    expect(result.nodes.restart).toMatchObject({
      type: 'Manual',
      prompt: 'Do by hand what the Python function myorg.ops.restart did, with:\n  service = db\nDone?',
    });
    expect(result.text).toContain('# prototype: function_name = "myorg.ops.restart"');
    expect(result.nodes.js).toMatchObject({ type: 'Function', function_name: 'playbook:sleep' });
    expect(
      result.notes.find((note) => note.nodeId === 'restart' && note.severity === 'warning')?.message,
    ).toMatch(/^the Python function myorg\.ops\.restart has no equivalent here/);
  });

  it('keeps fields without an equivalent as comments, each with a warning', () => {
    const result = convert(`${META}
[shell]
type = "Command"
command_name = "vim"
interactive = true
prompt_before = "Sure?"
colour = "red"
`);
    expect(result.text).toContain('# prototype: interactive = true');
    expect(result.text).toContain('# prototype: prompt_before = "Sure?"');
    expect(result.text).toContain('# prototype: colour = "red"');
    expect(result.notes.filter((note) => note.severity === 'warning').map((note) => note.field)).toEqual(
      expect.arrayContaining(['interactive', 'prompt_before', 'colour']),
    );
  });
});
