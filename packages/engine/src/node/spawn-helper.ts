import type { OutputStream } from '../ports/process-runner.js';
import { type HelperChannel, type HelperProgram, helperPrograms, startHelper } from './helper-channel.js';
import type { Env, HelperMessage, HelperRequest } from './spawn-helper-main.js';
import type { StartedCommand } from './started-command.js';

type Exit = { code: number | null; signal: NodeJS.Signals | null };

/** A command started by the helper, as the runner sees it. */
class HelperCommand implements StartedCommand {
  readonly exited: Promise<Exit>;
  readonly closed: Promise<void>;
  #exit!: (exit: Exit) => void;
  #close!: () => void;
  #lost!: (error: Error) => void;
  /** Rejects only when the helper died before the command ended: its output and exit can no longer be known. */
  readonly lost: Promise<never>;
  groupGone?: boolean;
  pipesClosed?: boolean;
  #listener: ((stream: OutputStream, chunk: Buffer) => void) | undefined;
  #early: [OutputStream, Buffer][] = [];

  constructor(
    readonly pid: number,
    readonly destroyPipes: () => void,
  ) {
    this.exited = new Promise((resolve) => {
      this.#exit = resolve;
    });
    this.closed = new Promise((resolve) => {
      this.#close = resolve;
    });
    this.lost = new Promise((_, reject) => {
      this.#lost = reject;
    });
    this.lost.catch(() => {});
  }

  onOutput(listener: (stream: OutputStream, chunk: Buffer) => void): void {
    this.#listener = listener;
    for (const [stream, chunk] of this.#early) listener(stream, chunk);
    this.#early = [];
  }

  deliver(message: HelperMessage): void {
    if (message.t === 'out') {
      const stream: OutputStream = message.s === 0 ? 'stdout' : 'stderr';
      const data = message.d;
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      if (this.#listener === undefined) this.#early.push([stream, chunk]);
      else this.#listener(stream, chunk);
    } else if (message.t === 'exit') {
      this.#exit({ code: message.code, signal: message.signal as NodeJS.Signals | null });
    } else if (message.t === 'close') {
      this.groupGone = message.g;
      this.pipesClosed = true;
      this.#close();
    } else if (message.t === 'end') {
      // Known before the exit is: the runner's look at the group, and at the pipes, follows the exit.
      this.groupGone = message.g;
      this.pipesClosed = true;
      this.#exit({ code: message.code, signal: message.signal as NodeJS.Signals | null });
      this.#close();
    }
  }

  abandon(error: Error): void {
    this.#lost(error);
  }
}

interface Pending {
  resolve: (command: HelperCommand) => void;
  reject: (error: Error) => void;
}

/**
 * A small long-lived process that forks the commands for this one: Python where the system has it (its
 * subprocess starts a command with vfork(2); spawn-helper-python.ts), Node otherwise (spawn-helper-main.ts).
 * Forking is what a step mostly costs, and the kernel's cost of fork(2) grows with the forking process's memory:
 * the CLI, with its runbook, state database and code loaded, is three times a Node helper's size (see
 * docs/performance.md). The helper starts in the background; until it says it is ready, and for good if no
 * program can start or it dies, the runner spawns commands itself.
 *
 * It lives in its own session (no terminal signal reaches it: Ctrl-C and a hang-up are the runner's to
 * handle), holds no reference that keeps this process alive while no command runs, and exits as soon as its
 * channel closes, that is when this process exits or is killed — once it has stopped every command group it
 * started that still runs (a SIGKILL of this process gives it no moment to record or stop them itself).
 */
export class SpawnHelper {
  #channel: HelperChannel | undefined;
  #state: 'starting' | 'ready' | 'broken' = 'starting';
  readonly #programs: readonly HelperProgram[];
  #tried = 0;
  /** The program that said it is ready. */
  #program: HelperProgram | undefined;
  readonly #readyWaiters: ((ready: boolean) => void)[] = [];
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #running = new Map<number, HelperCommand>();
  /** The environment of the last command sent, which the helper keeps (see `HelperRequest`). */
  #lastEnv: Env | undefined;

  /** `programs`: tried in order until one is ready (default {@link helperPrograms}); a path: that Node. */
  constructor(programs: string | readonly HelperProgram[] = helperPrograms()) {
    this.#programs = typeof programs === 'string' ? [{ kind: 'node', path: programs }] : programs;
    this.#startNext();
  }

  /** What the helper runs as, once it is ready. */
  get program(): HelperProgram | undefined {
    return this.#program;
  }

  /** Starts the next program; one that cannot start or ends before it is ready makes way for the one after. */
  #startNext(): void {
    const program = this.#programs[this.#tried++];
    if (program === undefined) {
      this.#broken(new Error('the spawn helper could not start'));
      return;
    }
    let channel: HelperChannel | undefined;
    try {
      channel = startHelper(program, {
        message: (message) => {
          if (channel !== this.#channel) return;
          if (message.t === 'ready') this.#program = program;
          this.#receive(message);
        },
        ended: () => {
          if (channel !== this.#channel) return;
          if (this.#state === 'starting') this.#startNext();
          else this.#broken(new Error('the spawn helper ended while the command ran'));
        },
      });
    } catch {
      this.#startNext();
      return;
    }
    this.#channel = channel;
    if (this.#readyWaiters.length > 0) channel.hold(true);
  }

  /** Whether commands can go through the helper now. */
  get ready(): boolean {
    return this.#state === 'ready';
  }

  /** Resolves true once the helper is ready, false if it cannot start or has died. */
  whenReady(): Promise<boolean> {
    if (this.#state !== 'starting') return Promise.resolve(this.#state === 'ready');
    // Someone waits for it: until it is ready, the channel keeps this process alive.
    this.#channel?.hold(true);
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Starts a command through the helper; rejects with spawn(2)'s error when it could not be started. */
  spawn(
    command: string,
    cwd: string,
    env: Record<string, string | undefined>,
    graceMs: number,
  ): Promise<StartedCommand> {
    const channel = this.#channel;
    if (this.#state !== 'ready' || channel === undefined) {
      return Promise.reject(new Error('the spawn helper is not running'));
    }
    // The helper runs in `/`: a folder relative to this process's (a runbook built in memory runs in ".") is
    // made absolute here, as spawn would take it in this process (whose folder may be gone: then it cannot start).
    let folder = cwd;
    try {
      if (!cwd.startsWith('/')) folder = `${process.cwd()}/${cwd}`;
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.#nextId++;
    const promise = new Promise<StartedCommand>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
    });
    // While a command runs, the channel keeps this process alive, as a child's pipes would.
    if (this.#pending.size + this.#running.size === 1) channel.hold(true);
    this.#send({ t: 'spawn', id, command, cwd: folder, env: envRequest(this.#lastEnv, env), grace: graceMs });
    this.#lastEnv = env;
    return promise;
  }

  #send(request: HelperRequest): void {
    try {
      this.#channel?.send(request);
    } catch {
      this.#broken(new Error('the spawn helper ended while the command ran'));
    }
  }

  #receive(message: HelperMessage): void {
    if (message.t === 'ready') {
      if (this.#state !== 'starting') return;
      this.#state = 'ready';
      this.#settleWaiters(true);
      return;
    }
    const id = message.id;
    if (message.t === 'spawned') {
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      const command = new HelperCommand(message.pid, () => this.#send({ t: 'destroy', id }));
      this.#running.set(id, command);
      pending.resolve(command);
    } else if (message.t === 'error') {
      const pending = this.#pending.get(id);
      if (pending === undefined) return;
      this.#pending.delete(id);
      this.#idle();
      pending.reject(Object.assign(new Error(message.message), { code: message.code }));
    } else {
      const command = this.#running.get(id);
      if (command === undefined) return;
      command.deliver(message);
      if (message.t === 'close' || message.t === 'end') {
        this.#running.delete(id);
        this.#idle();
      }
    }
  }

  #idle(): void {
    if (this.#pending.size + this.#running.size === 0) this.#channel?.hold(false);
  }

  #broken(error: Error): void {
    if (this.#state === 'broken') return;
    this.#state = 'broken';
    this.#settleWaiters(false);
    for (const pending of this.#pending.values()) pending.reject(error);
    for (const command of this.#running.values()) command.abandon(error);
    this.#pending.clear();
    this.#running.clear();
    this.#channel?.close();
  }

  #settleWaiters(ready: boolean): void {
    for (const resolve of this.#readyWaiters.splice(0)) resolve(ready);
    this.#idle();
  }
}

/**
 * `env` as the helper is to take it after `last`: only the changed values when both name the same variables in
 * the same order (the helper then amends its copy in place, which keeps that order), otherwise all of it.
 */
export function envRequest(
  last: Env | undefined,
  env: Env,
): { readonly all: Env } | { readonly changed: Env } {
  if (last === undefined) return { all: env };
  const names = Object.keys(env);
  const lastNames = Object.keys(last);
  if (names.length !== lastNames.length) return { all: env };
  const changed: Record<string, string | undefined> = {};
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (name !== lastNames[i]) return { all: env };
    if (env[name] !== last[name]) changed[name] = env[name];
  }
  return { changed };
}
