import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_RUNBOOK, writeRunbook } from './fixtures.js';
import { runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('playbook validate', () => {
  it('summarises a valid file and exits 0', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    const result = await runCli(['validate', 'deploy.playbook.toml'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('deploy.playbook.toml is valid');
    expect(result.stdout).toMatch(/Title\s+Deploy\n/);
    expect(result.stdout).toMatch(/Description\s+Blue\/green deployment\n/);
    expect(result.stdout).toMatch(/Version\s+0\.1\.0\n/);
    expect(result.stdout).toMatch(/Author\s+Ops Team\n/);
    expect(result.stdout).toMatch(/Created\s+2025-05-03T12:08:00/);
    expect(result.stdout).toMatch(/Nodes\s+3 \(1 Manual, 1 Function, 1 Command\)\n/);
  });

  it('prints every problem, one per line with file and line, and exits 1', async () => {
    const text = VALID_RUNBOOK.replace('depends_on = ["build"]', 'depends_on = ["nope"]').replace(
      'critical     = true\n',
      'critical     = true\nskippable    = true\n',
    );
    await writeRunbook(dir, 'bad.playbook.toml', text);
    const result = await runCli(['validate', 'bad.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    const problems = lines.filter((l) => l.startsWith('bad.playbook.toml:'));
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((l) => /:\d+(:\d+)?: error: \[approve\.depends_on\] .*nope/.test(l))).toBe(true);
    expect(problems.some((l) => /error: \[build\./.test(l))).toBe(true);
    expect(result.stdout).toMatch(/bad\.playbook\.toml is invalid: \d+ errors?/);
    expect(result.stdout).not.toContain('is valid');
  });

  it('reports a missing file as a problem, exit 1', async () => {
    const result = await runCli(['validate', 'missing.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^missing\.playbook\.toml.*: error: /m);
  });

  it('reports TOML syntax errors with a position', async () => {
    await writeRunbook(dir, 'syntax.playbook.toml', '[runbook]\ntitle = "x\n');
    const result = await runCli(['validate', 'syntax.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^syntax\.playbook\.toml:\d+:\d+: error: /m);
  });

  it('keeps warnings as warnings, and --strict makes them errors', async () => {
    const text = VALID_RUNBOOK.replace('prompt     = "Deploy', 'promt_note = 1\nprompt     = "Deploy');
    await writeRunbook(dir, 'warn.playbook.toml', text);
    const lenient = await runCli(['validate', 'warn.playbook.toml'], { cwd: dir });
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/warning: \[approve\.promt_note\]/);
    expect(lenient.stdout).toContain('1 warning');

    const strict = await runCli(['validate', '--strict', 'warn.playbook.toml'], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/error: \[approve\.promt_note\]/);
    expect(strict.stdout).not.toMatch(/: warning: /);
  });

  it('--json prints { valid, file, summary, problems }', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    const ok = await runCli(['validate', '--json', 'deploy.playbook.toml'], { cwd: dir });
    expect(ok.code).toBe(0);
    const parsed = JSON.parse(ok.stdout);
    expect(parsed).toEqual({
      valid: true,
      file: 'deploy.playbook.toml',
      summary: {
        title: 'Deploy',
        description: 'Blue/green deployment',
        version: '0.1.0',
        author: 'Ops Team',
        createdAt: expect.stringMatching(/^2025-05-03T12:08:00/),
        nodeCount: 3,
        nodesByType: { Manual: 1, Function: 1, Command: 1 },
      },
      problems: [],
    });

    await writeRunbook(dir, 'bad.playbook.toml', '[runbook]\ntitle = "x"\n');
    const bad = await runCli(['validate', 'bad.playbook.toml', '--json'], { cwd: dir });
    expect(bad.code).toBe(1);
    const invalid = JSON.parse(bad.stdout);
    expect(invalid.valid).toBe(false);
    expect(invalid.file).toBe('bad.playbook.toml');
    expect(invalid.summary).toBeUndefined();
    expect(invalid.problems.length).toBeGreaterThan(0);
    expect(invalid.problems[0]).toMatchObject({ severity: 'error', file: 'bad.playbook.toml' });
    expect(typeof invalid.problems[0].code).toBe('string');
  });

  it('reports a Function node whose module or export cannot be loaded, naming node and field', async () => {
    await writeRunbook(dir, 'ops.mjs', 'export function notify() { return "ok"; }\n');
    const text = `${VALID_RUNBOOK}
[local]
type          = "Function"
function_name = "./ops.mjs#notify"

[missing_export]
type          = "Function"
function_name = "./ops.mjs#nothere"

[missing_module]
type          = "Function"
function_name = "./nope.mjs#x"
`;
    await writeRunbook(dir, 'fn.playbook.toml', text);
    const result = await runCli(['validate', 'fn.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^fn\.playbook\.toml:32:1: error: \[missing_export\.function_name\] /m);
    expect(result.stdout).toMatch(/^fn\.playbook\.toml:36:1: error: \[missing_module\.function_name\] /m);
    expect(result.stdout).not.toMatch(/\[local\./);
  });

  it('places a Function problem at its key however the node is written: dotted keys, inline table, a lookalike in a string', async () => {
    // Root-level keys come before the first table header; VALID_RUNBOOK (24 lines) then fills lines 5 to 28.
    const text = `dotted.type          = "Function"
dotted.function_name = "./nope.mjs#a"
inline = { type = "Function", function_name = "./nope.mjs#b" }

${VALID_RUNBOOK}
[lookalike]
type = "Function"
name = """
function_name = "in a string, not the key"
"""
  function_name = "./nope.mjs#c"
`;
    await writeRunbook(dir, 'keys.playbook.toml', text);
    const result = await runCli(['validate', 'keys.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    const problems = result.stdout.split('\n').filter((line) => line.includes('.function_name]'));
    expect(problems.map((line) => line.split(': error: ')[0])).toEqual([
      'keys.playbook.toml:2:1', // `dotted.function_name` starts the line
      'keys.playbook.toml:3:31', // inside the inline table
      'keys.playbook.toml:35:3', // the key, not the line inside the multi-line string
    ]);
    expect(problems[0]).toContain('[dotted.function_name]');
    expect(problems[1]).toContain('[inline.function_name]');
    expect(problems[2]).toContain('[lookalike.function_name]');
  });

  it('accepts -v before or after the command', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    expect((await runCli(['-v', 'validate', 'deploy.playbook.toml'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['validate', 'deploy.playbook.toml', '-v'], { cwd: dir })).code).toBe(0);
  });

  it('a missing <file> argument is a usage error, exit 2', async () => {
    const result = await runCli(['validate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toBe('');
  });
});
