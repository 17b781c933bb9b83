import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { normalizeArgv } from '../src/argv.js';
import { createCli } from '../src/cli.js';
import type { PlaybookContext } from '../src/context.js';

export interface TestContextOptions {
  /** Text on stdin; the stream ends after it. Omit to leave stdin open and empty. */
  stdin?: string;
  env?: Record<string, string | undefined>;
  cwd: string;
  /** Home directory; defaults to `cwd`, so no test ever reads the real ~/.config. */
  homeDir?: string;
  /** Pretend every stream is a terminal (prompts allowed). */
  tty?: boolean;
  color?: boolean;
  now?: Date;
}

export interface TestContext {
  context: PlaybookContext;
  stdout: () => string;
  stderr: () => string;
}

/** A context over in-memory streams; read what commands wrote with `stdout()` / `stderr()`. */
export function makeContext(options: TestContextOptions): TestContext {
  const stdin = new PassThrough();
  if (options.stdin !== undefined) stdin.end(options.stdin);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  const tty = options.tty ?? false;
  const color = options.color ?? false;
  const now = options.now ?? new Date('2025-05-03T12:08:00.000Z');
  const context: PlaybookContext = {
    // The real environment would leak the machine's config and state into tests.
    env: options.env ?? {},
    stdin,
    stdout,
    stderr,
    colorDepth: color ? 8 : 1,
    cwd: options.cwd,
    homeDir: options.homeDir ?? options.cwd,
    isTTY: { stdin: tty, stdout: tty, stderr: tty },
    color: { stdout: color, stderr: color },
    clock: { now: () => now },
  };
  return { context, stdout: () => out, stderr: () => err };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `playbook <args>` in-process, exactly as `main()` does (argv normalised), on a test context. */
export async function runCli(args: readonly string[], options: TestContextOptions): Promise<CliResult> {
  const { context, stdout, stderr } = makeContext(options);
  const code = await createCli().run(normalizeArgv(args), context);
  // PassThrough delivers 'data' asynchronously; let it drain.
  await new Promise((resolve) => setImmediate(resolve));
  return { code, stdout: stdout(), stderr: stderr() };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(
  prefix = 'playbook-cli-',
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
