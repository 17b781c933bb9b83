import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRequest, OutputStream } from '../ports/process-runner.js';
import { trackedGroups } from './live-groups.js';
import { CommandSpawnError, NodeProcessRunner } from './node-process-runner.js';

/** Independent of the code under test: alive means kill(2) finds it and it is not a zombie. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // Where PID 1 does not reap orphans, a dead grandchild stays a zombie that kill(2) still finds.
  const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'latin1') : undefined;
  if (stat === undefined) return process.platform !== 'linux';
  return !['Z', 'X'].includes(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '');
}

function readPids(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'playbook-runner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Recorded {
  chunks: { stream: OutputStream; text: string }[];
  starts: number[];
}

function request(command: string, overrides: Partial<CommandRequest> = {}): [CommandRequest, Recorded] {
  const recorded: Recorded = { chunks: [], starts: [] };
  return [
    {
      command,
      cwd: dir,
      timeoutMs: 10_000,
      signal: new AbortController().signal,
      maxOutputBytes: 1024 * 1024,
      onOutput: (stream, text) => recorded.chunks.push({ stream, text }),
      onStart: (group) => {
        recorded.starts.push(group);
      },
      ...overrides,
    },
    recorded,
  ];
}

const live = (recorded: Recorded, stream: OutputStream) =>
  recorded.chunks
    .filter((c) => c.stream === stream)
    .map((c) => c.text)
    .join('');

// Every behaviour holds whoever forks the command: this process, or the spawn helper.
describe.each([
  ['spawned by this process', 'off'],
  ['spawned by the spawn helper', 'eager'],
] as const)('NodeProcessRunner, %s', (_how, spawnHelper) => {
  const runner = new NodeProcessRunner({ killGraceMs: 300, drainMs: 200, spawnHelper });

  it.each([
    ['true', 0],
    ['false', 1],
    ['exit 42', 42],
    ['kill -KILL $$', 137],
    ['kill -TERM $$', 143],
  ])('reports the exit code of %s as %i', async (command, exitCode) => {
    const result = await runner.run(request(command)[0]);
    expect(result).toMatchObject({ exitCode, timedOut: false, aborted: false });
  });

  it('keeps stderr apart from stdout, in the live stream and in the capture', async () => {
    const [req, recorded] = request('echo out1; echo err1 >&2; echo out2; echo err2 >&2');
    const result = await runner.run(req);
    expect(result.stdout).toBe('out1\nout2\n');
    expect(result.stderr).toBe('err1\nerr2\n');
    expect(live(recorded, 'stdout')).toBe('out1\nout2\n');
    expect(live(recorded, 'stderr')).toBe('err1\nerr2\n');
  });

  it('delivers output chunks in order', async () => {
    const [req, recorded] = request('i=1; while [ $i -le 3000 ]; do echo "line $i"; i=$((i+1)); done');
    const result = await runner.run(req);
    const expected = Array.from({ length: 3000 }, (_, i) => `line ${i + 1}\n`).join('');
    expect(live(recorded, 'stdout')).toBe(expected);
    expect(result.stdout).toBe(expected);
  });

  it('runs through /bin/sh in the given directory with $VARS, pipes and UTF-8', async () => {
    const cwd = join(dir, 'work dir');
    await mkdir(cwd, { recursive: true });
    await writeFile(join(cwd, 'data.txt'), 'b\na\nc\n');
    const [req] = request(
      'pwd; sort data.txt | tr "\\n" ,; echo; echo "$GREETING" | tr a-z A-Z; printf "é€😀"',
      {
        cwd,
        env: { GREETING: 'hello world' },
      },
    );
    const result = await runner.run(req);
    expect(result.stdout).toBe(`${cwd}\na,b,c,\nHELLO WORLD\né€😀`);
  });

  const names = ['PLAYBOOK_TEST_LATER', 'PLAYBOOK_TEST_GONE', '__proto__'];
  const seen = async () => {
    const [req] = request('env', { env: { PLAYBOOK_TEST_GONE: 'own' } });
    const lines = (await runner.run(req)).stdout.split('\n');
    return lines.filter((line) => names.some((name) => line.startsWith(`${name}=`))).sort();
  };

  it("gives each command this process's environment as of the last refresh (changed, removed, any name), under its own", async () => {
    try {
      process.env.PLAYBOOK_TEST_LATER = 'one';
      process.env.PLAYBOOK_TEST_GONE = 'outer';
      runner.refreshEnvironment();
      expect(await seen()).toEqual(['PLAYBOOK_TEST_GONE=own', 'PLAYBOOK_TEST_LATER=one']);
      process.env.PLAYBOOK_TEST_LATER = 'two';
      Reflect.set(process.env, '__proto__', 'a variable'); // a variable of that name, not the accessor
      runner.refreshEnvironment();
      expect(await seen()).toEqual([
        'PLAYBOOK_TEST_GONE=own',
        'PLAYBOOK_TEST_LATER=two',
        '__proto__=a variable',
      ]);
      delete process.env.PLAYBOOK_TEST_LATER;
      runner.refreshEnvironment();
      expect(await seen()).toEqual(['PLAYBOOK_TEST_GONE=own', '__proto__=a variable']);
    } finally {
      for (const name of names) delete process.env[name];
      runner.refreshEnvironment();
    }
  });

  it('keeps its copy of the environment until refreshEnvironment, and reads a process.env that was replaced', async () => {
    const original = process.env;
    try {
      process.env.PLAYBOOK_TEST_LATER = 'one';
      runner.refreshEnvironment();
      expect(await seen()).toEqual(['PLAYBOOK_TEST_GONE=own', 'PLAYBOOK_TEST_LATER=one']);
      // Documented (docs/embedding.md): a change made without a refresh is not read again for each command.
      process.env.PLAYBOOK_TEST_LATER = 'two';
      expect(await seen()).toEqual(['PLAYBOOK_TEST_GONE=own', 'PLAYBOOK_TEST_LATER=one']);
      process.env = { ...original, PLAYBOOK_TEST_LATER: 'replaced' };
      expect(await seen()).toEqual(['PLAYBOOK_TEST_GONE=own', 'PLAYBOOK_TEST_LATER=replaced']);
    } finally {
      process.env = original;
      for (const name of names) delete process.env[name];
      runner.refreshEnvironment();
    }
  });

  it('calls onStart once with the process group, which is the shell pid', async () => {
    const [req, recorded] = request('echo $$; ps -o pgid= -p $$');
    const result = await runner.run(req);
    const [shellPid, group] = result.stdout.trim().split(/\s+/).map(Number);
    expect(recorded.starts).toEqual([shellPid]);
    expect(group).toBe(shellPid);
  });

  it('reports a failed write of the process group once the command has ended', async () => {
    const [req] = request('true', { onStart: () => Promise.reject(new Error('disk full')) });
    await expect(runner.run(req)).rejects.toThrow('disk full');
  });

  it('on timeout kills the whole group, grandchildren ignoring SIGTERM included, and reports 124', async () => {
    const pidFile = join(dir, `${spawnHelper}-timeout.pids`);
    const command = [
      `sleep 60 & echo $! >> '${pidFile}'`,
      `sh -c 'trap "" TERM; echo $$ >> "${pidFile}"; exec sleep 60' &`,
      `echo $$ >> '${pidFile}'`,
      'echo working; printf partial >&2; wait',
    ].join('\n');
    const [req, recorded] = request(command, { timeoutMs: 500 });
    const started = Date.now();
    const result = await runner.run(req);
    const elapsed = Date.now() - started;

    const pids = readPids(pidFile);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(isRunning(pid), `pid ${pid} still running`).toBe(false);
    expect(result.exitCode).toBe(124);
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.stdout).toBe('working\n');
    // The timeout line starts on a line of its own and ends the capture.
    expect(result.stderr).toBe('partial\nplaybook: timed out after 0.5 seconds\n');
    expect(live(recorded, 'stderr')).toBe(result.stderr);
    // The TERM-ignoring grandchild needed the SIGKILL that comes after the grace period.
    expect(elapsed).toBeGreaterThanOrEqual(500 + 300);
    expect(elapsed).toBeLessThan(5_000);
  });

  it('on abort kills the group and reports aborted', async () => {
    const pidFile = join(dir, `${spawnHelper}-abort.pids`);
    const controller = new AbortController();
    const [req] = request(`sleep 60 & echo $! > '${pidFile}'; echo started; wait`, {
      signal: controller.signal,
      onOutput: (_stream, text) => {
        if (text.includes('started')) controller.abort();
      },
    });
    const started = Date.now();
    const result = await runner.run(req);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ aborted: true, timedOut: false, exitCode: 128 + 15 });
    expect(isRunning(readPids(pidFile)[0]!)).toBe(false);
  });

  it('does not start a command when the signal is already aborted', async () => {
    const marker = join(dir, `${spawnHelper}-not-started`);
    const controller = new AbortController();
    controller.abort();
    const [req, recorded] = request(`touch '${marker}'`, { signal: controller.signal });
    const result = await runner.run(req);
    expect(result).toMatchObject({ aborted: true, exitCode: 130 });
    expect(recorded.starts).toEqual([]);
    expect(existsSync(marker)).toBe(false);
  });

  it('does not hang when a grandchild keeps stdout open after the shell exits, and stops it', async () => {
    const pidFile = join(dir, `${spawnHelper}-background.pids`);
    const [req] = request(`sleep 60 & echo $! > '${pidFile}'; echo done`);
    const started = Date.now();
    const result = await runner.run(req);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    expect(isRunning(readPids(pidFile)[0]!)).toBe(false);
  });

  it('stops waiting for pipes held by a process that left the group', async () => {
    const pidFile = join(dir, `${spawnHelper}-daemon.pids`);
    const [req] = request(`setsid sh -c 'echo $$ > "${pidFile}"; exec sleep 30' & sleep 0.1; echo done`);
    const started = Date.now();
    try {
      const result = await runner.run(req);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result).toMatchObject({ exitCode: 0, stdout: 'done\n' });
    } finally {
      // It escaped the group on purpose; clean it up so nothing outlives the test run.
      for (const pid of existsSync(pidFile) ? readPids(pidFile) : []) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
  });

  it('streams 50 MB without deadlock while the capture stays bounded', async () => {
    const cap = 64 * 1024;
    let streamed = 0;
    let chunks = 0;
    const [req] = request(`head -c 52428800 /dev/zero | tr '\\0' a; echo tail-end >&2`, {
      maxOutputBytes: cap,
      onOutput: (stream, text) => {
        if (stream === 'stdout') {
          streamed += text.length;
          chunks++;
        }
      },
    });
    const rssBefore = process.memoryUsage().rss;
    const result = await runner.run(req);
    const rssGrowth = process.memoryUsage().rss - rssBefore;

    expect(result.exitCode).toBe(0);
    expect(streamed).toBe(52_428_800);
    expect(chunks).toBeGreaterThan(1);
    const marker = `\n…[${52_428_800 - cap} bytes dropped]…\n`;
    expect(result.stdout).toBe('a'.repeat(cap / 2) + marker + 'a'.repeat(cap / 2));
    expect(result.stderr).toBe('tail-end\n');
    expect(rssGrowth).toBeLessThan(100 * 1024 * 1024);
  });

  it('rejects with a clear error when the working directory does not exist', async () => {
    const cwd = join(dir, 'missing');
    const [req] = request('true', { cwd });
    await expect(runner.run(req)).rejects.toThrow(CommandSpawnError);
    await expect(runner.run(req)).rejects.toThrow(
      `cannot run command in ${cwd}: the working directory does not exist`,
    );
  });

  it('forgets every group it started once the command is over', () => {
    expect(trackedGroups()).toEqual([]);
  });
});

describe('process tools the tests rely on', () => {
  it('ps is available', () => {
    expect(execFileSync('ps', ['-o', 'pid=', '-p', String(process.pid)], { encoding: 'utf8' }).trim()).toBe(
      String(process.pid),
    );
  });
});

// A crash of this process between the fork of a command and the write of its group to the run's owner record
// must leave nothing running that no resume could know of: a command this process forks itself waits for it.
describe('NodeProcessRunner, a command it forks itself', () => {
  const runner = new NodeProcessRunner({ spawnHelper: 'off' });

  it('runs nothing of it before the write of its process group has landed', async () => {
    const marker = join(dir, 'held-ran');
    let ranEarly: boolean | undefined;
    const [req] = request(`echo ran > '${marker}'`, {
      // The write takes a while; whatever the command would do unheld, it does at once.
      onStart: () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            ranEarly = existsSync(marker);
            resolve();
          }, 300),
        ),
    });
    const result = await runner.run(req);
    expect(result.exitCode).toBe(0);
    expect(ranEarly).toBe(false);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
  });

  it('runs nothing of it when that write fails, and reports the failure', async () => {
    const marker = join(dir, 'never-ran');
    const [req] = request(`echo ran > '${marker}'`, {
      onStart: () => Promise.reject(new Error('disk full')),
    });
    await expect(runner.run(req)).rejects.toThrow('disk full');
    expect(existsSync(marker)).toBe(false);
  });

  it("keeps the command line's line numbers (in the shell's messages) and its empty stdin", async () => {
    const [req] = request('cat; echo ok\nfi');
    const result = await runner.run(req);
    expect(result.stdout).toBe('ok\n');
    expect(result.stderr).toMatch(/^\/bin\/sh: 2: /);
  });
});
