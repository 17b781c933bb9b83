import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliVersion } from '../src/cli-version.js';
import { VALID_RUNBOOK, writeRunbook } from './fixtures.js';
import { tempDir } from './helpers.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'apps', 'cli', 'dist', 'bin.cjs');

/** Newest modification time of the non-test sources the binary is built from. */
function newestSource(): number {
  let newest = 0;
  const visit = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        newest = Math.max(newest, statSync(path).mtimeMs);
      }
    }
  };
  visit(join(root, 'apps', 'cli', 'src'));
  for (const pkg of readdirSync(join(root, 'packages'))) visit(join(root, 'packages', pkg, 'src'));
  return newest;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function playbook(args: readonly string[], cwd: string, home: string): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      // A private HOME: the user's real config and history must not leak in.
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: home, NO_COLOR: '1' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  // `pnpm test` builds first; a lone `vitest run apps/cli` may find no or a stale build.
  if (!existsSync(bin) || statSync(bin).mtimeMs < newestSource()) {
    execFileSync(
      'pnpm',
      ['turbo', 'run', 'build', '--filter=@playbook/cli...', '--output-logs=errors-only'],
      {
        cwd: root,
        stdio: 'pipe',
        timeout: 180_000,
      },
    );
  }
  ({ dir, cleanup } = await tempDir('playbook-e2e-'));
}, 200_000);

afterAll(() => cleanup?.());

describe('the built playbook binary', () => {
  it('prints its version', async () => {
    const result = await playbook(['--version'], dir, dir);
    expect(result).toEqual({ code: 0, stdout: `${cliVersion()}\n`, stderr: '' });
  });

  it('validates a valid file: exit 0 and a summary', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    const result = await playbook(['validate', 'deploy.playbook.toml'], dir, dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Nodes\s+3 \(1 Manual, 1 Function, 1 Command\)/);
  });

  it('rejects an invalid file: exit 1 and located problems', async () => {
    await writeRunbook(
      dir,
      'cycle.playbook.toml',
      `${VALID_RUNBOOK.replace('[build]\n', '[build]\ndepends_on = ["notify"]\n')}`,
    );
    const result = await playbook(['-v', 'validate', 'cycle.playbook.toml', '--json'], dir, dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.problems.some((p: { code: string }) => p.code === 'CYCLE')).toBe(true);
  });

  it('exits 2 on a usage error, with the message on stderr', async () => {
    const result = await playbook(['validate', '--no-such-option', 'x.playbook.toml'], dir, dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--no-such-option');
  });

  it('create then validate from the shell', async () => {
    const created = await playbook(['create', '--title', 'Night Shift', '--author', 'ops'], dir, dir);
    expect(created.code).toBe(0);
    const validated = await playbook(['validate', '--strict', 'night_shift.playbook.toml'], dir, dir);
    expect(validated.code).toBe(0);
  });
});
