// Drives the BUILT binary on a real pseudo-terminal (through pty-driver.py), as an operator at a keyboard:
// keys are typed once the screen shows what they answer, and what the terminal shows is replayed on a small
// screen model, so tests can read the final screen the way the operator would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { binPath, fixturesDir, type Sandbox } from './e2e.js';

export const KEY = {
  up: '\x1b[A',
  down: '\x1b[B',
  enter: '\r',
  ctrlC: '\x03',
  ctrlD: '\x04',
} as const;

/**
 * What the driver reports once the command has exited: its exit code and the terminal modes left behind (null
 * after `hangUp()`: a hung-up terminal cannot be asked).
 */
export interface PtyResult {
  readonly exit: number;
  readonly icanon: boolean | null;
  readonly echo: boolean | null;
  readonly isig: boolean | null;
}

export interface PtySession {
  /** Every byte the terminal showed so far, decoded as UTF-8. */
  raw(): string;
  /** The screen so far: what an operator reads, escape sequences applied. */
  screen(): string;
  /** Waits until the screen (or, with `raw`, the bytes) shows `text`; `from` skips what was there before. */
  waitFor(
    text: string | RegExp,
    options?: { timeoutMs?: number; raw?: boolean; from?: number },
  ): Promise<void>;
  /** Types keys, one write per key with a short pause between them, as fingers do. */
  type(...keys: string[]): Promise<void>;
  /** The length of `screen()` now, to wait only for what comes after it. */
  mark(): number;
  /**
   * Closes the terminal as a closed window or a dropped ssh connection does (the master side goes away: SIGHUP
   * to the command, EIO on its writes). The screen shows nothing after that.
   */
  hangUp(): void;
  /** Resolves when the CLI has exited and the driver has reported. */
  readonly done: Promise<PtyResult & { screen: string; raw: string }>;
  readonly pid: () => number | undefined;
}

export const COLUMNS = 80;

/**
 * Starts `playbook <args> --state-path <sandbox state>` on a terminal of COLUMNS x 24 in `cwd` (default: the
 * sandbox folder), with the sandbox's config home, colours left to the terminal unless `env` says otherwise.
 */
export function startPty(
  sandbox: Sandbox,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): PtySession {
  return startPtyCommand(
    sandbox,
    [process.execPath, binPath, ...args, '--state-path', sandbox.statePath],
    options,
  );
}

/**
 * Starts a shell command line on the terminal, where `playbook` is the built binary — to run a command line
 * exactly as the CLI printed it.
 */
export function startPtyShell(
  sandbox: Sandbox,
  line: string,
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {},
): PtySession {
  const define = 'playbook() { "$PLAYBOOK_NODE" "$PLAYBOOK_BIN" "$@"; }';
  return startPtyCommand(sandbox, ['/bin/sh', '-c', `${define}\n${line}`], {
    ...options,
    env: { PLAYBOOK_NODE: process.execPath, PLAYBOOK_BIN: binPath, ...options.env },
  });
}

function startPtyCommand(
  sandbox: Sandbox,
  argv: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number },
): PtySession {
  const env: Record<string, string | undefined> = { ...process.env };
  for (const key of ['CI', 'FORCE_COLOR', 'NO_COLOR', 'PLAYBOOK_STATE_PATH', 'PLAYBOOK_CONFIG'])
    delete env[key];
  Object.assign(env, { TERM: 'xterm-256color', XDG_CONFIG_HOME: join(sandbox.dir, 'config') }, options.env);
  const what = argv.slice(2).join(' ');
  const child = spawn('python3', [join(fixturesDir, 'pty-driver.py'), String(COLUMNS), '24', ...argv], {
    cwd: options.cwd ?? sandbox.dir,
    env: env as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin.on('error', () => {});
  const raw = () => Buffer.concat(chunks).toString('utf8');
  const screen = () => renderScreen(raw(), COLUMNS);
  const timeoutMs = options.timeoutMs ?? 20_000;

  const done = new Promise<PtyResult & { screen: string; raw: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within ${timeoutMs} ms; screen:\n${screen()}`));
    }, timeoutMs);
    child.on('close', () => {
      clearTimeout(timer);
      const line = stderr.split('\n').find((l) => l.startsWith('PTY-RESULT '));
      if (line === undefined) {
        reject(new Error(`the pty driver did not report; stderr:\n${stderr}\nscreen:\n${screen()}`));
        return;
      }
      resolve({
        ...(JSON.parse(line.slice('PTY-RESULT '.length)) as PtyResult),
        screen: screen(),
        raw: raw(),
      });
    });
  });
  done.catch(() => {});

  return {
    raw,
    screen,
    mark: () => screen().length,
    hangUp: () => {
      child.kill('SIGUSR1');
    },
    pid: () => child.pid,
    done,
    async waitFor(text, waitOptions = {}) {
      const deadline = Date.now() + (waitOptions.timeoutMs ?? 10_000);
      for (;;) {
        const seen = (waitOptions.raw === true ? raw() : screen()).slice(waitOptions.from ?? 0);
        if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
          return;
        }
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`the terminal never showed ${String(text)}; screen:\n${screen()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async type(...keys) {
      for (const key of keys) {
        child.stdin.write(key);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    },
  };
}

/**
 * Replays terminal output on a grid `columns` wide with unlimited scrollback: printable characters (one cell
 * each), CR, LF, backspace, tab, cursor moves (A B C D G H), erase in line (K) and display (J). Colours and
 * modes are ignored. Returns the lines, trailing blanks trimmed.
 */
export function renderScreen(text: string, columns: number): string {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  const line = () => {
    while (lines.length <= row) lines.push([]);
    return lines[row] as string[];
  };
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '\x1b') {
      if (chars[i + 1] !== '[') {
        i += 1; // a two-character escape (ESC 7, ESC 8, ...): nothing to draw
        continue;
      }
      let j = i + 2;
      let params = '';
      while (j < chars.length && !/[@-~]/.test(chars[j] as string)) {
        params += chars[j];
        j += 1;
      }
      const final = chars[j];
      i = j;
      if (params.startsWith('?')) continue;
      const numbers = params.split(';').map((p) => (p === '' ? undefined : Number(p)));
      const n = numbers[0] ?? 1;
      switch (final) {
        case 'A':
          row = Math.max(0, row - n);
          break;
        case 'B':
          row += n;
          break;
        case 'C':
          col = Math.min(columns - 1, col + n);
          break;
        case 'D':
          col = Math.max(0, col - n);
          break;
        case 'G':
          col = Math.min(columns - 1, n - 1);
          break;
        case 'H':
          row = (numbers[0] ?? 1) - 1;
          col = (numbers[1] ?? 1) - 1;
          break;
        case 'K': {
          const current = line();
          const mode = numbers[0] ?? 0;
          if (mode === 2) current.length = 0;
          else if (mode === 1) current.fill(' ', 0, col + 1);
          else current.length = Math.min(current.length, col);
          break;
        }
        case 'J':
          if ((numbers[0] ?? 0) === 0) {
            const current = line();
            current.length = Math.min(current.length, col);
            lines.length = row + 1;
          }
          break;
      }
      continue;
    }
    if (ch === '\r') {
      col = 0;
    } else if (ch === '\n') {
      row += 1;
      line();
    } else if (ch === '\b') {
      col = Math.max(0, col - 1);
    } else if (ch === '\t') {
      col = Math.min(columns - 1, (Math.floor(col / 8) + 1) * 8);
    } else if (ch < ' ' || ch === '\x7f') {
      // other control characters draw nothing
    } else {
      if (col >= columns) {
        row += 1;
        col = 0;
      }
      const current = line();
      while (current.length < col) current.push(' ');
      current[col] = ch;
      col += 1;
    }
  }
  return lines.map((cells) => cells.join('').trimEnd()).join('\n');
}
