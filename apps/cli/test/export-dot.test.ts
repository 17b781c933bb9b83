import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VALID_RUNBOOK, writeRunbook } from './fixtures.js';
import { runCli, tempDir } from './helpers.js';
import { seedHistory } from './history.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
});
afterEach(() => cleanup());

describe('playbook export-dot', () => {
  it('writes DOT next to the runbook by default', async () => {
    const result = await runCli(['export-dot', 'deploy.playbook.toml'], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Wrote deploy.playbook.dot\n');
    const dot = await readFile(join(dir, 'deploy.playbook.dot'), 'utf8');
    expect(dot).toContain('digraph');
    expect(dot).toMatch(/"build"\s*->\s*"approve"/);
    expect(dot).toMatch(/"approve"\s*->\s*"notify"/);
  });

  it('--output - writes to stdout; --output names the file', async () => {
    const toStdout = await runCli(['export-dot', 'deploy.playbook.toml', '--output', '-'], { cwd: dir });
    expect(toStdout.code).toBe(0);
    expect(toStdout.stdout).toMatch(/^(\/\/.*\n)*digraph/);
    const toFile = await runCli(['export-dot', 'deploy.playbook.toml', '-o', 'out/graph.dot'], { cwd: dir });
    expect(toFile.code).toBe(0);
    expect(await readFile(join(dir, 'out', 'graph.dot'), 'utf8')).toBe(toStdout.stdout);
  });

  it('--run-id colours nodes by their status in that run', async () => {
    const db = join(dir, 'run.db');
    await seedHistory(db);
    const plain = await runCli(['export-dot', 'deploy.playbook.toml', '-o', '-'], { cwd: dir });
    const run1 = await runCli(
      ['--state-path', db, 'export-dot', 'deploy.playbook.toml', '--run-id', '1', '-o', '-'],
      {
        cwd: dir,
      },
    );
    expect(run1.stderr).toBe('');
    expect(run1.code).toBe(0);
    expect(run1.stdout).not.toBe(plain.stdout);
    // build took two attempts in run 1, notify never started.
    expect(run1.stdout).toMatch(/2 attempts/);
    expect(run1.stdout).toContain('pending');
  });

  it('an unknown run id is an error naming the workflow, exit 1', async () => {
    const db = join(dir, 'run.db');
    await seedHistory(db);
    const result = await runCli(['export-dot', 'deploy.playbook.toml', '--run-id', '9', '--state-path', db], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: workflow "Deploy" has no run 9 in ${db}\n`);
    await expect(stat(join(dir, 'deploy.playbook.dot'))).rejects.toThrow();
  });

  it('renders SVG (by --format or from the output extension) without a system Graphviz', async () => {
    const result = await runCli(['export-dot', 'deploy.playbook.toml', '--format', 'svg'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Wrote deploy.playbook.svg\n');
    expect(await readFile(join(dir, 'deploy.playbook.svg'), 'utf8')).toContain('<svg');
    const png = await runCli(['export-dot', 'deploy.playbook.toml', '-o', 'graph.png'], { cwd: dir });
    expect(png.code).toBe(0);
    const bytes = await readFile(join(dir, 'graph.png'));
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('an invalid runbook prints its problems on stderr and exits 1', async () => {
    await writeRunbook(dir, 'bad.playbook.toml', '[runbook]\ntitle = "x"\n');
    const result = await runCli(['export-dot', 'bad.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^bad\.playbook\.toml.*: error: /m);
    expect(result.stderr).toContain('error: bad.playbook.toml is not a valid runbook');
  });

  it('a bad --format is a usage error, exit 2', async () => {
    const result = await runCli(['export-dot', 'deploy.playbook.toml', '--format', 'gif'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--format must be one of dot, svg, png');
  });
});
