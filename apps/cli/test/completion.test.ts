// `playbook completion <shell>`: the bash script is sourced into a real bash and asked for completions as the
// shell asks (COMP_WORDS / COMP_CWORD), with `playbook` on the PATH as the built binary and a real history; the
// zsh and fish scripts are parsed by their shells (and fish asked too) where those are installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, ensureBuilt } from './fixtures-run/e2e.js';
import { tempDir } from './helpers.js';

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

const HEADER = (title: string) =>
  `[runbook]\ntitle = "${title}"\ndescription = "d"\nversion = "0.1.0"\nauthor = "a"\ncreated_at = "2025-05-03T12:08:00Z"\n`;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let env: NodeJS.ProcessEnv = {};

function playbook(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync('playbook', args, { cwd: dir, env, encoding: 'utf8' });
}

/** What bash offers for the command line `words`, the last one being the word under the cursor. */
function bashComplete(...words: string[]): string[] {
  const script = [
    'source ./playbook.bash',
    'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))',
    '_playbook',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const output = execFileSync('bash', ['-c', script, 'bash', ...words], { cwd: dir, env, encoding: 'utf8' });
  return output.split('\n').filter((line) => line !== '');
}

beforeAll(async () => {
  ensureBuilt();
  ({ dir, cleanup } = await tempDir('playbook-completion-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'runbooks'));
  mkdirSync(join(dir, 'config'));
  symlinkSync(binPath, join(dir, 'bin', 'playbook'));
  env = { ...process.env, NO_COLOR: '1', PATH: [join(dir, 'bin'), process.env.PATH ?? ''].join(delimiter) };
  for (const key of ['CI', 'PLAYBOOK_CONFIG', 'PLAYBOOK_STATE_URL']) delete env[key];
  env.PLAYBOOK_STATE_PATH = join(dir, 'state.db');
  env.XDG_CONFIG_HOME = join(dir, 'config');
  writeFileSync(
    join(dir, 'deploy.playbook.toml'),
    `${HEADER('Deploy')}\n[build]\ntype = "Command"\ncommand_name = "true"\n\n[check]\ntype = "Command"\ncommand_name = "test ! -f broken"\ndepends_on = ["build"]\n`,
  );
  writeFileSync(
    join(dir, 'incident.playbook.toml'),
    `${HEADER('Incident response')}\n[page]\ntype = "Command"\ncommand_name = "true"\n`,
  );
  writeFileSync(join(dir, 'notes.txt'), 'not a runbook\n');
  // Deploy: run 1 ok, run 2 nok (resumable); Incident response: run 1 ok.
  expect(playbook(['run', 'deploy.playbook.toml', '--non-interactive']).status).toBe(0);
  writeFileSync(join(dir, 'broken'), '');
  expect(playbook(['run', 'deploy.playbook.toml', '--non-interactive']).status).toBe(1);
  expect(playbook(['run', 'incident.playbook.toml', '--non-interactive']).status).toBe(0);
  writeFileSync(join(dir, 'playbook.bash'), playbook(['completion', 'bash']).stdout);
}, 120_000);

afterAll(() => cleanup());

describe('bash completion', () => {
  it('completes command names', () => {
    expect(bashComplete('playbook', '')).toEqual(
      expect.arrayContaining([
        'create',
        'validate',
        'run',
        'resume',
        'export-dot',
        'info',
        'show',
        'completion',
      ]),
    );
    expect(bashComplete('playbook', 're')).toEqual(['reject', 'report', 'resume']);
    expect(bashComplete('playbook', '')).not.toContain('__complete');
  });

  it("completes a command's own options and the global ones, and before a command the top-level flags", () => {
    const run = bashComplete('playbook', 'run', 'x.playbook.toml', '--');
    expect(run).toEqual(
      expect.arrayContaining(['--non-interactive', '--retries', '--set', '--state-path', '--help']),
    );
    expect(run).not.toContain('--format');
    expect(bashComplete('playbook', '--')).toEqual(
      expect.arrayContaining(['--version', '--help', '--state-path']),
    );
  });

  it('completes runbook files (and folders) where a command takes one, not other files', () => {
    expect(bashComplete('playbook', 'run', '').sort()).toEqual([
      'bin',
      'config',
      'deploy.playbook.toml',
      'incident.playbook.toml',
      'runbooks',
    ]);
    expect(bashComplete('playbook', '-v', 'validate', 'dep')).toEqual(['deploy.playbook.toml']);
  });

  it('completes workflow names from the history, quoted for the shell', () => {
    expect(bashComplete('playbook', 'show', '')).toEqual(['Deploy', 'Incident\\ response']);
    expect(bashComplete('playbook', 'show', 'In')).toEqual(['Incident\\ response']);
  });

  it('completes run ids: every run for --run-id, only resumable ones for resume', () => {
    expect(bashComplete('playbook', 'show', 'Deploy', '--run-id', '')).toEqual(['2', '1']);
    expect(bashComplete('playbook', 'show', 'Incident\\ response', '--run-id', '')).toEqual(['1']);
    expect(bashComplete('playbook', 'export-dot', 'deploy.playbook.toml', '--run-id', '')).toEqual([
      '2',
      '1',
    ]);
    expect(bashComplete('playbook', 'resume', 'deploy.playbook.toml', '')).toEqual(['2']);
  });

  it('completes node ids for resume --node, and fixed values', () => {
    expect(bashComplete('playbook', 'resume', 'deploy.playbook.toml', '--node', '')).toEqual([
      'build',
      'check',
    ]);
    expect(bashComplete('playbook', 'export-dot', 'deploy.playbook.toml', '--format', '')).toEqual([
      'dot',
      'svg',
      'png',
    ]);
    expect(bashComplete('playbook', 'completion', '')).toEqual(['bash', 'zsh', 'fish']);
  });

  it('asks the history the command line names with --state-path', () => {
    expect(bashComplete('playbook', '--state-path', 'other.db', 'show', '')).toEqual([]);
    expect(bashComplete('playbook', '--state-path', 'state.db', 'show', 'D')).toEqual(['Deploy']);
  });
});

describe('playbook completion and __complete', () => {
  it('refuses an unknown shell with a usage error', () => {
    const result = playbook(['completion', 'tcsh']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('unknown shell "tcsh": choose bash, zsh, fish');
  });

  it('__complete prints nothing, and succeeds, when there is nothing to offer', () => {
    for (const args of [
      ['--state-path', 'missing.db', '__complete', 'workflows'],
      ['__complete', 'runs', '--file', 'missing.playbook.toml'],
      ['__complete', 'nodes', '--file', 'notes.txt'],
      ['__complete', 'unknown'],
    ]) {
      const result = playbook(args);
      expect({ args, stdout: result.stdout, stderr: result.stderr, status: result.status }).toEqual({
        args,
        stdout: '',
        stderr: '',
        status: 0,
      });
    }
  });

  it.skipIf(!has('zsh'))('the zsh script parses', () => {
    const result = spawnSync('zsh', ['-n'], {
      input: playbook(['completion', 'zsh']).stdout,
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!has('fish'))('the fish script parses, and fish completes workflows and runbooks with it', () => {
    const script = join(dir, 'playbook.fish');
    writeFileSync(script, playbook(['completion', 'fish']).stdout);
    const ask = (line: string) =>
      execFileSync('fish', ['-c', `source ${script}; complete -C '${line}'`], {
        cwd: dir,
        env,
        encoding: 'utf8',
      })
        .split('\n')
        .map((candidate) => candidate.split('\t')[0])
        .filter((candidate) => candidate !== '');
    expect(ask('playbook show ')).toEqual(['Deploy', 'Incident response']);
    expect(ask('playbook resume deploy.playbook.toml ')).toEqual(['2']);
    expect(ask('playbook run ').sort()).toEqual([
      'bin/',
      'config/',
      'deploy.playbook.toml',
      'incident.playbook.toml',
      'runbooks/',
    ]);
  });
});
