import { describe, expect, it } from 'vitest';
import { ConfigError, type ResolveConfigInput, resolveConfig } from './config.js';

const HOME = '/home/op';

function files(entries: Record<string, string>): ResolveConfigInput['readFile'] {
  return (path) => entries[path];
}

function input(overrides: Partial<ResolveConfigInput> = {}): ResolveConfigInput {
  return { flags: {}, env: {}, cwd: '/srv/ops', homeDir: HOME, readFile: files({}), ...overrides };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveConfig', () => {
  it('uses the built-in defaults when there is no config file', () => {
    const config = resolveConfig(input());
    expect(config).toEqual({
      defaultTimeoutSeconds: 300,
      maxOutputBytes: 1048576,
      heartbeatSeconds: 60,
      statePath: '/home/op/.config/playbook/run.db',
      configPath: '/home/op/.config/playbook/config.toml',
      configFileFound: false,
    });
  });

  it('takes the claimed operator from PLAYBOOK_OPERATOR, else the file; refuses a bad one naming where', () => {
    const readFile = files({ '/home/op/.config/playbook/config.toml': 'operator = " bob "\n' });
    expect(resolveConfig(input({ readFile })).operator).toBe('bob');
    expect(resolveConfig(input({ readFile, env: { PLAYBOOK_OPERATOR: 'alice' } })).operator).toBe('alice');
    // Empty counts as unset, as for every other variable.
    expect(resolveConfig(input({ readFile, env: { PLAYBOOK_OPERATOR: ' ' } })).operator).toBe('bob');
    expect(resolveConfig(input()).operator).toBeUndefined();
    expect(configError(() => resolveConfig(input({ env: { PLAYBOOK_OPERATOR: 'a\u001bb' } }))).message).toBe(
      'PLAYBOOK_OPERATOR must not contain control characters',
    );
    const bad = files({ '/home/op/.config/playbook/config.toml': 'operator = ""\n' });
    expect(configError(() => resolveConfig(input({ readFile: bad }))).message).toBe(
      '/home/op/.config/playbook/config.toml:1: operator must be a non-empty string (your name), got ""',
    );
  });

  it('looks in $XDG_CONFIG_HOME/playbook and ignores a relative XDG_CONFIG_HOME', () => {
    expect(resolveConfig(input({ env: { XDG_CONFIG_HOME: '/xdg' } })).configPath).toBe(
      '/xdg/playbook/config.toml',
    );
    expect(resolveConfig(input({ env: { XDG_CONFIG_HOME: 'rel' } })).configPath).toBe(
      '/home/op/.config/playbook/config.toml',
    );
  });

  it('reads every key from the file and expands ~ in state_path', () => {
    const config = resolveConfig(
      input({
        readFile: files({
          '/home/op/.config/playbook/config.toml':
            'default_timeout_seconds = 12.5\nstate_path = "~/runs/history.db"\nmax_output_bytes = 4096\nheartbeat_seconds = 0.5\n',
        }),
      }),
    );
    expect(config.defaultTimeoutSeconds).toBe(12.5);
    expect(config.maxOutputBytes).toBe(4096);
    expect(config.heartbeatSeconds).toBe(0.5);
    expect(config.statePath).toBe('/home/op/runs/history.db');
    expect(config.configFileFound).toBe(true);
  });

  it('resolves a relative state_path in the file against the file, a relative flag against cwd', () => {
    const readFile = files({ '/etc/pb/config.toml': 'state_path = "data/run.db"' });
    const fromFile = resolveConfig(input({ flags: { config: '/etc/pb/config.toml' }, readFile }));
    expect(fromFile.statePath).toBe('/etc/pb/data/run.db');
    const fromFlag = resolveConfig(
      input({ flags: { config: '/etc/pb/config.toml', statePath: 'x.db' }, readFile }),
    );
    expect(fromFlag.statePath).toBe('/srv/ops/x.db');
  });

  it('orders flag > environment > file > default for the state path', () => {
    const readFile = files({ '/home/op/.config/playbook/config.toml': 'state_path = "/file.db"' });
    const env = { PLAYBOOK_STATE_PATH: '/env.db' };
    expect(resolveConfig(input({ readFile })).statePath).toBe('/file.db');
    expect(resolveConfig(input({ readFile, env })).statePath).toBe('/env.db');
    expect(resolveConfig(input({ readFile, env, flags: { statePath: '/flag.db' } })).statePath).toBe(
      '/flag.db',
    );
    expect(resolveConfig(input({ env: { PLAYBOOK_STATE_PATH: '~/e.db' } })).statePath).toBe('/home/op/e.db');
  });

  it('orders --config > PLAYBOOK_CONFIG > the default location for the config file', () => {
    const readFile = files({
      '/a.toml': 'max_output_bytes = 1',
      '/b.toml': 'max_output_bytes = 2',
      '/home/op/.config/playbook/config.toml': 'max_output_bytes = 3',
    });
    expect(resolveConfig(input({ readFile })).maxOutputBytes).toBe(3);
    expect(resolveConfig(input({ readFile, env: { PLAYBOOK_CONFIG: '/b.toml' } })).maxOutputBytes).toBe(2);
    expect(
      resolveConfig(input({ readFile, env: { PLAYBOOK_CONFIG: '/b.toml' }, flags: { config: '/a.toml' } }))
        .maxOutputBytes,
    ).toBe(1);
  });

  it('refuses an empty flag as a usage error, naming it; an empty environment variable counts as unset', () => {
    for (const [flags, flag] of [
      [{ statePath: '' }, '--state-path'],
      [{ stateUrl: '' }, '--state-url'],
      [{ config: '' }, '--config'],
    ] as const) {
      expect(() => resolveConfig(input({ flags }))).toThrow(
        expect.objectContaining({
          name: 'UsageError',
          message: `${flag} is empty: give a value, or leave the flag out`,
        }),
      );
    }
    const readFile = files({ '/home/op/.config/playbook/config.toml': 'state_path = "/file.db"' });
    const env = { PLAYBOOK_STATE_PATH: '', PLAYBOOK_CONFIG: '', PLAYBOOK_STATE_URL: '' };
    expect(resolveConfig(input({ readFile, env }))).toMatchObject({
      statePath: '/file.db',
      configPath: '/home/op/.config/playbook/config.toml',
      stateUrl: undefined,
    });
  });

  it('takes heartbeat_seconds = 0 (no heartbeat) and refuses a negative or non-number one, naming the line', () => {
    const config = (text: string) =>
      resolveConfig(input({ readFile: files({ '/home/op/.config/playbook/config.toml': text }) }));
    expect(config('heartbeat_seconds = 0').heartbeatSeconds).toBe(0);
    for (const bad of ['heartbeat_seconds = -1', 'heartbeat_seconds = "60"']) {
      expect(() => config(`# heartbeat\n${bad}`)).toThrow(
        /config\.toml:2: heartbeat_seconds must be a number of seconds/,
      );
    }
  });

  it('refuses an explicitly named config file that does not exist', () => {
    const error = configError(() => resolveConfig(input({ flags: { config: 'missing.toml' } })));
    expect(error.file).toBe('/srv/ops/missing.toml');
    expect(error.message).toContain('/srv/ops/missing.toml');
  });

  it('names the file, key and line of an unknown key, with a suggestion', () => {
    const readFile = files({ '/c.toml': '# settings\nstate_path = "/x.db"\ndefault_timeout_second = 10\n' });
    const error = configError(() => resolveConfig(input({ flags: { config: '/c.toml' }, readFile })));
    expect(error.key).toBe('default_timeout_second');
    expect(error.line).toBe(3);
    expect(error.message).toBe(
      '/c.toml:3: unknown key "default_timeout_second" (did you mean "default_timeout_seconds"?); known keys: default_timeout_seconds, state_path, state_url, max_output_bytes, heartbeat_seconds, operator, concurrency',
    );
  });

  it.each([
    ['default_timeout_seconds = 0', 'default_timeout_seconds'],
    ['default_timeout_seconds = -5', 'default_timeout_seconds'],
    ['default_timeout_seconds = "300"', 'default_timeout_seconds'],
    ['default_timeout_seconds = inf', 'default_timeout_seconds'],
    ['max_output_bytes = 1.5', 'max_output_bytes'],
    ['max_output_bytes = 0', 'max_output_bytes'],
    ['max_output_bytes = 99999999999999999999', 'max_output_bytes'],
    ['state_path = 42', 'state_path'],
    ['state_path = ""', 'state_path'],
    ['[state_path]\nx = 1', 'state_path'],
  ])('rejects a bad value: %s', (text, key) => {
    const readFile = files({ '/c.toml': `\n${text}\n` });
    const error = configError(() => resolveConfig(input({ flags: { config: '/c.toml' }, readFile })));
    expect(error.key).toBe(key);
    expect(error.line).toBe(2);
    expect(error.message).toMatch(new RegExp(`^/c\\.toml:2: ${key} must be`));
  });

  it('reports bad TOML with the file, line and column', () => {
    const readFile = files({ '/c.toml': 'state_path = "/x.db"\nmax_output_bytes = \n' });
    const error = configError(() => resolveConfig(input({ flags: { config: '/c.toml' }, readFile })));
    expect(error.key).toBeUndefined();
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/^\/c\.toml:2:\d+: invalid TOML: /);
    expect(error.message).not.toContain('\n');
  });
});

describe('state_url (a shared PostgreSQL history)', () => {
  const URL_A = 'postgres://ops@db.example/playbook';
  const URL_B = 'postgresql://ops@other.example/playbook';

  it('is unset by default: SQLite stays the history', () => {
    expect(resolveConfig(input()).stateUrl).toBeUndefined();
  });

  it('orders flag > environment > file, and a path at a higher level beats a URL at a lower one', () => {
    const readFile = files({ '/home/op/.config/playbook/config.toml': `state_url = "${URL_A}"\n` });
    expect(resolveConfig(input({ readFile })).stateUrl).toBe(URL_A);
    const env = { PLAYBOOK_STATE_URL: URL_B };
    expect(resolveConfig(input({ readFile, env })).stateUrl).toBe(URL_B);
    expect(resolveConfig(input({ readFile, env, flags: { stateUrl: URL_A } })).stateUrl).toBe(URL_A);
    // An operator's --state-path (or PLAYBOOK_STATE_PATH) overrides the team's state_url in the file.
    expect(resolveConfig(input({ readFile, flags: { statePath: '/mine.db' } }))).toMatchObject({
      stateUrl: undefined,
      statePath: '/mine.db',
    });
    expect(
      resolveConfig(input({ readFile, env: { PLAYBOOK_STATE_PATH: '/env.db' } })).stateUrl,
    ).toBeUndefined();
    // And a URL flag beats a path from the environment.
    const both = resolveConfig(
      input({ env: { PLAYBOOK_STATE_PATH: '/env.db' }, flags: { stateUrl: URL_B } }),
    );
    expect(both.stateUrl).toBe(URL_B);
  });

  it('refuses a path and a URL at the same level, and a URL that is not PostgreSQL', () => {
    expect(
      configError(() => resolveConfig(input({ flags: { statePath: '/a.db', stateUrl: URL_A } }))).message,
    ).toMatch(/--state-path or --state-url, not both/);
    const both = files({ '/c.toml': `state_path = "/a.db"\nstate_url = "${URL_A}"\n` });
    expect(
      configError(() => resolveConfig(input({ readFile: both, flags: { config: '/c.toml' } }))).key,
    ).toBe('state_url');
    const mysql = files({ '/c.toml': 'state_url = "mysql://x/y"\n' });
    const error = configError(() => resolveConfig(input({ readFile: mysql, flags: { config: '/c.toml' } })));
    expect(error.message).toBe(
      '/c.toml:1: state_url must be a postgres:// or postgresql:// URL, got "mysql://x/y"',
    );
    expect(
      configError(() => resolveConfig(input({ env: { PLAYBOOK_STATE_URL: 'db.example' } }))).message,
    ).toMatch(/PLAYBOOK_STATE_URL must be a postgres/);
  });
});
