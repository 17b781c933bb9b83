// Findings of a walk through SPEC §1, §4, §5 and §6 as a runbook author: each test failed before its fix.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_RUNBOOK } from './fixtures.js';
import { runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('usage text names option values', () => {
  it('command help shows `--run-id <n>`, `--set <node>.<param>=<value>`, not clipanion `#0`', async () => {
    for (const command of ['create', 'validate', 'run', 'resume', 'export-dot', 'info', 'show']) {
      const result = await runCli([command, '--help'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/#\d/);
      expect(result.stdout).toContain('--state-path <file>');
    }
    const run = await runCli(['run', '--help'], { cwd: dir });
    expect(run.stdout).toContain('--retries <n>');
    expect(run.stdout).toContain('--set <node>.<param>=<value>');
    const dot = await runCli(['export-dot', '--help'], { cwd: dir });
    expect(dot.stdout).toContain('-o,--output <file>');
    expect(dot.stdout).toContain('--run-id <n>');
  });

  it('the command list and parse errors name them too', async () => {
    const list = await runCli(['--help'], { cwd: dir });
    expect(list.stdout).toContain('[--title <title>] [--author <author>]');
    expect(list.stdout).not.toMatch(/#\d/);
    const missing = await runCli(['validate'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('usage: playbook validate [--strict] [--json] <file>');
    expect(missing.stderr).not.toMatch(/#\d/);
    const unknown = await runCli(['frobnicate'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('|show|');
    expect(unknown.stderr).not.toMatch(/#\d/);
  });
});

describe('create', () => {
  it('refuses an --output that validate and run would not read (not *.playbook.toml), writing nothing', async () => {
    const result = await runCli(['create', '--title', 'T', '--author', 'a', '--output', 'x.toml'], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--output must end in .playbook.toml, got "x.toml"');
    expect(existsSync(join(dir, 'x.toml'))).toBe(false);
    const ok = await runCli(['create', '--title', 'T', '--author', 'a', '--output', 'x.playbook.toml'], {
      cwd: dir,
    });
    expect(ok.code).toBe(0);
    expect((await runCli(['validate', 'x.playbook.toml'], { cwd: dir })).code).toBe(0);
  });
});

describe('export-dot', () => {
  it('refuses a --format that contradicts the --output extension, writing nothing', async () => {
    await writeFile(join(dir, 'r.playbook.toml'), VALID_RUNBOOK);
    const result = await runCli(['export-dot', 'r.playbook.toml', '--output', 'g.png', '--format', 'svg'], {
      cwd: dir,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format svg contradicts --output g.png');
    expect(existsSync(join(dir, 'g.png'))).toBe(false);
    // agreeing or extension-less outputs are fine
    const same = await runCli(['export-dot', 'r.playbook.toml', '--output', 'g.svg', '--format', 'SVG'], {
      cwd: dir,
    });
    expect(same.code).toBe(0);
    const other = await runCli(
      ['export-dot', 'r.playbook.toml', '--output', 'graph.txt', '--format', 'dot'],
      {
        cwd: dir,
      },
    );
    expect(other.code).toBe(0);
  });
});

describe('validate', () => {
  it('reports a Function node whose module is missing along with the other errors, at once', async () => {
    await writeFile(
      join(dir, 'f.playbook.toml'),
      [
        '[runbook]',
        'title = "t"',
        '',
        '[call]',
        'type = "Function"',
        'function_name = "./missing.mjs#go"',
        'timeout = 0',
      ].join('\n'),
    );
    const result = await runCli(['validate', '--json', 'f.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    const problems = JSON.parse(result.stdout).problems as Array<{ code: string; nodeId?: string }>;
    expect(problems.map((p) => p.code)).toContain('MISSING_FIELD');
    expect(problems).toContainEqual(
      expect.objectContaining({
        code: 'FUNCTION_NOT_FOUND',
        nodeId: 'call',
        field: 'function_name',
        line: 6,
      }),
    );
  });
});

describe('the built binary, on a pipe closed by its reader (`playbook validate x | head -1`)', () => {
  const bin = fileURLToPath(new URL('../dist/bin.cjs', import.meta.url));

  it.skipIf(!existsSync(bin))('finishes quietly with its own exit code, no EPIPE stack trace', async () => {
    await writeFile(join(dir, 'r.playbook.toml'), VALID_RUNBOOK);
    const child = spawn(process.execPath, [bin, 'validate', 'r.playbook.toml'], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: dir, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Closed before the child has started: its first write to stdout meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const [code] = (await once(child, 'close')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
