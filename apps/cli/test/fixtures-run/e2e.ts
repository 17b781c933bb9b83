// Helpers of the end-to-end tests of `run` and `resume`: they drive the BUILT binary as an operator would,
// against a real SQLite file in a temporary folder, with real child processes.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunState } from '@playbook/engine';
import { openRunStore } from '../../src/state-store.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const binPath = join(repoRoot, 'apps/cli/dist/bin.cjs');

/** Newest modification time of the source files under `dir` (tests excluded). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      newest = Math.max(newest, newestSource(path));
    } else if (/\.(ts|mts|json)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Builds the CLI and the packages it uses when `dist/bin.cjs` is missing or older than any source. */
export function ensureBuilt(): void {
  const sources = [
    'apps/cli/src',
    ...['domain', 'parser', 'engine', 'sqlite', 'postgres', 'graphviz', 'server'].map(
      (p) => `packages/${p}/src`,
    ),
  ];
  const newest = Math.max(...sources.map((dir) => newestSource(join(repoRoot, dir))));
  if (existsSync(binPath) && statSync(binPath).mtimeMs >= newest) {
    return;
  }
  execFileSync('pnpm', ['turbo', 'run', 'build', '--filter=@playbook/cli...', '--output-logs=errors-only'], {
    cwd: repoRoot,
    stdio: 'pipe',
    timeout: 120_000,
  });
}

/** A temporary folder for one test: the runbook, its marker files, the state file and the config home. */
export interface Sandbox {
  readonly dir: string;
  readonly statePath: string;
  /** Writes a runbook (the `[runbook]` table is added) and returns its file name. */
  runbook(name: string, title: string, nodes: string): Promise<string>;
  path(name: string): string;
  exists(name: string): boolean;
  read(name: string): string;
}

export async function makeSandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), 'playbook-run-e2e-'));
  return {
    dir,
    statePath: join(dir, 'state', 'run.db'),
    async runbook(name, title, nodes) {
      const file = `${name}.playbook.toml`;
      const header = [
        '[runbook]',
        `title = "${title}"`,
        'description = "end-to-end test"',
        'version = "0.1.0"',
        'author = "tests"',
        'created_at = "2025-05-03T12:08:00Z"',
        '',
      ].join('\n');
      await writeFile(join(dir, file), `${header}\n${nodes.trim()}\n`);
      return file;
    },
    path: (name) => join(dir, name),
    exists: (name) => existsSync(join(dir, name)),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
  };
}

export interface CliRun {
  readonly child: ChildProcess;
  /** Resolves when the process has exited (after `timeoutMs` it is killed and the promise rejects). */
  readonly done: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>;
  /** Output so far. */
  stdout(): string;
}

export interface CliOptions {
  stdin?: string | null;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Another state path than the sandbox's; null for none (a `--state-url` among the arguments). */
  statePath?: string | null;
  /** A command that runs Node for us, e.g. `setpriv … --` to run it as another user. */
  via?: readonly string[];
  /** Another build of the binary than apps/cli/dist/bin.cjs. */
  bin?: string;
}

/**
 * Starts `playbook <args>` with the state file of the sandbox, the config home inside it, no colours and no CI
 * (unless `env` says otherwise). `stdin` is written and closed; undefined leaves it open, null closes it empty.
 */
export function startCli(sandbox: Sandbox, args: readonly string[], options: CliOptions = {}): CliRun {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of ['CI', 'FORCE_COLOR', 'PLAYBOOK_STATE_PATH', 'PLAYBOOK_CONFIG']) delete env[key];
  Object.assign(env, { NO_COLOR: '1', XDG_CONFIG_HOME: join(sandbox.dir, 'config') }, options.env);
  const via = options.via ?? [];
  const statePath = options.statePath === undefined ? sandbox.statePath : options.statePath;
  const argv = [options.bin ?? binPath, ...args, ...(statePath === null ? [] : ['--state-path', statePath])];
  const [command, prefix] =
    via.length === 0 ? [process.execPath, []] : [via[0] as string, [...via.slice(1), process.execPath]];
  const child = spawn(command, [...prefix, ...argv], {
    cwd: sandbox.dir,
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.on('error', () => {});
  if (options.stdin !== undefined) {
    child.stdin?.end(options.stdin ?? '');
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const done = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `playbook ${args.join(' ')} did not exit within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    // 'close' comes after the exit and the end of both output streams.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout };
}

/** Runs `playbook <args>` to its end. */
export function runCli(sandbox: Sandbox, args: readonly string[], options: CliOptions = {}) {
  return startCli(sandbox, args, { stdin: null, ...options }).done;
}

/**
 * Waits until `check` holds, polling; fails after `timeoutMs`. The limit only guards against a hang: on a loaded
 * 2-core machine a concurrent e2e file can take more than 10 s to start a command, so the default is generous.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a process is alive; a zombie (exited, not yet reaped) counts as dead. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return existsSync(`/proc/${pid}`) || !existsSync('/proc');
  }
}

export const fixturesDir = dirname(fileURLToPath(import.meta.url));

/** Reads a run and its attempts back from the sandbox's state file. */
export async function loadRun(sandbox: Sandbox, workflowName: string, runId: number): Promise<RunState> {
  const repository = await openRunStore({ statePath: sandbox.statePath });
  try {
    const state = await repository.loadRun({ workflowName, runId });
    if (state === undefined) {
      throw new Error(`no run ${runId} of ${workflowName} in ${sandbox.statePath}`);
    }
    return state;
  } finally {
    await repository.close();
  }
}

/** The attempts of one node, in order, as `status/decision` strings. */
export function attemptsOf(state: RunState, nodeId: string): string[] {
  return state.attempts
    .filter((attempt) => attempt.nodeId === nodeId)
    .sort((a, b) => a.attempt - b.attempt)
    .map((attempt) =>
      attempt.operatorDecision === null ? attempt.status : `${attempt.status}/${attempt.operatorDecision}`,
    );
}
