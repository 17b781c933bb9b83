// `playbook` on the PATH: scripts/link-cli.sh (the last step of scripts/setup.sh) links the built binary into a
// folder of commands, and the linked command, run from any folder, resolves relative paths from that folder.
// The fresh-clone version of this check, through the real PATH, is scripts/check-path-install.sh in .ci/run.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt, repoRoot } from './fixtures-run/e2e.js';
import { tempDir } from './helpers.js';

const linkScript = join(repoRoot, 'scripts/link-cli.sh');

const RUNBOOK = `[runbook]
title = "Here"
description = "runs where it is"
version = "0.1.0"
author = "tests"
created_at = "2025-05-03T12:08:00Z"

[mark]
type = "Command"
command_name = "echo marked > mark.txt"
`;

let cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  cleanups = [];
});

async function sandbox(): Promise<string> {
  const { dir, cleanup } = await tempDir('playbook-path-');
  cleanups.push(cleanup);
  return dir;
}

/** The environment of a shell whose PATH starts with `dirs`, without the machine's playbook settings. */
function environment(dirs: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const key of ['CI', 'PLAYBOOK_STATE_PATH', 'PLAYBOOK_CONFIG', 'PLAYBOOK_BIN_DIR']) delete env[key];
  Object.assign(env, extra);
  env.PATH = [...dirs, process.env.PATH ?? ''].join(delimiter);
  return env;
}

function link(env: NodeJS.ProcessEnv) {
  return spawnSync('bash', [linkScript], { env, encoding: 'utf8', timeout: 30_000 });
}

describe('playbook on the PATH', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  it('links into PLAYBOOK_BIN_DIR; from another folder `playbook run ./x.playbook.toml` runs that folder’s file', async () => {
    const dir = await sandbox();
    const bin = join(dir, 'bin');
    const work = join(dir, 'work');
    mkdirSync(work);
    writeFileSync(join(work, 'x.playbook.toml'), RUNBOOK);
    const env = environment([bin], { PLAYBOOK_BIN_DIR: bin, XDG_CONFIG_HOME: join(dir, 'config') });

    const linked = link(env);
    expect(linked.stderr).toBe('');
    expect(linked.status).toBe(0);
    expect(readlinkSync(join(bin, 'playbook'))).toBe(binPath);

    const run = spawnSync(
      'playbook',
      ['run', './x.playbook.toml', '--non-interactive', '--state-path', 'state.db'],
      {
        cwd: work,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Run 1 of "Here" ended ok');
    expect(run.status).toBe(0);
    expect(readFileSync(join(work, 'mark.txt'), 'utf8')).toBe('marked\n');
    expect(existsSync(join(work, 'state.db'))).toBe(true);

    const version = spawnSync('playbook', ['--version'], { cwd: work, env, encoding: 'utf8' });
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'apps/cli/package.json'), 'utf8')) as {
      version: string;
    };
    expect(version.stdout.trim().split('\n')[0]).toContain(manifest.version);
    expect(version.status).toBe(0);

    // Again: the earlier link is replaced, not refused.
    expect(link(env).status).toBe(0);
  });

  it("without PLAYBOOK_BIN_DIR: npm's global bin folder when it is on the PATH", async () => {
    const dir = await sandbox();
    const npmBin = join(dir, 'prefix', 'bin');
    mkdirSync(npmBin, { recursive: true });
    const result = link(environment([npmBin], { npm_config_prefix: join(dir, 'prefix'), HOME: dir }));
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(join(npmBin, 'playbook'));
    expect(lstatSync(join(npmBin, 'playbook')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(dir, '.local'))).toBe(false);
  });

  it('otherwise ~/.local/bin, with a hint when that folder is not on the PATH', async () => {
    const dir = await sandbox();
    mkdirSync(join(dir, 'prefix', 'bin'), { recursive: true });
    const result = link(environment([], { npm_config_prefix: join(dir, 'prefix'), HOME: dir }));
    expect(result.status).toBe(0);
    expect(readlinkSync(join(dir, '.local', 'bin', 'playbook'))).toBe(binPath);
    expect(result.stderr).toContain(`${join(dir, '.local', 'bin')} is not on your PATH`);
    expect(existsSync(join(dir, 'prefix', 'bin', 'playbook'))).toBe(false);
  });

  it('leaves a `playbook` that is not its link alone, and says so', async () => {
    const dir = await sandbox();
    writeFileSync(join(dir, 'playbook'), '#!/bin/sh\necho another\n');
    const result = link(environment([dir], { PLAYBOOK_BIN_DIR: dir }));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'playbook')} exists and is not a link made by this script`);
    expect(readFileSync(join(dir, 'playbook'), 'utf8')).toBe('#!/bin/sh\necho another\n');
  });

  it('`pnpm playbook` resolves relative paths from the folder it is called in, not the repository root', () => {
    const result = spawnSync('pnpm', ['playbook', 'validate', './deploy.playbook.toml'], {
      cwd: join(repoRoot, 'examples'),
      env: environment([]),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stdout).toContain('./deploy.playbook.toml is valid');
    expect(result.status).toBe(0);
  });
});
