import { mkdir, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../src/config.js';
import { faultSandbox, removeSandboxes } from './faults/support.js';
import { ensureBuilt, runCli } from './fixtures-run/e2e.js';

// SPEC §5: "A bad value is an error naming the file and the key." A corpus of broken config files, each of
// which must give one ConfigError — one line, the file, the key when there is one — and never anything else.

const FILE = '/etc/playbook/config.toml';

function load(text: string) {
  return resolveConfig({
    flags: { config: FILE },
    env: {},
    cwd: '/srv/ops',
    homeDir: '/home/op',
    readFile: (path) => (path === FILE ? text : undefined),
  });
}

function failure(text: string): ConfigError {
  let thrown: unknown;
  try {
    load(text);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, `no error for ${JSON.stringify(text)}`).toBeInstanceOf(ConfigError);
  const error = thrown as ConfigError;
  expect(error.message).not.toContain('\n');
  expect(error.message).toContain(FILE);
  expect(error.file).toBe(FILE);
  return error;
}

/** [name, file text, the key the error must name (undefined: a TOML syntax error, named by line), message]. */
const CORPUS: [string, string, string | undefined, RegExp][] = [
  ['an unterminated string', 'state_path = "/tmp/x\n', undefined, /:1:\d+: invalid TOML: /],
  ['a key without a value', 'default_timeout_seconds =\n', undefined, /:1:\d+: invalid TOML: /],
  ['a repeated key', 'max_output_bytes = 1\nmax_output_bytes = 2\n', undefined, /:2:\d+: invalid TOML: /],
  ['NUL bytes', 'state_path = "a"\n\u0000\u0000\n', undefined, /invalid TOML/],
  [
    'an out-of-range date',
    'default_timeout_seconds = 2025-13-01\n',
    undefined,
    /invalid TOML: Invalid Datetime/,
  ],
  ['a timeout as a string', 'default_timeout_seconds = "300"\n', 'default_timeout_seconds', /got "300"/],
  ['a zero timeout', 'default_timeout_seconds = 0\n', 'default_timeout_seconds', /positive number/],
  ['a negative timeout', 'default_timeout_seconds = -5\n', 'default_timeout_seconds', /got -5/],
  ['a NaN timeout', 'default_timeout_seconds = nan\n', 'default_timeout_seconds', /got NaN/],
  ['an infinite timeout', 'default_timeout_seconds = inf\n', 'default_timeout_seconds', /got Infinity/],
  ['a timeout as a table', '[default_timeout_seconds]\nx = 1\n', 'default_timeout_seconds', /got a table/],
  ['a fractional byte cap', 'max_output_bytes = 1.5\n', 'max_output_bytes', /positive integer/],
  ['a zero byte cap', 'max_output_bytes = 0\n', 'max_output_bytes', /got 0/],
  ['a byte cap past 2^53', 'max_output_bytes = 9007199254740993\n', 'max_output_bytes', /positive integer/],
  ['a byte cap as a boolean', 'max_output_bytes = true\n', 'max_output_bytes', /got true/],
  ['an empty state path', 'state_path = ""\n', 'state_path', /non-empty string/],
  ['a blank state path', 'state_path = "   "\n', 'state_path', /non-empty string/],
  ['a state path as a number', 'state_path = 3\n', 'state_path', /got 3/],
  ['a state path as an array', 'state_path = ["a", "b"]\n', 'state_path', /got an array/],
  ['a misspelt key', 'statepath = "/tmp/x"\n', 'statepath', /did you mean "state_path"/],
  ['a key in the wrong case', 'STATE_PATH = "/tmp/x"\n', 'STATE_PATH', /did you mean "state_path"/],
  ['an unknown table', '[playbook]\nstate_path = "/tmp/x"\n', 'playbook', /unknown key "playbook"/],
  ['a dotted key', 'state.path = "/tmp/x"\n', 'state', /unknown key "state"/],
  ['an array of tables', '[[state_path]]\n', 'state_path', /got an array/],
  ['a table named like a JS built-in', '[toString]\nx = 1\n', 'toString', /unknown key "toString"/],
  ['a quoted unknown key', '"default timeout" = 3\n', 'default timeout', /unknown key/],
];

describe('malformed config files', () => {
  it.each(CORPUS)('%s: one ConfigError naming the file and the key', (_name, text, key, message) => {
    const error = failure(text);
    expect(error.key).toBe(key);
    if (key !== undefined) expect(error.message).toContain(key);
    expect(error.message).toMatch(message);
    // Located: a syntax error by its line (and column), a bad key by the line that sets it — except the
    // out-of-range date, for which the TOML library gives no position.
    if (!/Invalid Datetime/.test(error.message)) expect(error.message).toMatch(new RegExp(`^${FILE}:\\d+`));
  });

  it('a valid file, with a byte-order mark and comments, is read', () => {
    const config = load('\uFEFF# mine\ndefault_timeout_seconds = 12.5 # seconds\nstate_path = "~/runs.db"\n');
    expect(config).toMatchObject({ defaultTimeoutSeconds: 12.5, statePath: '/home/op/runs.db' });
  });

  it('arbitrary text gives a config or a ConfigError, nothing else', () => {
    const keyish = fc.constantFrom(
      'default_timeout_seconds',
      'max_output_bytes',
      'state_path',
      'x',
      '"state_path"',
      '[state_path]',
      '[[x]]',
    );
    const valueish = fc.oneof(
      fc.constantFrom('1', '-1', '0', '1.5', 'nan', 'inf', '""', '"~/a"', '[]', '{}', 'true', '2025-01-01'),
      fc.string({ maxLength: 10 }),
    );
    const line = fc.tuple(keyish, fc.constantFrom(' = ', '=', ' '), valueish).map((parts) => parts.join(''));
    const text = fc.oneof(
      fc.array(line, { maxLength: 5 }).map((lines) => lines.join('\n')),
      fc.string({ maxLength: 200, unit: 'binary' }),
    );
    fc.assert(
      fc.property(text, (source) => {
        try {
          load(source);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).not.toContain('\n');
          expect((error as Error).message).toContain(FILE);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('malformed config files through the binary', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it.each([
    ['max_output_bytes = "lots"\n', /config\.toml:1: max_output_bytes must be a positive integer/],
    ['state_path = "/tmp/x\n', /config\.toml:1:\d+: invalid TOML/],
  ])(
    '%j: exit 1, one line naming the file, no stack',
    async (text, message) => {
      const box = await faultSandbox();
      const file = await box.runbook(
        'x',
        'X',
        '[step]\ntype = "Command"\ncommand_name = "echo x >> marks/step"\n',
      );
      await mkdir(box.path('config/playbook'), { recursive: true });
      await writeFile(box.path('config/playbook/config.toml'), text);
      for (const args of [['run', file], ['resume', file], ['info']]) {
        const result = await runCli(box, args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toMatch(/^error: [^\n]+\n$/);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).toContain(box.path('config/playbook/config.toml'));
      }
      expect(box.exists('marks/step')).toBe(false);
    },
    30_000,
  );
});
