import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandRequest } from '../ports/process-runner.js';
import { FrameReader, type HelperProgram, helperPrograms, startHelper } from './helper-channel.js';
import { NodeProcessRunner } from './node-process-runner.js';
import { isGroupAlive } from './process-group.js';
import { envRequest, SpawnHelper } from './spawn-helper.js';
import type { Env, HelperMessage } from './spawn-helper-main.js';

const request = (command: string): CommandRequest => ({
  command,
  cwd: tmpdir(),
  timeoutMs: 10_000,
  signal: new AbortController().signal,
  maxOutputBytes: 1024 * 1024,
  onOutput: () => {},
});

/** The pid of the process that forked the command's shell. */
async function forker(runner: NodeProcessRunner): Promise<number> {
  return Number((await runner.run(request('echo $PPID'))).stdout.trim());
}

// Each test runs with each program the helper can be: Python where this machine has it, and Node.
const python = helperPrograms('auto').find((program) => program.kind === 'python');
const programs: Array<[string, readonly HelperProgram[]]> = [
  ...(python === undefined ? [] : ([['Python', [python]]] as Array<[string, readonly HelperProgram[]]>)),
  ['Node', [{ kind: 'node', path: process.execPath }]],
];

describe.each(programs)('the spawn helper (%s)', (kind, program) => {
  const newHelper = () => new SpawnHelper(program);

  it('says what it runs as once ready', async () => {
    const helper = newHelper();
    expect(await helper.whenReady()).toBe(true);
    expect(helper.program?.kind).toBe(kind.toLowerCase());
  });

  it('forks the commands instead of this process, several at once', async () => {
    const runner = new NodeProcessRunner({ spawnHelper: newHelper() });
    const started = Date.now();
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => runner.run(request('sleep 0.5; echo $PPID; echo $$'))),
    );
    const elapsed = Date.now() - started;
    const parents = new Set(results.map((r) => r.stdout.split('\n')[0]));
    expect(parents.size).toBe(1);
    expect([...parents][0]).not.toBe(String(process.pid));
    // Each its own group (the shell's pid), all running together.
    expect(new Set(results.map((r) => r.stdout.split('\n')[1])).size).toBe(4);
    expect(elapsed).toBeLessThan(4 * 500);
  });

  it('tells whether the group was gone as the pipes closed (and that they are), so that the runner need not ask the kernel', async () => {
    const helper = newHelper();
    expect(await helper.whenReady()).toBe(true);
    const env = { PATH: process.env.PATH };
    const alone = await helper.spawn('true', tmpdir(), env, 100);
    await alone.closed;
    expect(alone.groupGone).toBe(true);
    // Known at once, so that the runner sets no timer to wait for the pipes.
    expect(alone.pipesClosed).toBe(true);
    // A process left in the group, holding neither pipe: the pipes close with the shell, the group lives on.
    // Long enough to outlive a stall of a loaded machine between the shell's end and the checks; stopped after.
    const left = await helper.spawn('sleep 30 >/dev/null 2>&1 & exit 0', tmpdir(), env, 100);
    await left.closed;
    expect(left.groupGone).toBe(false);
    expect(isGroupAlive(left.pid)).toBe(true);
    process.kill(-left.pid, 'SIGKILL');
    const runner = new NodeProcessRunner({ spawnHelper: helper, killGraceMs: 100 });
    let group = 0;
    const result = await runner.run({
      ...request('sleep 30 >/dev/null 2>&1 & exit 0'),
      onStart: (pgid) => {
        group = pgid;
      },
    });
    // What the shell left in its group is stopped with it, as without the helper.
    expect(result.exitCode).toBe(0);
    expect(isGroupAlive(group)).toBe(false);
  });

  it("sends a command's environment whole, or only what changed when its variables are the last one's in order", async () => {
    expect(envRequest(undefined, { A: '1' })).toEqual({ all: { A: '1' } });
    expect(envRequest({ A: '1', B: '2' }, { A: '1', B: '3' })).toEqual({ changed: { B: '3' } });
    expect(envRequest({ A: '1', B: '2' }, { B: '2', A: '1' })).toEqual({ all: { B: '2', A: '1' } });
    expect(envRequest({ A: '1', B: '2' }, { A: '1' })).toEqual({ all: { A: '1' } });
    expect(envRequest({ A: '1', B: '2' }, { A: '1', C: '2' })).toEqual({ all: { A: '1', C: '2' } });
    expect(envRequest({ A: '1', B: '2' }, { A: '1', B: undefined })).toEqual({ changed: { B: undefined } });
    // Each command sees exactly its own environment, whatever the one before had (in the shell's order).
    const helper = newHelper();
    expect(await helper.whenReady()).toBe(true);
    const base = { PATH: process.env.PATH };
    const seen = async (env: Record<string, string | undefined>) => {
      const command = await helper.spawn('env', tmpdir(), { ...base, ...env }, 100);
      let out = '';
      command.onOutput((_stream, chunk) => {
        out += chunk.toString();
      });
      await command.closed;
      return out
        .split('\n')
        .filter((line) => /^[XYZ]=/.test(line))
        .sort()
        .join(' ');
    };
    expect(await seen({ X: '1', Y: '2' })).toBe('X=1 Y=2');
    expect(await seen({ X: '1', Y: '3' })).toBe('X=1 Y=3');
    expect(await seen({ X: '1', Y: undefined })).toBe('X=1');
    expect(await seen({ Y: '4', X: '1' })).toBe('X=1 Y=4');
    expect(await seen({ Y: '4', X: '2' })).toBe('X=2 Y=4');
    expect(await seen({ Z: '5' })).toBe('Z=5');
  });

  it("relays a command's output byte for byte, stream by stream, and its exit as the shell ended", async () => {
    const runner = new NodeProcessRunner({ spawnHelper: newHelper(), killGraceMs: 200 });
    const chunks: Record<string, string[]> = { stdout: [], stderr: [] };
    // 300 kB on stdout in pieces (more than one pipe's worth), a line on stderr between them, then an exit code.
    const result = await runner.run({
      ...request(
        "head -c 150000 /dev/zero | tr '\\0' a; echo oops >&2; head -c 150000 /dev/zero | tr '\\0' b; exit 3",
      ),
      onOutput: (stream, text) => chunks[stream]?.push(text),
    });
    expect(result.exitCode).toBe(3);
    expect(chunks.stdout?.join('')).toBe(`${'a'.repeat(150_000)}${'b'.repeat(150_000)}`);
    expect(chunks.stderr?.join('')).toBe('oops\n');
    // Killed by a signal: 128 + its number, as a shell reports it.
    expect((await runner.run(request('kill -9 $$'))).exitCode).toBe(137);
    // A folder that is not there: the command cannot start, and the runner says why.
    await expect(runner.run({ ...request('true'), cwd: '/nonexistent/folder' })).rejects.toThrow(
      'cannot run command in /nonexistent/folder: the working directory does not exist',
    );
    expect((await runner.run(request('echo still here'))).stdout).toBe('still here\n');
    // A value beyond ASCII reaches the command as UTF-8 (the helper has no locale of its own).
    const accented = await runner.run({
      ...request('printf %s "$ACCENT" | od -An -tx1'),
      env: { ACCENT: 'é' },
    });
    expect(accented.stdout.trim()).toBe('c3 a9');
  });

  it('gives a command a text that is not well-formed UTF-16 as Node does: each lone surrogate as U+FFFD', async () => {
    // A Function's output (any JavaScript string) may reach a later command's text or environment.
    const runner = new NodeProcessRunner({ spawnHelper: newHelper() });
    const bytes = async (command: string, env: Record<string, string> = {}) =>
      (await runner.run({ ...request(`${command} | od -An -tx1`), env })).stdout.replace(/\s+/g, ' ').trim();
    // U+DC80–U+DCFF too, which Python's file-system encoding would pass on as single raw bytes.
    expect(await bytes('printf %s "$ODD"', { ODD: 'a\uD800b\uDCFFc' })).toBe('61 ef bf bd 62 ef bf bd 63');
    expect(await bytes('printf %s "a\uDC00b"')).toBe('61 ef bf bd 62');
    expect(await bytes('printf %s "\uD83C\uDF89"')).toBe('f0 9f 8e 89');
  });

  it('says why a command holding a NUL character cannot start in the same words as a command it forks itself', async () => {
    // Node's spawn and Python's word it each their own way (Node's shows the CLI's held command's prefix).
    const runners = [
      new NodeProcessRunner({ spawnHelper: newHelper() }),
      new NodeProcessRunner({ spawnHelper: 'off' }),
    ];
    for (const runner of runners) {
      await expect(runner.run(request('echo a\0b'))).rejects.toThrow(
        `cannot run command in ${tmpdir()}: the command contains a NUL character`,
      );
      await expect(runner.run({ ...request('true'), cwd: `${tmpdir()}\0` })).rejects.toThrow(
        "the working directory's path contains a NUL character",
      );
      await expect(runner.run({ ...request('true'), env: { ODD: 'a\0b' } })).rejects.toThrow(
        `cannot run command in ${tmpdir()}: the environment variable "ODD" contains a NUL character`,
      );
      expect((await runner.run(request('echo still here'))).stdout).toBe('still here\n');
    }
  });

  it("runs a command whose folder is relative in that folder of this process's, as this process would", async () => {
    // A runbook built in memory (no file) runs its commands in ".": this process's folder, not the helper's `/`.
    const runner = new NodeProcessRunner({ spawnHelper: newHelper() });
    for (const cwd of ['.', '..']) {
      const result = await runner.run({ ...request('pwd -P'), cwd });
      expect(result.stdout.trim()).toBe(realpathSync(resolve(cwd)));
    }
    // This process's folder gone: the command cannot start, said as for any folder.
    const home = process.cwd();
    const gone = await mkdtemp(join(tmpdir(), 'helper-'));
    process.chdir(gone);
    try {
      await rmdir(gone);
      await expect(runner.run({ ...request('true'), cwd: '.' })).rejects.toThrow('cannot run command in .:');
    } finally {
      process.chdir(home);
    }
  });

  it('is not started for a single command (lazy), only from the second on', async () => {
    const runner = new NodeProcessRunner({ spawnHelper: newHelper() });
    expect(await forker(runner)).not.toBe(process.pid);
    const lazy = new NodeProcessRunner();
    expect(await forker(lazy)).toBe(process.pid);
  });

  it('leaves the forking to this process when the helper cannot start', async () => {
    const broken = new SpawnHelper('/nonexistent/node');
    expect(await broken.whenReady()).toBe(false);
    const runner = new NodeProcessRunner({ spawnHelper: broken });
    expect(await forker(runner)).toBe(process.pid);
    expect((await runner.run(request('exit 3'))).exitCode).toBe(3);
  });

  it('stops a command whose helper died, and runs the next ones itself', async () => {
    const runner = new NodeProcessRunner({ spawnHelper: newHelper(), killGraceMs: 200 });
    let group = 0;
    const running = runner.run({
      ...request('echo $PPID; sleep 30'),
      onStart: (pgid) => {
        group = pgid;
      },
      onOutput: (_stream, text) => process.kill(Number(text.trim()), 'SIGKILL'),
    });
    await expect(running).rejects.toThrow('the spawn helper ended while the command ran');
    // Gone, or a zombie where nobody reaps orphans.
    expect(isGroupAlive(group)).toBe(false);
    expect(await forker(runner)).toBe(process.pid);
  });
});

describe("the choice of the helper's program", () => {
  it('tries the next program when one cannot start or ends before it is ready', async () => {
    const node: HelperProgram = { kind: 'node', path: process.execPath };
    for (const first of [
      { kind: 'python', path: '/nonexistent/python3' },
      // An interpreter that exits at once, as a Python without pidfd_open does.
      { kind: 'python', path: '/bin/false' },
      { kind: 'node', path: '/bin/false' },
    ] as const) {
      const helper = new SpawnHelper([first, node]);
      expect(await helper.whenReady(), first.path).toBe(true);
      expect(helper.program).toEqual(node);
    }
  });

  it('is Node alone when asked, or where no Python is found', () => {
    expect(helperPrograms('node')).toEqual([{ kind: 'node', path: process.execPath }]);
    expect(helperPrograms('auto').at(-1)).toEqual({ kind: 'node', path: process.execPath });
  });
});

describe("the Python helper's frames", () => {
  it('are cut into messages however the bytes arrive', () => {
    const frame = (head: object, data = '') => {
      const text = Buffer.from(JSON.stringify(head));
      const lengths = Buffer.alloc(8);
      lengths.writeUInt32BE(text.length, 0);
      lengths.writeUInt32BE(Buffer.byteLength(data), 4);
      return Buffer.concat([lengths, text, Buffer.from(data)]);
    };
    const bytes = Buffer.concat([
      frame({ t: 'ready' }),
      frame({ t: 'out', id: 1, s: 0 }, 'héllo\n'),
      frame({ t: 'end', id: 1, code: 0, signal: null, g: true }),
    ]);
    for (const size of [1, 3, 7, 8, 9, 20, bytes.length]) {
      const seen: Array<HelperMessage & { d?: Buffer }> = [];
      const reader = new FrameReader((message) => seen.push(message as HelperMessage & { d?: Buffer }));
      for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
      expect(
        seen.map((message) => message.t),
        `pieces of ${size}`,
      ).toEqual(['ready', 'out', 'end']);
      expect(seen[1]?.d?.toString()).toBe('héllo\n');
    }
  });
});

describe.runIf(python !== undefined)('the Python helper, against the Node one', () => {
  /** What a command sees and says, or the error it could not start with, through a helper of `programs`. */
  async function outcomes(
    programs: readonly HelperProgram[],
    commands: ReadonlyArray<[string, string, Env]>,
  ) {
    const helper = new SpawnHelper(programs);
    expect(await helper.whenReady()).toBe(true);
    const seen: string[] = [];
    for (const [command, cwd, env] of commands) {
      try {
        const started = await helper.spawn(command, cwd, env, 100);
        // Each stream whole: how the bytes come in chunks is the kernel's and the helper's to choose.
        const out = { stdout: '', stderr: '' };
        started.onOutput((stream, chunk) => {
          out[stream] += chunk.toString();
        });
        const exit = await started.exited;
        await started.closed;
        seen.push(`stdout: ${out.stdout}stderr: ${out.stderr}exit ${exit.code} ${exit.signal}`);
      } catch (error) {
        seen.push(`error ${(error as Error).message} (${(error as { code?: string }).code})`);
      }
    }
    return seen;
  }

  it('tells a command killed by a real-time signal by its number (Node says it exited 0)', async () => {
    const runner = new NodeProcessRunner({ spawnHelper: new SpawnHelper([python as HelperProgram]) });
    expect((await runner.run(request('kill -s 34 $$'))).exitCode).toBe(162);
    expect((await runner.run(request('kill -s 40 $$'))).exitCode).toBe(168);
    expect((await runner.run(request('kill -s USR1 $$'))).exitCode).toBe(138);
  });

  it('gives a command the same descriptors, and says the same when it cannot start it', async () => {
    const env = { PATH: process.env.PATH };
    const dir = await mkdtemp(join(tmpdir(), 'helper-'));
    const file = join(dir, 'file');
    await writeFile(file, '');
    const commands: Array<[string, string, Env]> = [
      // stdout and stderr are sockets from Node's spawn (so /dev/stdout cannot be opened), stdin /dev/null
      // read-only; the descriptors this process was given that stay open on exec are passed on.
      [
        'test -S /dev/stdout && echo socket; echo hi > /dev/stderr; grep flags /proc/$$/fdinfo/0; ' +
          'for fd in /proc/$$/fd/*; do echo "${fd##*/} $(readlink "$fd" | sed "s/:.*//")"; done',
        tmpdir(),
        env,
      ],
      ['true', file, env],
      ['true', tmpdir(), { ...env, BIG: 'x'.repeat(300_000) }],
    ];
    const fromPython = await outcomes([python as HelperProgram], commands);
    expect(fromPython).toEqual(await outcomes([{ kind: 'node', path: process.execPath }], commands));
    expect(fromPython[0]).toContain('socket');
    expect(fromPython.slice(1)).toEqual(['error spawn ENOTDIR (ENOTDIR)', 'error spawn E2BIG (E2BIG)']);
    await rm(dir, { recursive: true });
  });
});

describe.each(programs)('the spawn helper (%s), once the runner is gone', (_kind, [program]) => {
  it("keeps reading a command's output while it stops it: a handler of SIGTERM that prints much still ends", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'helper-'));
    const marker = join(dir, 'cleaned');
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const started = new Promise<void>((resolve) => {
      const channel = startHelper(program as HelperProgram, {
        message: (message) => {
          if (message.t === 'ready') ready();
          // The command's first line: its handler is set. The runner goes (the helper's input ends).
          if (message.t === 'out') {
            channel.close();
            resolve();
          }
        },
        ended: () => {},
      });
      void isReady.then(() =>
        channel.send({
          t: 'spawn',
          id: 1,
          // More than a socket's buffer in the handler, after the helper's SIGTERM: the command ends only if
          // someone reads it.
          command: `trap 'head -c 2000000 /dev/zero; touch cleaned; exit 0' TERM; echo set; sleep 30 & wait`,
          cwd: dir,
          env: { all: { PATH: process.env.PATH } },
          grace: 5000,
        }),
      );
    });
    await started;
    const deadline = Date.now() + 3000;
    while (!existsSync(marker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(existsSync(marker)).toBe(true);
    await rm(dir, { recursive: true });
  });
});
