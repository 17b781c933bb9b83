import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
// Subpaths, not the packages' main entries: every command reads the config, and those entries would load the
// runbook schemas, the planner and a TOML parser into each command's start-up.
import { suggestKey } from '@playbook/domain/text';
import {
  DEFAULT_HEARTBEAT_SECONDS,
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_SECONDS,
} from '@playbook/engine/defaults';
import { locateKeys } from '@playbook/parser/key-locator';
import { UsageError } from './clipanion.js';

/** The settings every command works with, after flags, environment, file and defaults are merged. */
export interface PlaybookConfig {
  /** Per-attempt timeout of nodes without `timeout`, in seconds. */
  readonly defaultTimeoutSeconds: number;
  /** Absolute path of the SQLite run history (used when `stateUrl` is undefined). */
  readonly statePath: string;
  /** PostgreSQL URL of a run history shared by a team; when set, it is used instead of `statePath`. */
  readonly stateUrl: string | undefined;
  /** Cap of captured output per stream and attempt, in bytes. */
  readonly maxOutputBytes: number;
  /** Seconds between "still running" lines (and `heartbeat` events) of a long step; 0 for none. */
  readonly heartbeatSeconds: number;
  /**
   * How many ready steps `run` and `resume` run at once (SPEC §9.1) when neither `--concurrency` nor the
   * runbook's `[runbook] concurrency` says; undefined when the file does not set it (then 1).
   */
  readonly concurrency: number | undefined;
  /**
   * The claimed operator (SPEC §10.1, §12): `PLAYBOOK_OPERATOR`, else config `operator`; undefined when neither
   * names one.
   */
  readonly operator: string | undefined;
  /** Absolute path of the config file that was looked at. */
  readonly configPath: string;
  /** Whether that file existed and was read. */
  readonly configFileFound: boolean;
}

// The engine's own defaults: one source for the values the config falls back to and the engine applies.
export { DEFAULT_HEARTBEAT_SECONDS, DEFAULT_MAX_OUTPUT_BYTES, DEFAULT_TIMEOUT_SECONDS };

/** The code of `ConfigError`. */
export type ConfigErrorCode = 'CONFIG_INVALID';

/** A config file that cannot be used: bad TOML, an unknown key or a bad value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: ConfigErrorCode = 'CONFIG_INVALID';
  constructor(
    message: string,
    readonly file: string,
    readonly key?: string,
    readonly line?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ResolveConfigInput {
  /** Command-line flags; undefined when not given. */
  readonly flags: {
    readonly statePath?: string | undefined;
    readonly stateUrl?: string | undefined;
    readonly config?: string | undefined;
  };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Directory relative flag and environment paths resolve against. */
  readonly cwd: string;
  /** Home directory for `~` and the default config location. */
  readonly homeDir: string;
  /** Reads a file as UTF-8; returns undefined when it does not exist (other failures throw). */
  readonly readFile: (path: string) => string | undefined;
}

// Loaded on first use, so `playbook --version` and commands that find no config file never load a TOML parser.
let parseToml: ((text: string) => unknown) | undefined;
function tomlParser(): (text: string) => unknown {
  parseToml ??= (createRequire(import.meta.url)('@iarna/toml') as typeof import('@iarna/toml')).parse;
  return parseToml;
}

/** Every key of the config file (docs/configuration.md's table is checked against this list). */
export const CONFIG_KEYS = [
  'default_timeout_seconds',
  'state_path',
  'state_url',
  'max_output_bytes',
  'heartbeat_seconds',
  'operator',
  'concurrency',
] as const;

/** Expands a leading `~` (alone or followed by a slash) to the home directory. */
export function expandHome(path: string, homeDir: string): string {
  if (path === '~') return homeDir;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homeDir, path.slice(2));
  return path;
}

function absolute(path: string, base: string, homeDir: string): string {
  const expanded = expandHome(path, homeDir);
  return isAbsolute(expanded) ? expanded : resolve(base, expanded);
}

/**
 * Refuses a flag given an empty value (`--state-path ''`, `--config "$UNSET"`): in a script it is almost always
 * a variable that is not set, and falling back to the default database or config would hide it. An empty
 * environment variable, by contrast, is the common way of unsetting one, and counts as unset.
 */
export function checkConfigFlags(flags: ResolveConfigInput['flags']): void {
  const given = [
    ['--state-path', flags.statePath],
    ['--state-url', flags.stateUrl],
    ['--config', flags.config],
  ] as const;
  for (const [flag, value] of given) {
    if (value === '') throw new UsageError(`${flag} is empty: give a value, or leave the flag out`);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Directory of the default config file: `$XDG_CONFIG_HOME/playbook`, else `~/.config/playbook`. */
function defaultConfigDirectory(env: ResolveConfigInput['env'], homeDir: string): string {
  const xdg = nonEmpty(env.XDG_CONFIG_HOME);
  // The XDG spec says relative values are invalid and must be ignored.
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homeDir, '.config');
  return join(base, 'playbook');
}

/**
 * Merges flag > environment > config file > defaults (SPEC §5). Pure apart from `readFile`. A file named by
 * `--config` or `PLAYBOOK_CONFIG` must exist; the default one may be missing. An empty flag is a usage error
 * (`checkConfigFlags`); an empty environment variable counts as unset.
 */
export function resolveConfig(input: ResolveConfigInput): PlaybookConfig {
  const { flags, env, cwd, homeDir } = input;
  checkConfigFlags(flags);
  const configDirectory = defaultConfigDirectory(env, homeDir);
  const explicitConfig = flags.config ?? nonEmpty(env.PLAYBOOK_CONFIG);
  const configPath =
    explicitConfig !== undefined
      ? absolute(explicitConfig, cwd, homeDir)
      : join(configDirectory, 'config.toml');

  const text = input.readFile(configPath);
  if (text === undefined && explicitConfig !== undefined) {
    throw new ConfigError(`config file ${configPath} does not exist`, configPath);
  }
  const file = text === undefined ? {} : parseConfigFile(text, configPath, homeDir);

  const flagState = flags.statePath;
  const envState = nonEmpty(env.PLAYBOOK_STATE_PATH);
  const statePath =
    flagState !== undefined
      ? absolute(flagState, cwd, homeDir)
      : envState !== undefined
        ? absolute(envState, cwd, homeDir)
        : (file.statePath ?? join(configDirectory, 'run.db'));

  // A path and a URL are two answers to one question: the higher level wins (a --state-path flag beats a
  // state_url in the file); both at one level is a mistake.
  const flagUrl = checkedUrl(flags.stateUrl, '--state-url', configPath);
  const envUrl = checkedUrl(nonEmpty(env.PLAYBOOK_STATE_URL), 'PLAYBOOK_STATE_URL', configPath);
  if (flagUrl !== undefined && flagState !== undefined) {
    throw new ConfigError('give --state-path or --state-url, not both', configPath);
  }
  if (envUrl !== undefined && envState !== undefined) {
    throw new ConfigError('PLAYBOOK_STATE_PATH and PLAYBOOK_STATE_URL are both set: unset one', configPath);
  }
  const stateUrl =
    flagUrl ??
    (flagState !== undefined ? undefined : (envUrl ?? (envState !== undefined ? undefined : file.stateUrl)));

  return {
    defaultTimeoutSeconds: file.defaultTimeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    statePath,
    stateUrl,
    maxOutputBytes: file.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
    heartbeatSeconds: file.heartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS,
    concurrency: file.concurrency,
    operator: checkedOperator(env.PLAYBOOK_OPERATOR, configPath) ?? file.operator,
    configPath,
    configFileFound: text !== undefined,
  };
}

/** The longest operator name accepted: a name, not a text. */
const MAX_OPERATOR_LENGTH = 200;

/** Why `name` cannot be a claimed operator, or undefined when it can. */
function operatorProblem(name: string): string | undefined {
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'must not contain control characters';
  if (name.length > MAX_OPERATOR_LENGTH) return `must be at most ${MAX_OPERATOR_LENGTH} characters`;
  return undefined;
}

/** `PLAYBOOK_OPERATOR` trimmed (empty: unset), or a ConfigError when it cannot name an operator. */
function checkedOperator(value: string | undefined, configPath: string): string | undefined {
  const name = value?.trim() ?? '';
  if (name === '') return undefined;
  const problem = operatorProblem(name);
  if (problem !== undefined) {
    throw new ConfigError(`PLAYBOOK_OPERATOR ${problem}`, configPath, 'PLAYBOOK_OPERATOR');
  }
  return name;
}

/** A PostgreSQL URL as given, or a ConfigError naming where it came from. */
function checkedUrl(url: string | undefined, source: string, configPath: string): string | undefined {
  if (url === undefined || isPostgresUrl(url)) return url;
  throw new ConfigError(`${source} must be a postgres:// or postgresql:// URL`, configPath, source);
}

function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/./.test(url);
}

interface FileSettings {
  defaultTimeoutSeconds?: number;
  statePath?: string;
  stateUrl?: string;
  maxOutputBytes?: number;
  heartbeatSeconds?: number;
  concurrency?: number;
  operator?: string;
}

/** Parses and checks the text of a config file; every failure names the file, the key and its line. */
function parseConfigFile(text: string, file: string, homeDir: string): FileSettings {
  let data: Record<string, unknown>;
  try {
    // An editor may save a byte-order mark first; TOML.parse rejects it as an unknown character.
    data = tomlParser()(text.startsWith('\uFEFF') ? text.slice(1) : text) as Record<string, unknown>;
  } catch (error) {
    const e = error as { line?: number; col?: number; message?: string };
    const line = typeof e.line === 'number' ? e.line + 1 : undefined;
    const column = typeof e.col === 'number' ? e.col + 1 : undefined;
    // The library's message carries its own position and a code excerpt; keep the first sentence only.
    const reason = (e.message ?? String(error))
      .split('\n')[0]
      ?.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    const where = line === undefined ? file : `${file}:${line}${column === undefined ? '' : `:${column}`}`;
    throw new ConfigError(`${where}: invalid TOML: ${reason}`, file, undefined, line, { cause: error });
  }

  const fail = (key: string, problem: string): never => {
    const line = locateKeys(text).find([key])?.line;
    const where = line === undefined ? file : `${file}:${line}`;
    throw new ConfigError(`${where}: ${problem}`, file, key, line);
  };

  const settings: FileSettings = {};
  for (const [key, value] of Object.entries(data)) {
    switch (key) {
      case 'default_timeout_seconds': {
        const n = toNumber(value);
        if (n === undefined || !Number.isFinite(n) || n <= 0) {
          fail(key, `default_timeout_seconds must be a positive number of seconds, got ${show(value)}`);
        }
        settings.defaultTimeoutSeconds = n as number;
        break;
      }
      case 'max_output_bytes': {
        const n = toNumber(value);
        if (n === undefined || !Number.isSafeInteger(n) || n <= 0) {
          fail(key, `max_output_bytes must be a positive integer (bytes), got ${show(value)}`);
        }
        settings.maxOutputBytes = n as number;
        break;
      }
      case 'heartbeat_seconds': {
        const n = toNumber(value);
        if (n === undefined || !Number.isFinite(n) || n < 0) {
          fail(key, `heartbeat_seconds must be a number of seconds (0 for none), got ${show(value)}`);
        }
        settings.heartbeatSeconds = n as number;
        break;
      }
      case 'concurrency': {
        const n = toNumber(value);
        if (n === undefined || !Number.isSafeInteger(n) || n < 1) {
          fail(key, `concurrency must be a positive integer (steps at once), got ${show(value)}`);
        }
        settings.concurrency = n as number;
        break;
      }
      case 'state_path': {
        if (typeof value !== 'string' || value.trim() === '') {
          fail(key, `state_path must be a non-empty string, got ${show(value)}`);
        }
        // A relative state_path in a file means relative to that file, not to wherever the command runs.
        settings.statePath = absolute(value as string, dirname(file), homeDir);
        break;
      }
      case 'state_url': {
        if (typeof value !== 'string' || !isPostgresUrl(value)) {
          fail(key, `state_url must be a postgres:// or postgresql:// URL, got ${show(value)}`);
        }
        settings.stateUrl = value as string;
        break;
      }
      case 'operator': {
        const name = typeof value === 'string' ? value.trim() : '';
        if (name === '') fail(key, `operator must be a non-empty string (your name), got ${show(value)}`);
        const problem = operatorProblem(name);
        if (problem !== undefined) fail(key, `operator ${problem}`);
        settings.operator = name;
        break;
      }
      default: {
        const hint = suggestKey(key, CONFIG_KEYS);
        fail(
          key,
          `unknown key "${key}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; known keys: ${CONFIG_KEYS.join(', ')}`,
        );
      }
    }
  }
  if (settings.statePath !== undefined && settings.stateUrl !== undefined) {
    fail('state_url', 'state_path and state_url are both set: keep one (state_url is the shared database)');
  }
  return settings;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'an array' : 'a table';
  return String(value);
}
