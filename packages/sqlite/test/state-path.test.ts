import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteRunRepository } from '../src/index.js';
import { refusalOf } from './refusal.js';

// The state path must be a regular file or absent (SPEC §11): anything else is refused before it is opened,
// for writing and for reading. A FIFO (which would block an open) and a path under /proc (where Node's
// `mkdir -p` loops) are tried through the binary, with a time limit: apps/cli/test/faults/state-path.test.ts.

const folder = mkdtempSync(join(tmpdir(), 'playbook-state-path-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function expectNotAFile(path: string, kind: string): Promise<void> {
  for (const readonly of [false, true]) {
    const error = await refusalOf(path, readonly);
    expect(error.code).toBe('NOT_A_FILE');
    expect(error.message).toBe(`the state path ${path} is ${kind}, not a regular file; refusing to use it`);
  }
}

describe('a state path that is not a regular file', () => {
  it('a folder', async () => {
    const path = join(folder, 'history');
    mkdirSync(path);
    await expectNotAFile(path, 'a folder');
    expect(readdirSync(path)).toEqual([]);
  });

  it('a character device: refused before SQLite makes a journal beside it', async () => {
    let path = join(folder, 'null-device');
    try {
      execFileSync('mknod', [path, 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      path = '/dev/null'; // not root: use the real one, whose folder we cannot write anyway
    }
    await expectNotAFile(path, 'a character device');
    expect(existsSync(`${path}-journal`)).toBe(false);
  });

  it('a socket', async () => {
    const path = join(folder, 'state.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      await expectNotAFile(path, 'a socket');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('parent folders', () => {
  it('are created one by one however deep', async () => {
    const path = join(folder, ...Array.from({ length: 30 }, (_, i) => `level${i}`), 'run.db');
    await (await openSqliteRunRepository(path)).close();
    expect(existsSync(path)).toBe(true);
  });

  it('a file where a folder should be is named', async () => {
    writeFileSync(join(folder, 'plain'), '');
    const path = join(folder, 'plain', 'deeper', 'run.db');
    const error = await refusalOf(path, false);
    expect(error.code).toBe('OPEN_FAILED');
    expect(error.message).toBe(
      `cannot create the state file ${path}: ${join(folder, 'plain')} is not a folder`,
    );
    expect((await refusalOf(path, true)).message).toBe(`no state file at ${path}`);
  });
});
