import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BaseCommand } from '../src/base-command.js';
import { createCli } from '../src/cli.js';
import { cliVersion } from '../src/cli-version.js';
import { VALID_RUNBOOK, writeRunbook } from './fixtures.js';
import { makeContext, runCli, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(() => cleanup());

describe('playbook (top level)', () => {
  it('--version prints the package version', async () => {
    const result = await runCli(['--version'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${cliVersion()}\n`);
    // Read independently of the code under test: the manifest next to this test folder.
    expect(cliVersion()).toBe(
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version,
    );
  });

  it('--help and -h list the commands', async () => {
    for (const flag of ['--help', '-h']) {
      const result = await runCli([flag], { cwd: dir });
      expect(result.code).toBe(0);
      for (const command of ['create', 'validate', 'export-dot', 'info', 'show']) {
        expect(result.stdout).toContain(`playbook ${command}`);
      }
      expect(result.stdout).not.toContain('\u001b[');
    }
  });

  it('<command> --help prints the detailed usage with examples', async () => {
    const result = await runCli(['validate', '--help'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--strict');
    expect(result.stdout).toContain('Examples');
    expect(result.stdout).not.toContain('\u001b[');
    const colored = await runCli(['-v', 'validate', '--help'], { cwd: dir, color: true });
    expect(colored.stdout).toContain('\u001b[');
  });

  it('an unknown command is a usage error: exit 2, one error line and the usage line on stderr', async () => {
    const result = await runCli(['frobnicate'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: unknown command "frobnicate"\n' +
        'usage: playbook <approve|completion|create|export-dot|import|info|logs|plan|reject|report|resume|run|serve|show|validate|verify> …\n',
    );
  });

  it('a misspelt command gets a "did you mean" and the usage line of the command meant', async () => {
    const result = await runCli(['valdate', 'deploy.playbook.toml'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: unknown command "valdate" (did you mean "validate"?)\n' +
        'usage: playbook validate [--strict] [--json] <file>\n',
    );
  });

  it('a misspelt option, also a global one, gets a "did you mean" and the command`s usage line', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    const result = await runCli(['run', 'deploy.playbook.toml', '--non-interactve'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: unknown option --non-interactve for run (did you mean --non-interactive?)\n' +
        'usage: playbook run [--non-interactive] [--retries <n>] [--set <node>.<param>=<value>] [--concurrency <n>] [--json] [--var <name>=<value>] [--vars-file <file>] <file>\n',
    );
    const global = await runCli(['--verbos', 'validate', 'deploy.playbook.toml'], { cwd: dir });
    expect(global.code).toBe(2);
    expect(global.stderr.split('\n')[0]).toBe(
      'error: unknown option --verbos for validate (did you mean --verbose?)',
    );
  });

  it.each([
    [['validate', 'deploy.playbook.toml', '--bogus'], 'error: unknown option --bogus for validate'],
    [['show'], 'error: missing <workflow> for show'],
    [['validate', 'a', 'b'], 'error: unexpected argument "b" for validate'],
    [['show', 'Deploy', '--run-id'], 'error: --run-id needs a value'],
    [['info', '--json=yes'], 'error: --json takes no value (got "--json=yes")'],
    // A required option left out said "command not found; did you mean:".
    [['report', 'Deploy'], 'error: missing --format <format> for report'],
    [['report', 'Deploy', '-o', 'r.md'], 'error: missing --format <format> for report'],
  ])('%j is a usage error: exit 2, one error line, then the usage line', async (args, message) => {
    const result = await runCli(args, { cwd: dir });
    expect(result.code).toBe(2);
    const lines = result.stderr.split('\n');
    expect(lines).toEqual([message, expect.stringMatching(/^usage: playbook \S+ /), '']);
  });

  it('no command at all prints the usage on stderr, exit 2', async () => {
    const result = await runCli([], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('playbook validate');
  });

  it('a bad option value raised by a command is a usage error: exit 2', async () => {
    const result = await runCli(['show', 'Deploy', '--run-id', 'abc'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --run-id must be a positive integer run id, got "abc"\n/);
    expect(result.stderr).toContain('playbook show --help');
  });
});

describe('configuration errors', () => {
  it('a bad config file names the file and the key, exit 1, no stack', async () => {
    const config = join(dir, 'config.toml');
    await writeFile(config, 'state_path = "x.db"\nmax_output_bytes = -1\n');
    const result = await runCli(['--config', config, 'info'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${config}:2: max_output_bytes must be a positive integer (bytes), got -1\n`,
    );
  });

  it('finds the default config file under XDG_CONFIG_HOME', async () => {
    await mkdir(join(dir, 'xdg', 'playbook'), { recursive: true });
    await writeFile(join(dir, 'xdg', 'playbook', 'config.toml'), 'colour = "red"\n');
    const result = await runCli(['info'], { cwd: dir, env: { XDG_CONFIG_HOME: join(dir, 'xdg') } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, 'xdg', 'playbook', 'config.toml')}:1: unknown key "colour"`);
  });

  it('PLAYBOOK_CONFIG names the config file; --config wins over it', async () => {
    await writeFile(join(dir, 'a.toml'), 'state_path = "from-a.db"\n');
    await writeFile(join(dir, 'b.toml'), 'state_path = "from-b.db"\n');
    const env = { PLAYBOOK_CONFIG: join(dir, 'a.toml') };
    const fromEnv = await runCli(['info', '--json'], { cwd: dir, env });
    expect(JSON.parse(fromEnv.stdout).database.path).toBe(join(dir, 'from-a.db'));
    const fromFlag = await runCli(['--config', 'b.toml', 'info', '--json'], { cwd: dir, env });
    expect(JSON.parse(fromFlag.stdout).database.path).toBe(join(dir, 'from-b.db'));
  });

  it.each([
    ['--state-path', 'info'],
    ['--config', 'info'],
    ['--state-url', 'show'],
  ])(
    'an empty %s (an unset variable in a script) is a usage error naming the flag, exit 2',
    async (flag, command) => {
      const args = command === 'show' ? [command, 'Deploy', flag, ''] : [command, flag, ''];
      const result = await runCli(args, { cwd: dir });
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(
        new RegExp(`^error: ${flag} is empty: give a value, or leave the flag out\n`),
      );
    },
  );

  it('an empty flag is refused even by a command that never reads the configuration', async () => {
    await writeRunbook(dir, 'deploy.playbook.toml', VALID_RUNBOOK);
    const result = await runCli(['validate', 'deploy.playbook.toml', '--state-path='], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --state-path is empty/);
  });

  it('-v adds the stack to an error', async () => {
    await writeFile(join(dir, 'c.toml'), 'nope = 1\n');
    const quiet = await runCli(['info', '--config', 'c.toml'], { cwd: dir });
    expect(quiet.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const verbose = await runCli(['-v', 'info', '--config', 'c.toml'], { cwd: dir });
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^error: .*unknown key "nope"/);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});

describe('errors and colours', () => {
  class BoomCommand extends BaseCommand {
    static override paths = [['boom']];
    override async execute(): Promise<number> {
      throw new TypeError('kaboom');
    }
  }

  class RepoCommand extends BaseCommand {
    static override paths = [['repo']];
    override async execute(): Promise<number> {
      await this.withRepository(async () => undefined);
      return 0;
    }
  }

  it('an unexpected error is one line naming its class, exit 1; with colours the label is red', async () => {
    const cli = createCli();
    cli.register(BoomCommand);
    const plain = makeContext({ cwd: dir });
    expect(await cli.run(['boom'], plain.context)).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(plain.stderr()).toBe('error: TypeError: kaboom\n');

    const colored = makeContext({ cwd: dir, color: true });
    expect(await cli.run(['boom'], colored.context)).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(colored.stderr()).toBe('\u001b[31merror:\u001b[39m TypeError: kaboom\n');
  });

  it('an unwritable state path is a one-line error, exit 1', async () => {
    await writeFile(join(dir, 'file'), 'not a directory');
    const cli = createCli();
    cli.register(RepoCommand);
    const { context, stderr } = makeContext({ cwd: dir });
    expect(await cli.run(['repo', '--state-path', join(dir, 'file', 'run.db')], context)).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stderr()).toMatch(/^error: .*file\/run\.db/);
    expect(stderr().trim().split('\n')).toHaveLength(1);
  });

  it('a state file that is not a database is a one-line error, exit 1', async () => {
    await writeFile(join(dir, 'garbage.db'), 'this is not sqlite at all, just text\n'.repeat(20));
    for (const args of [['info'], ['show', 'Deploy'], ['info', '--json']]) {
      const result = await runCli(['--state-path', 'garbage.db', ...args], { cwd: dir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^error: .*garbage\.db/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
    }
  });
});
