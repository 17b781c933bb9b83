import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type Sandbox } from '../fixtures-run/e2e.js';
import { faultSandbox, removeSandboxes } from './support.js';

// SPEC §11: the state path must be a regular file or absent. Through the binary, each other kind is refused
// with one line naming the path, exit 1, nothing created: before, a FIFO hung `run` and `show` (opening it
// waits for a writer), a device made SQLite create `<device>-journal` beside it, and a path under /proc sent
// Node's `mkdir -p` into an endless loop. Every command has a time limit, so such a regression fails here
// instead of hanging the suite.

const LIMIT = { timeoutMs: 15_000 };
const NODES = '[step]\ntype = "Command"\ncommand_name = "echo x >> marks/step"\n';
const COMMANDS = (file: string): string[][] => [['run', file], ['resume', file], ['show', 'P'], ['info']];

let server: Server | undefined;

/** A null device of our own in the sandbox when we may make one (root); else /dev/null itself. */
function device(box: Sandbox): string {
  const path = box.path('device');
  try {
    execFileSync('mknod', [path, 'c', '1', '3'], { stdio: 'ignore' });
    return path;
  } catch {
    return '/dev/null';
  }
}

async function expectRefused(box: Sandbox, statePath: string, kind: string): Promise<void> {
  const file = await box.runbook('p', 'P', NODES);
  const listing = readdirSync(box.dir).sort();
  for (const args of COMMANDS(file)) {
    const result = await runCli(box, args, { ...LIMIT, statePath });
    const context = `${args.join(' ')}\n${result.stdout}\n${result.stderr}`;
    expect(result.code, context).toBe(1);
    expect(result.stderr, context).toBe(
      `error: the state path ${statePath} is ${kind}, not a regular file; refusing to use it\n`,
    );
  }
  expect(readdirSync(box.dir).sort()).toEqual(listing);
  expect(readdirSync(box.path('marks'))).toEqual([]);
}

describe('a state path that is not a regular file', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(async () => {
    await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
    await removeSandboxes();
  });

  it('a FIFO: refused, nothing hangs', async () => {
    const box = await faultSandbox();
    execFileSync('mkfifo', [box.path('state.fifo')]);
    await expectRefused(box, box.path('state.fifo'), 'a FIFO (named pipe)');
  });

  it('a character device: refused, no journal made beside it', async () => {
    const box = await faultSandbox();
    const path = device(box);
    await expectRefused(box, path, 'a character device');
    expect(existsSync(`${path}-journal`)).toBe(false);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('a folder: refused, left as it is', async () => {
    const box = await faultSandbox();
    mkdirSync(box.path('history'));
    await expectRefused(box, box.path('history'), 'a folder');
    expect(readdirSync(box.path('history'))).toEqual([]);
  });

  it('a socket: refused', async () => {
    const box = await faultSandbox();
    const path = box.path('state.sock');
    server = createServer();
    await new Promise<void>((resolve) => server?.listen(path, resolve));
    await expectRefused(box, path, 'a socket');
  });

  it('a symbolic link to a device: refused like the device', async () => {
    const box = await faultSandbox();
    const target = device(box);
    execFileSync('ln', ['-s', target, box.path('link.db')]);
    await expectRefused(box, box.path('link.db'), 'a character device');
  });

  it('a path under /proc: one line naming the folder it cannot make, no endless mkdir loop', async () => {
    if (!existsSync('/proc/self')) return;
    const box = await faultSandbox();
    const file = await box.runbook('p', 'P', NODES);
    for (const statePath of ['/proc/playbook-test/history/run.db', '/proc/self/playbook-test/run.db']) {
      const result = await runCli(box, ['run', file], { ...LIMIT, statePath });
      const context = `${statePath}\n${result.stdout}\n${result.stderr}`;
      expect(result.code, context).toBe(1);
      expect(result.stderr, context).toMatch(
        /^error: cannot create folder \/proc\/[^ ]+ for the state file \/proc\/[^ ]+\/run\.db: [^\n]+\n$/,
      );
    }
    expect(readdirSync(box.path('marks'))).toEqual([]);
  });

  it('a missing state file under missing folders is still created, the folders with it', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('p', 'P', NODES);
    const statePath = box.path('deep/er/still/run.db');
    const result = await runCli(box, ['run', file], { ...LIMIT, statePath });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(statePath).mode & 0o777).toBe(0o600);
  });
});
