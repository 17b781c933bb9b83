import type { ChildProcess } from 'node:child_process';

/** A command's environment variables. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the runner asks of the spawn helper. */
export type HelperRequest =
  | {
      readonly t: 'spawn';
      readonly id: number;
      readonly command: string;
      readonly cwd: string;
      /**
       * The command's whole environment; or, when its variables are the last command's in the same order (the
       * usual case: this process's environment and the engine's few variables), only the values that differ.
       */
      readonly env: { readonly all: Env } | { readonly changed: Env };
      /** Milliseconds between SIGTERM and SIGKILL when the group is stopped because the runner is gone. */
      readonly grace: number;
    }
  /** Stop reading a command's pipes (held open by a process that left its group). */
  | { readonly t: 'destroy'; readonly id: number };

/** What the spawn helper reports, in the order things happen to each command. */
export type HelperMessage =
  | { readonly t: 'ready' }
  | { readonly t: 'spawned'; readonly id: number; readonly pid: number }
  | { readonly t: 'error'; readonly id: number; readonly message: string; readonly code?: string }
  | { readonly t: 'out'; readonly id: number; readonly s: 0 | 1; readonly d: Uint8Array }
  | { readonly t: 'exit'; readonly id: number; readonly code: number | null; readonly signal: string | null }
  /** `g`: the process group was found gone as the pipes closed (no process of it left to stop). */
  | { readonly t: 'close'; readonly id: number; readonly g: boolean }
  /** 'exit' and 'close' in one message: the pipes closed in the same turn as the shell exited (the usual case). */
  | {
      readonly t: 'end';
      readonly id: number;
      readonly code: number | null;
      readonly signal: string | null;
      readonly g: boolean;
    };

/**
 * The spawn helper's program, run in its own small Node process (`node -e`, see spawn-helper.ts): it starts
 * each command as `/bin/sh -c` in a new session, as the runner would, and relays its pid, output, exit and
 * close over the IPC channel. Forking this ~40 MB process costs the kernel a fraction of forking the CLI.
 *
 * It is shipped as this function's source text, so it must not use anything from outside its body: no
 * imports (only the `require` it is given), no helpers of this module.
 */
export function spawnHelperMain(require: NodeJS.Require): void {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const children = new Map<number, ChildProcess>();
  // The last command's environment, which the next request may only amend (`changed`): sending ~40 variables
  // each time cost both processes more than the rest of the request. spawn() reads it before it returns.
  let env: Record<string, string | undefined> = {};
  // Messages not yet written to the channel. Past HIGH the commands' pipes are paused, so that a command
  // printing faster than the runner reads does not grow this process without bound.
  const HIGH = 64;
  const LOW = 16;
  let unsent = 0;
  let paused = false;
  const send = (message: HelperMessage): void => {
    if (!process.connected || process.send === undefined) return;
    unsent++;
    process.send(message, undefined, {}, () => {
      unsent--;
      if (paused && unsent <= LOW) {
        paused = false;
        for (const child of children.values()) {
          child.stdout?.resume();
          child.stderr?.resume();
        }
      }
    });
    if (!paused && unsent >= HIGH) {
      paused = true;
      for (const child of children.values()) {
        child.stdout?.pause();
        child.stderr?.pause();
      }
    }
  };
  // Every process group this helper started and that may still have a process, with its grace period. A
  // group leaves once it is known gone, never on the runner's word alone: only the kernel can tell.
  const groups = new Map<number, number>();
  const alive = (group: number): boolean => {
    try {
      process.kill(-group, 0);
      return true;
    } catch (error) {
      return (error as { code?: unknown }).code === 'EPERM';
    }
  };
  const signal = (group: number, name: NodeJS.Signals): void => {
    try {
      process.kill(-group, name);
    } catch {
      // gone
    }
  };
  // A group whose shell ended with processes left in it is stopped by the runner; forgotten here once gone.
  const forgetGone = (): void => {
    const running = new Set<number>();
    for (const child of children.values()) running.add(child.pid as number);
    for (const group of groups.keys()) if (!running.has(group) && !alive(group)) groups.delete(group);
  };
  // The runner is gone (it exited, or was killed): so is the reason to exist, and so must be every command it
  // started here (a command's group dies with its step). SIGKILL of the runner leaves it no moment to record
  // or stop anything: the groups are stopped here — SIGTERM, SIGKILL after the grace period, as a resume would
  // — whether or not the runner had written them to the run's owner record yet.
  process.on('disconnect', () => {
    forgetGone();
    if (groups.size === 0) process.exit(0);
    let grace = 0;
    for (const [group, ms] of groups) {
      signal(group, 'SIGTERM');
      grace = Math.max(grace, ms);
    }
    const termAt = Date.now();
    setInterval(() => {
      for (const group of groups.keys()) if (!alive(group)) groups.delete(group);
      if (groups.size > 0 && Date.now() - termAt < grace) return;
      for (const group of groups.keys()) signal(group, 'SIGKILL');
      process.exit(0);
    }, 20);
  });
  process.on('message', (request: HelperRequest) => {
    if (request.t === 'destroy') {
      const child = children.get(request.id);
      child?.stdout?.destroy();
      child?.stderr?.destroy();
      return;
    }
    const id = request.id;
    let child: ChildProcess;
    const failed = (error: unknown): void => {
      const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
      send({
        t: 'error',
        id,
        message: String(message ?? error),
        ...(typeof code === 'string' ? { code } : {}),
      });
    };
    if ('all' in request.env) env = { ...request.env.all };
    else Object.assign(env, request.env.changed);
    try {
      child = spawn('/bin/sh', ['-c', request.command], {
        cwd: request.cwd,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      failed(error);
      return;
    }
    children.set(id, child);
    if (child.pid !== undefined) {
      forgetGone();
      groups.set(child.pid, request.grace);
    }
    child.once('spawn', () => send({ t: 'spawned', id, pid: child.pid as number }));
    child.on('error', (error) => {
      // After 'spawn', an error can only come from signalling the child, which nobody does through it.
      if (child.pid !== undefined) return;
      children.delete(id);
      failed(error);
    });
    if (paused) {
      child.stdout?.pause();
      child.stderr?.pause();
    }
    child.stdout?.on('data', (d: Buffer) => send({ t: 'out', id, s: 0, d }));
    child.stderr?.on('data', (d: Buffer) => send({ t: 'out', id, s: 1, d }));
    // The exit is told on its own only when the pipes stay open past this turn (a process left in the group, or
    // one that left it, holds them): usually both come together, in one message — one wake-up of the runner
    // fewer per command.
    let exit: { code: number | null; signal: string | null } | undefined;
    let exitSent = false;
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      setImmediate(() => {
        if (!children.has(id)) return;
        exitSent = true;
        send({ t: 'exit', id, code, signal });
      });
    });
    child.once('close', () => {
      children.delete(id);
      // Told to the runner too: it then need not ask the kernel itself whether anything of the group is left.
      const gone = child.pid !== undefined && !alive(child.pid);
      if (gone) groups.delete(child.pid as number);
      // Node emits 'close' only after 'exit'.
      if (exitSent || exit === undefined) send({ t: 'close', id, g: gone });
      else send({ t: 'end', id, code: exit.code, signal: exit.signal, g: gone });
    });
  });
  send({ t: 'ready' });
}
