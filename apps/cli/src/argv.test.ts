import { describe, expect, it } from 'vitest';
import { normalizeArgv } from './argv.js';

describe('normalizeArgv', () => {
  it.each([
    [
      ['validate', 'x.toml', '-v'],
      ['validate', 'x.toml', '-v'],
    ],
    [
      ['-v', 'validate', 'x.toml'],
      ['validate', '-v', 'x.toml'],
    ],
    [
      ['--verbose', 'validate', 'x.toml'],
      ['validate', '--verbose', 'x.toml'],
    ],
    [
      ['--state-path', 'db', 'show', 'wf'],
      ['show', '--state-path', 'db', 'wf'],
    ],
    [
      ['--state-path=db', '-v', 'show', 'wf'],
      ['show', '--state-path=db', '-v', 'wf'],
    ],
    [
      ['--config', 'c.toml', '--state-path', 'db', 'info', '--json'],
      ['info', '--config', 'c.toml', '--state-path', 'db', '--json'],
    ],
    // An option value that looks like a command name stays the option's value.
    [
      ['--state-path', 'info', 'show', 'wf'],
      ['show', '--state-path', 'info', 'wf'],
    ],
    // `--` keeps meaning "the rest is positional": globals go in front of it.
    [
      ['-v', 'run', 'x.toml', '--', '-v'],
      ['run', '-v', 'x.toml', '--', '-v'],
    ],
  ])('%j → %j', (input, expected) => {
    expect(normalizeArgv(input)).toEqual(expected);
  });

  it('leaves top-level flags alone', () => {
    expect(normalizeArgv(['--version'])).toEqual(['--version']);
    expect(normalizeArgv(['-v', '--help'])).toEqual(['--help']);
    expect(normalizeArgv(['--state-path', 'db', '--version'])).toEqual(['--version']);
  });

  it('does not touch what it does not understand', () => {
    expect(normalizeArgv([])).toEqual([]);
    expect(normalizeArgv(['-v'])).toEqual(['-v']);
    expect(normalizeArgv(['-v', '--bogus', 'validate'])).toEqual(['-v', '--bogus', 'validate']);
    expect(normalizeArgv(['validate', '--state-path', 'db', 'x'])).toEqual([
      'validate',
      '--state-path',
      'db',
      'x',
    ]);
  });
});
