import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { TextDecoder } from 'node:util';
import { BoundedOutput } from '../bounded-output.js';
import { MAX_TIMER_MS } from '../max-timer-ms.js';
import type { CommandRequest, CommandResult, OutputStream, ProcessRunner } from '../ports/process-runner.js';
import { timedOutMessage } from '../timed-out.js';
import { trackGroup, untrackGroup } from './live-groups.js';
import { OUTPUT_FILE_VARIABLE, OutputFile } from './output-file.js';
import { isGroupAlive, signalGroup, terminateGroup } from './process-group.js';
import type { SpawnHelper } from './spawn-helper.js';
import { directCommand, HELD_COMMAND_PREFIX, type StartedCommand } from './started-command.js';

export interface NodeProcessRunnerOptions {
  /** Milliseconds between SIGTERM and SIGKILL when a command's process group is stopped; default 2000. */
  readonly killGraceMs?: number;
  /**
   * Milliseconds to wait for stdout and stderr to close once the shell and its group are gone; default 500.
   * Only a process that left the group (a daemon that called setsid) can hold the pipes that long.
   */
  readonly drainMs?: number;
  /**
   * Who forks the commands: `'lazy'` (default) this process until the second command, then a small spawn
   * helper process started in the background once it is ready (see spawn-helper.ts); `'eager'` the helper
   * from the first command (it is waited for); `'off'` always this process; or a given `SpawnHelper`. Where
   * the helper cannot start, or dies, this process spawns the commands itself.
   */
  readonly spawnHelper?: 'lazy' | 'eager' | 'off' | SpawnHelper;
  /**
   * What the helper runs as: `'auto'` (default) Python where the system has one (Linux, `/usr/bin/python3` or
   * `/usr/local/bin/python3`, 3.9 or later; it starts commands several times cheaper), else Node; `'node'`
   * Node. Either way the commands see the same thing.
   */
  readonly helperProgram?: 'auto' | 'node';
}

/**
 * One helper for every runner of this process (tests make many runners). Its code is loaded with it, from the
 * second command on: a one-step run loads nothing of it.
 */
const sharedHelpers = new Map<'auto' | 'node', Promise<SpawnHelper>>();

/** Exit code of a command stopped by its timeout, as `timeout(1)` uses. */
export const TIMEOUT_EXIT_CODE = 124;
/** Exit code reported for a command that was not started because the run was already interrupted. */
export const INTERRUPTED_EXIT_CODE = 130;

/** The code of `CommandSpawnError`. */
export type CommandSpawnErrorCode = 'COMMAND_SPAWN';

/** The command could not be started at all (missing working directory, no shell, bad environment). */
export class CommandSpawnError extends Error {
  override readonly name = 'CommandSpawnError';
  readonly code: CommandSpawnErrorCode = 'COMMAND_SPAWN';
  constructor(
    message: string,
    readonly command: string,
    readonly cwd: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Runs each command as `/bin/sh -c <command>` in a new session and process group, with stdin closed, and
 * makes sure that no process of the group outlives the command: on timeout or abort the whole group gets
 * SIGTERM then SIGKILL, and when the shell exits any process it left behind in its group is stopped too.
 * Groups still running when this Node process exits are sent SIGKILL from an 'exit' hook. A SIGKILL of Node
 * itself cannot be caught: the spawn helper then stops the groups it forked, and resume the others, from the
 * run's owner record — which names each group before anything of its command runs (`onStart`). The composition
 * root should turn SIGINT/SIGTERM into an abort of `request.signal`: detached groups do not receive the
 * terminal's Ctrl-C themselves.
 */
export class NodeProcessRunner implements ProcessRunner {
  /** `onSpawning` comes as soon as a command is asked for: right after the helper's request, or the fork. */
  readonly callsOnSpawning = true;
  readonly killGraceMs: number;
  readonly drainMs: number;
  readonly #helperMode: 'lazy' | 'eager' | 'off';
  #helper: SpawnHelper | undefined;
  #started = 0;
  readonly #helperProgram: 'auto' | 'node';
  /**
   * `process.env` as last read, and the object it was read from: reading it costs a call into C++ for every
   * variable (~30 µs a command), so it is read again only once `refreshEnvironment` says it may have changed,
   * or when `process.env` itself was replaced.
   */
  #environment: { readonly from: NodeJS.ProcessEnv; readonly copy: NodeJS.ProcessEnv } | undefined;

  constructor(options: NodeProcessRunnerOptions = {}) {
    this.killGraceMs = options.killGraceMs ?? 2000;
    this.drainMs = options.drainMs ?? 500;
    this.#helperProgram = options.helperProgram ?? 'auto';
    const helper = options.spawnHelper ?? 'lazy';
    if (typeof helper === 'string') {
      this.#helperMode = helper;
    } else {
      this.#helperMode = 'eager';
      this.#helper = helper;
    }
  }

  /**
   * The helper to spawn through, or none. A run of one command does not start it: starting a process costs
   * more than the one fork it would save.
   */
  async #spawnHelper(): Promise<SpawnHelper | undefined> {
    if (this.#helperMode === 'off') return undefined;
    this.#started++;
    if (this.#helper === undefined && (this.#helperMode === 'eager' || this.#started > 1)) {
      const prefer = this.#helperProgram;
      let shared = sharedHelpers.get(prefer);
      if (shared === undefined) {
        shared = Promise.all([import('./spawn-helper.js'), import('./helper-channel.js')]).then(
          ([{ SpawnHelper }, { helperPrograms }]) => new SpawnHelper(helperPrograms(prefer)),
        );
        sharedHelpers.set(prefer, shared);
      }
      this.#helper = await shared;
    }
    const helper = this.#helper;
    if (helper === undefined) return undefined;
    if (this.#helperMode === 'eager') await helper.whenReady();
    return helper.ready ? helper : undefined;
  }

  /**
   * Reads `process.env` again before the next command. Call it after changing `process.env` while commands run
   * through this runner; the engine calls it as each run starts and after anything it runs in this process that
   * may change it (a Function node, a question to the operator). See docs/embedding.md.
   */
  refreshEnvironment(): void {
    this.#environment = undefined;
  }

  /** Runs one command to its end; rejects with `CommandSpawnError` only when it cannot be started. */
  async run(request: CommandRequest): Promise<CommandResult> {
    if (request.signal.aborted) {
      return { exitCode: INTERRUPTED_EXIT_CODE, timedOut: false, aborted: true, stdout: '', stderr: '' };
    }
    const outputFile = await OutputFile.create();
    try {
      const child = await this.#spawn(request, outputFile);
      const running = new CommandRun(child, request, this.killGraceMs, this.drainMs);
      // This process would only wait now: the next command's file is made while this one runs.
      OutputFile.prepareNext();
      const result = await running.finished;
      // A command stopped midway may have written half of what it meant to: its outputs are not read.
      if (result.timedOut || result.aborted) return result;
      return { ...result, outputFile: await outputFile.read() };
    } finally {
      outputFile.remove();
    }
  }

  #processEnv(): NodeJS.ProcessEnv {
    const last = this.#environment;
    if (last !== undefined && last.from === process.env) return last.copy;
    const copy = { ...process.env };
    this.#environment = { from: process.env, copy };
    return copy;
  }

  async #spawn(request: CommandRequest, outputFile: OutputFile): Promise<StartedCommand> {
    const { command, cwd } = request;
    const env = { ...this.#processEnv(), ...request.env, [OUTPUT_FILE_VARIABLE]: outputFile.path };
    const helper = await this.#spawnHelper();
    if (helper !== undefined) {
      const started = helper.spawn(command, cwd, env, this.killGraceMs);
      // The request is on its way: the caller's work that only has to precede the output runs while the helper
      // forks.
      request.onSpawning?.();
      try {
        return await started;
      } catch (error) {
        throw await spawnError(command, cwd, env, error);
      }
    }
    let child: ChildProcess;
    try {
      // Held until its group is on record (see `HELD_COMMAND_PREFIX`): a crash of this process between the fork
      // and that write must leave nothing running that no resume could know of.
      child = spawn('/bin/sh', ['-c', HELD_COMMAND_PREFIX + command], {
        cwd,
        env,
        detached: true, // setsid(): its own session and process group, pgid = its pid, no controlling terminal
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (error) {
      throw await spawnError(command, cwd, env, error);
    }
    request.onSpawning?.();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => spawnError(command, cwd, env, error).then(reject));
    });
    return directCommand(child as ChildProcess & { pid: number });
  }
}

/**
 * The error for a command that could not be started. spawn reports a missing cwd as "spawn /bin/sh ENOENT",
 * which blames the shell: the directory is checked here, once spawning failed, rather than before every command.
 */
async function spawnError(
  command: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  cause: unknown,
): Promise<CommandSpawnError> {
  // Imported here: node:fs/promises costs every run's start-up milliseconds, and this is a failure's path.
  const { stat } = await import('node:fs/promises');
  const nul = nulIn(command, cwd, env);
  const directory = nul === undefined ? await stat(cwd).catch(() => undefined) : undefined;
  const why =
    nul ??
    (directory === undefined
      ? 'the working directory does not exist'
      : directory.isDirectory()
        ? messageOf(cause)
        : 'the working directory is not a directory');
  return new CommandSpawnError(`cannot run command in ${cwd}: ${why}`, command, cwd, { cause });
}

/**
 * What holds a NUL character, which no program can be given (a Function's output may put one in a command or a
 * variable). Said here in the same words whoever spawned: Node's own message differs by where the command went
 * through (the CLI's held command shows its internal prefix) and Python's is "embedded null byte".
 */
function nulIn(
  command: string,
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (command.includes('\0')) return 'the command contains a NUL character';
  if (cwd.includes('\0')) return "the working directory's path contains a NUL character";
  for (const [name, value] of Object.entries(env)) {
    if (name.includes('\0') || value?.includes('\0')) {
      return `the environment variable ${JSON.stringify(name)} contains a NUL character`;
    }
  }
  return undefined;
}

/** One running command: its captures, its timers and the end of its process group. */
class CommandRun {
  readonly finished: Promise<CommandResult>;
  readonly #child: StartedCommand;
  readonly #request: CommandRequest;
  readonly #graceMs: number;
  readonly #pgid: number;
  readonly #captures: Record<OutputStream, BoundedOutput>;
  /** Made on a stream's first chunk: most commands print little or nothing on stderr, many nothing at all. */
  readonly #decoders: Partial<Record<OutputStream, TextDecoder>> = {};
  readonly #endsWithNewline: Record<OutputStream, boolean> = { stdout: true, stderr: true };
  #timedOut = false;
  #aborted = false;
  #termSentAt: number | undefined;
  #killTimer: NodeJS.Timeout | undefined;
  #outputError: { error: unknown } | undefined;

  constructor(child: StartedCommand, request: CommandRequest, graceMs: number, drainMs: number) {
    this.#child = child;
    this.#request = request;
    this.#graceMs = graceMs;
    this.#pgid = child.pid;
    this.#captures = {
      stdout: new BoundedOutput(request.maxOutputBytes),
      stderr: new BoundedOutput(request.maxOutputBytes),
    };
    trackGroup(this.#pgid);
    this.finished = this.#watch(drainMs);
  }

  async #watch(drainMs: number): Promise<CommandResult> {
    const child = this.#child;
    const request = this.#request;
    const { closed } = child;
    // A command whose helper died is stopped: nothing could follow its output or its exit any more.
    const exited =
      child.lost === undefined
        ? child.exited
        : Promise.race([child.exited, child.lost]).catch((error: unknown) => {
            this.#outputError ??= { error };
            this.#stop();
            return { code: null, signal: null };
          });
    child.onOutput((stream, chunk) => this.#onData(stream, chunk));

    const timeoutMs = request.timeoutMs;
    // A limit past what setTimeout can wait is treated as none.
    const timer =
      Number.isFinite(timeoutMs) && timeoutMs <= MAX_TIMER_MS
        ? setTimeout(
            () => {
              this.#timedOut = true;
              this.#stop();
            },
            Math.max(0, timeoutMs),
          )
        : undefined;
    const onAbort = () => {
      this.#aborted = true;
      this.#stop();
    };
    request.signal.addEventListener('abort', onAbort, { once: true });
    if (request.signal.aborted) onAbort(); // aborted while spawning: no event will come

    let recorded: void | Promise<void>;
    try {
      recorded = request.onStart?.(this.#pgid);
    } catch (error) {
      this.#outputError ??= { error };
      const failed = Promise.reject(error);
      failed.catch(() => {});
      recorded = failed;
      this.#stop();
    }
    // A failed write is the run's error, reported once the command has ended (a held one then ran nothing).
    if (typeof (recorded as Promise<void> | undefined)?.then === 'function') {
      (recorded as Promise<void>).catch((error: unknown) => {
        this.#outputError ??= { error };
      });
    }
    child.release?.(recorded);

    const { code, signal } = await exited;
    clearTimeout(timer);
    request.signal.removeEventListener('abort', onAbort);
    // Whatever the shell left in its group (background jobs, a grandchild holding the pipes) ends with it.
    // Usually the group went with the shell: one check then, rather than one in terminateGroup and one after —
    // none when the helper found it gone already, as the pipes closed with the exit.
    let gone = child.groupGone === true || !isGroupAlive(this.#pgid);
    if (!gone) {
      await terminateGroup(this.#pgid, this.#graceMs, this.#termSentAt);
      gone = !isGroupAlive(this.#pgid);
    }
    clearTimeout(this.#killTimer);
    if (gone) untrackGroup(this.#pgid);
    // The drain timer is cancelled once the pipes close: left pending, it would keep the process alive.
    // Usually closed already (the helper tells the exit and the close together): no timer to set and clear then.
    if (child.pipesClosed !== true) {
      let drainTimer: NodeJS.Timeout | undefined;
      const drained = await Promise.race([
        closed.then(() => true),
        new Promise<false>((resolve) => {
          drainTimer = setTimeout(resolve, drainMs, false);
        }),
      ]);
      clearTimeout(drainTimer);
      if (!drained) child.destroyPipes();
    }
    this.#flush('stdout');
    this.#flush('stderr');

    if (this.#timedOut) {
      const line = `playbook: ${timedOutMessage(timeoutMs / 1000)}\n`;
      this.#emit('stderr', this.#endsWithNewline.stderr ? line : `\n${line}`);
    }
    if (this.#outputError !== undefined) throw this.#outputError.error;
    return {
      exitCode: this.#timedOut ? TIMEOUT_EXIT_CODE : exitCodeOf(code, signal),
      timedOut: this.#timedOut,
      aborted: this.#aborted,
      stdout: this.#captures.stdout.toString(),
      stderr: this.#captures.stderr.toString(),
    };
  }

  /** Timeout or abort, whichever comes first: SIGTERM to the group now, SIGKILL after the grace period. */
  #stop(): void {
    if (this.#termSentAt !== undefined) return;
    this.#termSentAt = Date.now();
    signalGroup(this.#pgid, 'SIGTERM');
    this.#killTimer = setTimeout(() => signalGroup(this.#pgid, 'SIGKILL'), this.#graceMs);
  }

  #onData(stream: OutputStream, chunk: Buffer): void {
    this.#captures[stream].write(chunk);
    let decoder = this.#decoders[stream];
    if (decoder === undefined) {
      decoder = new TextDecoder();
      this.#decoders[stream] = decoder;
    }
    this.#live(stream, decoder.decode(chunk, { stream: true }));
  }

  #flush(stream: OutputStream): void {
    const decoder = this.#decoders[stream];
    if (decoder !== undefined) this.#live(stream, decoder.decode());
  }

  /** Text produced by the runner itself: captured and streamed like the command's own. */
  #emit(stream: OutputStream, text: string): void {
    this.#captures[stream].write(text);
    this.#live(stream, text);
  }

  #live(stream: OutputStream, text: string): void {
    if (text === '') return;
    this.#endsWithNewline[stream] = text.endsWith('\n');
    if (this.#outputError !== undefined) return;
    try {
      this.#request.onOutput(stream, text);
    } catch (error) {
      // A throwing listener must not crash the process from inside a stream event; report it at the end.
      this.#outputError = { error };
    }
  }
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal === null) return 128;
  // A real-time signal has no name: the Python helper gives its number ("SIG40"). (Node's spawn reports a
  // process it killed as an exit with code 0, which nothing here can tell from a success.)
  return 128 + (constants.signals[signal] ?? Number(/^SIG(\d+)$/.exec(signal)?.[1] ?? 0));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
