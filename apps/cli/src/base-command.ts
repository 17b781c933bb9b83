import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Problem } from '@playbook/parser';
import { redactUrl } from '@playbook/postgres/redact';
import { Command, Option } from './clipanion.js';
import { PAINTED, paint, type Style } from './colors.js';
import { ConfigError, checkConfigFlags, expandHome, type PlaybookConfig, resolveConfig } from './config.js';
import type { PlaybookContext } from './context.js';
import { exitCodeFor, formatError, isUsageError } from './errors.js';
import { openRunStore, type RunStore } from './state-store.js';
import { terminalSafeJson, visibleExcept, visibleLine } from './terminal/visible.js';

/**
 * Shared options and helpers of every `playbook` command. Subclasses implement `execute()` returning an exit
 * code and may simply throw: any error ends up as one line on stderr (stack with `-v`) and its exit code
 * (`exitCodeFor`): usage errors 2, `CliError` its own, interruptions 130, anything else 1.
 */
export abstract class BaseCommand extends Command<PlaybookContext> {
  verbose = Option.Boolean('-v,--verbose', false, {
    description: 'Print stack traces with errors, and more detail',
  });

  statePath = Option.String('--state-path', {
    description: 'SQLite run history file (overrides PLAYBOOK_STATE_PATH and the config file)',
  });

  stateUrl = Option.String('--state-url', {
    description:
      'PostgreSQL run history shared by a team, postgres://… (overrides PLAYBOOK_STATE_URL and the config file)',
  });

  configFile = Option.String('--config', {
    description: 'Config file to read (overrides PLAYBOOK_CONFIG; default ~/.config/playbook/config.toml)',
  });

  abstract override execute(): Promise<number>;

  #config: PlaybookConfig | undefined;

  /** The merged configuration (flags > environment > file > defaults); read once per command. */
  protected resolveConfig(): PlaybookConfig {
    this.#config ??= resolveConfig({
      flags: { statePath: this.statePath, stateUrl: this.stateUrl, config: this.configFile },
      env: this.context.env,
      cwd: this.context.cwd,
      homeDir: this.context.homeDir,
      readFile: readConfigFile,
    });
    return this.#config;
  }

  /**
   * Opens the run history: the PostgreSQL database of the configured state URL, else the SQLite state file
   * (see `openRunStore`). The caller closes it; prefer `withRepository`.
   */
  protected async openRepository(options: { readonly?: boolean } = {}): Promise<RunStore> {
    return openRunStore(this.resolveConfig(), options);
  }

  /** Where the run history is, for messages: the state file's path or the database URL without password. */
  protected stateLocation(): string {
    const { statePath, stateUrl } = this.resolveConfig();
    return stateUrl === undefined ? statePath : redactUrl(stateUrl);
  }

  /** Runs `action` with an open repository and closes it afterwards, whatever happens. */
  protected async withRepository<T>(
    action: (repository: RunStore) => Promise<T>,
    options: { readonly?: boolean } = {},
  ): Promise<T> {
    const repository = await this.openRepository(options);
    if (repository.immutable === true) {
      this.context.stderr.write(
        `${this.styleError('yellow', 'warning:')} SQLite cannot open the journal of ${repository.path} (a read-only folder or file system) and reads the file in immutable mode: this view may miss the newest changes\n`,
      );
    }
    try {
      return await action(repository);
    } finally {
      await repository.close();
    }
  }

  /** Whether the state file exists yet (it is created by the first run); read-only commands check first. */
  protected async stateFileExists(): Promise<boolean> {
    const { statePath, stateUrl } = this.resolveConfig();
    // A database is not created by a file appearing: opening it says whether it holds a history.
    if (stateUrl !== undefined) return true;
    // Synchronous: a stat costs microseconds, node:fs/promises a start-up milliseconds (docs/performance.md).
    return existsSync(statePath);
  }

  /** A path from the command line, absolute: `~` expanded, relative ones against the context's cwd. */
  protected resolvePath(path: string): string {
    const expanded = expandHome(path, this.context.homeDir);
    return isAbsolute(expanded) ? expanded : resolve(this.context.cwd, expanded);
  }

  /**
   * Writes to stdout, with every control character made visible except our own colours (SPEC §11): the last
   * line of defence for text from a file or the history that no table, field or message writer took in.
   */
  protected print(text: string): void {
    this.context.stdout.write(visibleExcept(text, PAINTED));
  }

  /** Writes a value as indented JSON and a newline to stdout; the JSON value is exact, and safe to look at. */
  protected printJson(value: unknown): void {
    this.context.stdout.write(`${terminalSafeJson(JSON.stringify(value, null, 2))}\n`);
  }

  /**
   * Writes the problems of a runbook file, one located line each (`file:line:col: error: [node.field] message`),
   * red for errors and yellow for warnings, naming the file as the user typed it. Messages quote the file: what
   * they quote is shown, never acted on.
   */
  protected async writeProblems(
    problems: readonly Problem[],
    file: string,
    to: 'stdout' | 'stderr',
  ): Promise<void> {
    const { formatProblem } = await import('@playbook/parser');
    let text = '';
    for (const problem of problems) {
      const line = visibleLine(formatProblem({ ...problem, file }));
      text += `${paint(this.context.color[to], problem.severity === 'error' ? 'red' : 'yellow', line)}\n`;
    }
    this.context[to].write(text);
  }

  /** `text` styled for stdout (plain when colours are off). */
  protected style(style: Style, text: string): string {
    return paint(this.context.color.stdout, style, text);
  }

  /** `text` styled for stderr (plain when colours are off). */
  protected styleError(style: Style, text: string): string {
    return paint(this.context.color.stderr, style, text);
  }

  /** Prints an error as one line on stderr (stack with `-v`) and returns the exit code it maps to. */
  protected reportError(error: unknown): number {
    let text = formatError(error, { verbose: this.verbose, color: this.context.color.stderr });
    if (isUsageError(error)) {
      const path = (this.path ?? []).join(' ');
      text += `Run \`playbook ${path === '' ? '' : `${path} `}--help\` for usage.\n`;
    }
    this.context.stderr.write(text);
    return exitCodeFor(error);
  }

  /** clipanion's entry point: wraps `execute()` so every thrown error gets our one-line report and exit code. */
  override async validateAndExecute(): Promise<number> {
    try {
      // Before anything runs, and for every command: also one that never opens the history has a script bug.
      checkConfigFlags({ statePath: this.statePath, stateUrl: this.stateUrl, config: this.configFile });
      return await super.validateAndExecute();
    } catch (error) {
      return this.reportError(error);
    }
  }
}

/** Reads a config file; undefined when it does not exist. Other failures name the file. */
function readConfigFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`cannot read config file ${path} (${reason})`, path, undefined, undefined, {
      cause: error,
    });
  }
}
