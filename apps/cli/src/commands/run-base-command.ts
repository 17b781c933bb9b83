import type { InputValue, Runbook } from '@playbook/domain';
import type { Engine, Prompter, RunOutcome } from '@playbook/engine';
import { redactUrl } from '@playbook/postgres/redact';
import { BaseCommand } from '../base-command.js';
import { Option } from '../clipanion.js';
import { collectEverySteps, collectGarbage, LARGE_RUNBOOK_NODES } from '../collect-garbage.js';
import { CliError, ExitCode, exitCodeFor } from '../errors.js';
import {
  keepYoungGenerationSmall,
  LARGE_RUNBOOK_BYTES,
  runbookFileBytes,
} from '../start/young-generation.js';
import type { RunStore } from '../state-store.js';
import { createColors } from '../terminal/colors.js';
import type { OperatorPrompter } from '../terminal/create-prompter.js';
import { canMoveCursor } from '../terminal/cursor.js';
import { Renderer } from '../terminal/renderer.js';
import { functionProblems } from './function-problems.js';
import { trapInterrupts } from './run-interrupts.js';
import {
  isInteractive,
  parseConcurrency,
  parseRetries,
  parseSetValues,
  type SetValues,
  shellQuote,
} from './run-options.js';

/** What `run` and `resume` hand to the engine besides the runbook. */
export interface SessionOptions {
  readonly interactive: boolean;
  /** The runbook's input values (SPEC §8.1), secrets included; empty for a runbook without inputs. */
  readonly inputs: Readonly<Record<string, InputValue>>;
  /** `run.operator` in expressions. */
  readonly operator: string;
  readonly retries: number;
  readonly values: SetValues;
  readonly signal: AbortSignal;
  /** A second Ctrl-C: stops the rollback and cleanup steps an interrupted run still runs. */
  readonly cleanupSignal: AbortSignal;
  readonly hangup: AbortSignal;
  readonly onEvent: Renderer['handle'];
  /** The flags recorded with the session (SPEC §10.1). */
  readonly flags: readonly string[];
  /** How many ready steps run at once (SPEC §9.1). */
  readonly concurrency: number;
}

/**
 * The options and the life cycle `run` and `resume` share: check the flags, load and validate the runbook,
 * open the run history, wire prompter, renderer and interrupt handling to an engine, and map the outcome to
 * an exit code. Whatever happens, signal handlers, timers, stdin and the database are released at the end, so
 * the process never hangs on them.
 */
export abstract class RunBaseCommand extends BaseCommand {
  file = Option.String({ name: 'file' });

  nonInteractive = Option.Boolean('--non-interactive', false, {
    description:
      'Never wait for an operator: failed steps are retried --retries times, then left nok (also when CI is set)',
  });

  retries = Option.String('--retries', {
    description: 'Without an operator, retry a failed step up to <n> times (default 0)',
  });

  set = Option.Array('--set', [], {
    description: 'Give a function parameter up front: <node>.<param>=<value> (repeatable)',
  });

  concurrency = Option.String('--concurrency', {
    description:
      'Run up to <n> ready steps at once, earliest-declared first (default: [runbook] concurrency, else the config, else 1)',
  });

  json = Option.Boolean('--json', false, {
    description:
      'Print the run as JSON lines on stdout, one engine event each (docs/events.md); human text goes to stderr',
  });
  /**
   * The flags of this command line, as recorded with the run's session (SPEC §10.1). Values given with `--set`
   * show as `node.param=***`: they may be secrets, and the answers that are not are recorded on their own.
   */
  protected sessionFlags(): string[] {
    const flags: string[] = [];
    if (this.nonInteractive) flags.push('--non-interactive');
    if (this.retries !== undefined) flags.push('--retries', this.retries);
    if (this.concurrency !== undefined) flags.push('--concurrency', this.concurrency);
    for (const value of this.set) flags.push('--set', `${value.split('=')[0] ?? ''}=***`);
    return flags;
  }

  vars = Option.Array('--var', [], {
    description: 'Give an input of the runbook its value: <name>=<value> (repeatable)',
  });

  varsFile = Option.String('--vars-file', {
    description:
      'Read input values from a TOML or JSON file (names the runbook does not declare are ignored)',
  });

  /** On resume: the inputs stored with the run being resumed (none for a new run). */
  protected storedInputs(
    _runbook: Runbook,
  ): Promise<Readonly<Record<string, InputValue | null>> | undefined> {
    return Promise.resolve(undefined);
  }

  /** Starts or continues the run; the engine is ready, the runbook valid. */
  /** Runs or resumes `runbook`; `history` is the history the engine writes to, to read from. */
  protected abstract start(
    engine: Engine,
    runbook: Runbook,
    options: SessionOptions,
    history: RunStore,
  ): Promise<RunOutcome>;

  /** The whole life cycle of one `run` / `resume`, returning the exit code. */
  protected async session(): Promise<number> {
    // Usage errors first: a bad flag must not leave anything behind.
    const retries = parseRetries(this.retries);
    const concurrencyFlag = parseConcurrency(this.concurrency);
    const values = parseSetValues(this.set);
    const interactive = isInteractive(this.nonInteractive, this.context.env);

    // The young generation stays small from here on (a long run's memory; start/young-generation.ts): before the
    // parse when the file is large (the parse would grow it, for good), otherwise once everything the run needs
    // is loaded. Node compiles its own modules from a cache V8 rejects under another flag: the ES-module loader
    // that a Function step's module or the history's migrations (Kysely, PostgreSQL) bring in through `import()`
    // is loaded here, before the flag, not compiled from source.
    const large = runbookFileBytes(this.resolvePath(this.file)) >= LARGE_RUNBOOK_BYTES;
    if (large) keepYoungGenerationSmall();
    const runbook = await this.loadValidRunbook();
    if (runbook === undefined) {
      return ExitCode.failure;
    }
    if (runbook.nodes.length >= LARGE_RUNBOOK_NODES) collectGarbage();
    const stepFinished = collectEverySteps(runbook.nodes.length);
    const config = this.resolveConfig();
    const concurrency = this.effectiveConcurrency(
      concurrencyFlag ?? runbook.meta.concurrency ?? config.concurrency ?? 1,
      interactive,
    );
    const [{ checkGivenValues, createEngine, eventLine }, { createNodePorts }] = await Promise.all([
      import('../run-engine.js'),
      import('@playbook/engine/node'),
    ]);
    // A --set naming a node or parameter the runbook lacks is refused before the history is opened (or created).
    checkGivenValues(runbook, values);

    // With --json, stdout carries the event lines and nothing else: the run view and prompts move to stderr.
    const human = this.json ? this.context.stderr : this.context.stdout;
    const humanIsTTY = this.json ? this.context.isTTY.stderr : this.context.isTTY.stdout;
    const renderer = new Renderer({
      now: () => this.context.clock.now().getTime(),
      output: human,
      notes: this.context.stderr,
      heartbeat: !humanIsTTY,
      clock: canMoveCursor(this.context.env, this.context.isTTY.stderr) ? this.context.stderr : null,
      colors: createColors(this.json ? this.context.color.stderr : this.context.color.stdout),
      resumeCommand: (runId) => this.resumeCommand(runId),
      nodeNames: new Map(runbook.nodes.map((node) => [node.id, node.name])),
      parallel: concurrency > 1,
    });
    const trap = trapInterrupts({
      stderr: this.context.stderr,
      beforeReport: () => renderer.settle(),
      running: () => renderer.runningNames(),
    });
    // The prompters pull in the engine's entry point: load them only when an operator will be asked.
    const operator: OperatorPrompter | undefined = interactive
      ? (await import('../terminal/create-prompter.js')).createPrompter(this.context, trap, this.json)
      : undefined;
    let inputs: Readonly<Record<string, InputValue>>;
    try {
      inputs = await this.inputValues(runbook, operator);
    } catch (error) {
      renderer.dispose();
      operator?.close();
      trap.release();
      throw error;
    }
    // Piped answers are echoed back: one that quotes a secret (a note) shows it as `***`, as the engine's output does.
    operator?.addSecrets(
      (runbook.inputs ?? []).flatMap((input) => {
        const value = inputs[input.name];
        return input.secret === true && typeof value === 'string' ? [value] : [];
      }),
    );
    // The run the engine started (or resumed), once it says so: an error after that says how to resume it.
    let runId: number | undefined;
    try {
      return await this.withRepository(async (repository) => {
        const engine = createEngine(
          {
            ...createNodePorts({
              clock: this.context.clock,
              operator: config.operator ?? null,
              // The commands are forked by a small helper process; `off` makes the CLI fork them itself, `eager`
              // uses the helper from the first command on, `node` makes it a Node process.
              ...spawnHelperMode(this.context.env.PLAYBOOK_SPAWN_HELPER),
            }),
            repository,
            // Output held while a question waits is shown once it is answered (SPEC §9.1).
            prompter: operator === undefined ? neverAsk : showHeldAfterAnswers(operator.prompter, renderer),
          },
          {
            defaultTimeoutSeconds: config.defaultTimeoutSeconds,
            maxOutputBytes: config.maxOutputBytes,
            heartbeatSeconds: config.heartbeatSeconds,
          },
        );
        if (!large) keepYoungGenerationSmall();
        const outcome = await this.start(
          engine,
          runbook,
          {
            interactive,
            inputs,
            operator: config.operator ?? '',
            retries,
            values,
            signal: trap.signal,
            cleanupSignal: trap.cleanupSignal,
            hangup: trap.hangup,
            flags: this.sessionFlags(),
            concurrency,
            onEvent: (event) => {
              if (event.type === 'run-started') runId = event.runId;
              if (event.type === 'run-aborting' && event.cause === 'interrupted') trap.cleanupStarted();
              if (event.type === 'node-finished') stepFinished();
              if (this.json) {
                const line = eventLine(event);
                if (line !== undefined) this.context.stdout.write(`${line}\n`);
              }
              renderer.handle(event);
            },
          },
          repository,
        );
        if (outcome.interrupted || trap.interrupted) {
          return ExitCode.interrupted;
        }
        if (outcome.status === 'ok') return ExitCode.ok;
        if (outcome.status === 'waiting') {
          const { waitingHint } = await import('../approval-hint.js');
          human.write(
            waitingHint(
              runbook,
              outcome.runId,
              outcome.waitingAt ?? [],
              (runId) => this.resumeCommand(runId),
              {
                statePath: this.statePath,
                stateUrl: this.stateUrl === undefined ? undefined : redactUrl(this.stateUrl),
                configFile: this.configFile,
              },
            ),
          );
          return ExitCode.waiting;
        }
        return trap.hungUp && outcome.status === 'aborted' ? ExitCode.hangup : ExitCode.failure;
      });
    } catch (error) {
      renderer.dispose();
      if (trap.interrupted) {
        this.reportError(error);
        return ExitCode.interrupted;
      }
      throw runId === undefined ? error : withResumeHint(error, runId, this.resumeCommand(runId));
    } finally {
      renderer.dispose();
      operator?.close();
      trap.release();
    }
  }

  /**
   * The concurrency a session runs with: as asked, except with answers piped in (stdin not a terminal, an
   * operator asked), where the steps run one at a time so that each answer meets its question in plan order
   * (SPEC §9.1); a note says so.
   */
  private effectiveConcurrency(asked: number, interactive: boolean): number {
    if (asked <= 1 || !interactive || this.context.isTTY.stdin) return asked;
    this.context.stderr.write(
      `note: answers are read from piped input, so steps run one at a time (concurrency ${asked} ignored) and each answer meets its question in plan order\n`,
    );
    return 1;
  }

  /**
   * Loads the runbook and loads its Function modules as `validate` does; prints every problem on stderr and
   * returns undefined when it is invalid or a module cannot be found — before anything is written, so no run is
   * created for a runbook that would fail at its first Function step.
   */
  private async loadValidRunbook(): Promise<Runbook | undefined> {
    const { loadRunbook } = await import('@playbook/parser');
    const result = await loadRunbook(this.resolvePath(this.file));
    const problems = result.ok
      ? await functionProblems(
          result.functions,
          result.runbook.source?.directory ?? this.context.cwd,
          this.file,
        )
      : result.problems;
    if (!result.ok || problems.length > 0) {
      await this.writeProblems(problems, this.file, 'stderr');
      const errors = problems.filter((problem) => problem.severity === 'error').length;
      this.context.stderr.write(
        `${this.styleError('red', '✖')} ${this.file} is invalid (${errors} error${errors === 1 ? '' : 's'}); nothing was run.\n`,
      );
      return undefined;
    }
    await this.writeProblems(result.warnings, this.file, 'stderr');
    return result.runbook;
  }

  /**
   * The values of the runbook's inputs from --var, --vars-file, PLAYBOOK_VAR_<name>, the stored run (resume),
   * defaults and the operator. Any problem: every one is printed and the command ends with exit 2 before a run
   * is created.
   */
  private async inputValues(
    runbook: Runbook,
    operator: OperatorPrompter | undefined,
  ): Promise<Readonly<Record<string, InputValue>>> {
    const declared = runbook.inputs ?? [];
    if (declared.length === 0 && this.vars.length === 0 && this.varsFile === undefined) return {};
    const { commandInputs } = await import('../inputs/command-inputs.js');
    return commandInputs({
      runbook,
      vars: this.vars,
      varsFile: this.varsFile,
      resolvePath: (path) => this.resolvePath(path),
      env: this.context.env,
      stored: await this.storedInputs(runbook),
      ask: operator === undefined ? undefined : (input) => operator.askInput(input),
      askAgain: this.context.isTTY.stdin,
      report: (kind, line) =>
        this.context.stderr.write(
          `${this.styleError(kind === 'warning' ? 'yellow' : 'red', `${kind}:`)} ${line}\n`,
        ),
    });
  }

  /** The command line that resumes run `runId` of this file, with the state path when it was given. */
  private resumeCommand(runId: number): string {
    const parts = ['playbook', 'resume', shellQuote(this.file), String(runId)];
    if (this.statePath !== undefined) {
      parts.push('--state-path', shellQuote(this.statePath));
    }
    if (this.stateUrl !== undefined) {
      parts.push('--state-url', shellQuote(redactUrl(this.stateUrl)));
    }
    if (this.configFile !== undefined) {
      parts.push('--config', shellQuote(this.configFile));
    }
    return parts.join(' ');
  }
}

/**
 * An error that stopped a run midway (a state write that failed: a full disk, a lock held past the busy
 * timeout), as one line that also says how to resume the run. The engine has written the step that was running
 * as ended `nok` and the run `aborted`, or, when nothing could be written, left the run to be recovered as
 * interrupted by that resume. The exit code and the original error (shown with `-v`) are kept.
 */
function withResumeHint(error: unknown, runId: number, command: string): CliError {
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`${message} — run ${runId} stopped; resume it with: ${command}`, exitCodeFor(error), {
    cause: error,
  });
}

/** `prompter`, telling the renderer when each question is answered, so that it shows what it held back. */
function showHeldAfterAnswers(prompter: Prompter, renderer: Renderer): Prompter {
  const after =
    <A extends unknown[], R>(ask: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      ask(...args).finally(() => renderer.answered());
  return {
    manual: after(prompter.manual.bind(prompter)),
    afterFailure: after(prompter.afterFailure.bind(prompter)),
    askValue: after(prompter.askValue.bind(prompter)),
    confirmRepeat: after(prompter.confirmRepeat.bind(prompter)),
    ...(prompter.markOk === undefined ? {} : { markOk: after(prompter.markOk.bind(prompter)) }),
  };
}

/** The prompter of a non-interactive run: the engine must never call it, so any call is a bug made loud. */
const neverAsk: Prompter = {
  manual: () => Promise.reject(new Error('BUG: the engine asked an operator in a non-interactive run')),
  afterFailure: () => Promise.reject(new Error('BUG: the engine asked an operator in a non-interactive run')),
  askValue: () => Promise.reject(new Error('BUG: the engine asked an operator in a non-interactive run')),
  confirmRepeat: () =>
    Promise.reject(new Error('BUG: the engine asked an operator in a non-interactive run')),
};

/**
 * `PLAYBOOK_SPAWN_HELPER`, words separated by commas: `off` or `eager` (else the helper from the second command
 * on), and `node` (a Node helper even where Python is found). Unknown words are ignored.
 */
function spawnHelperMode(value: string | undefined): {
  spawnHelper?: 'off' | 'eager';
  helperProgram?: 'node';
} {
  const words = new Set((value ?? '').split(',').map((word) => word.trim()));
  const mode = words.has('off') ? 'off' : words.has('eager') ? 'eager' : undefined;
  return {
    ...(mode === undefined ? {} : { spawnHelper: mode }),
    ...(words.has('node') ? { helperProgram: 'node' as const } : {}),
  };
}
