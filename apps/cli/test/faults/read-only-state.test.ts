import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { openSqliteRunRepository } from '@playbook/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, runCli, type Sandbox } from '../fixtures-run/e2e.js';
import { type Unprivileged, unprivileged } from '../fixtures-run/unprivileged.js';
import { faultSandbox, removeSandboxes } from './support.js';

// SPEC §11: the history can be read from a state file whose folder is read-only to the reader (an archive, a
// colleague's history): WAL needs a `-shm` file beside the database that such a reader cannot create, so
// SQLite falls back to immutable mode, with a warning. Stale runs are left as recorded; writing commands
// stop with one line. Root writes through permission bits, so the binary runs as a real unprivileged user.

const NODES = '[step]\ntype = "Command"\ncommand_name = "echo hello"\n';
const WARNING =
  /^warning: SQLite cannot open the journal of .* reads the file in immutable mode: this view may miss the newest changes$/m;

let user: Unprivileged | { readonly reason: string };

/** A sandbox with one finished run of "Ro" in its state file, the file readable by all, its folder read-only. */
async function readOnlyHistory(): Promise<{ box: Sandbox; file: string }> {
  const box = await faultSandbox();
  const file = await box.runbook('ro', 'Ro', NODES);
  expect((await runCli(box, ['run', file])).code).toBe(0);
  chmodSync(box.dir, 0o755);
  chmodSync(box.statePath, 0o644);
  chmodSync(box.path('state'), 0o555);
  return { box, file };
}

/** The state folder's names and the bytes of each file in it. */
function snapshot(box: Sandbox): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(box.path('state')).sort()) {
    files.set(name, readFileSync(box.path(`state/${name}`)).toString('base64'));
  }
  return files;
}

describe('a state file in a read-only folder, read by an unprivileged user', () => {
  beforeAll(() => {
    ensureBuilt();
    user = unprivileged();
  }, 180_000);
  afterAll(removeSandboxes);

  it('show, info and export-dot read it in immutable mode with one warning, and write nothing', async (context) => {
    if ('reason' in user) return context.skip(user.reason);
    const { box, file } = await readOnlyHistory();
    const before = snapshot(box);
    const commands: [string[], RegExp][] = [
      [['show', 'Ro'], /^\s+1 .* ok .* run$/m],
      [['show', 'Ro', '--run-id', '1', '--json'], /"resultText"|"stdout": "hello\\n"/],
      [['info'], /^Ro\s+1\s+1\s/m],
      [['info', '--json'], /"workflowName": "Ro"/],
      [['export-dot', file, '--run-id', '1', '--output', '-'], /digraph/],
    ];
    for (const [args, shows] of commands) {
      const result = await runCli(box, args, { via: user.via });
      const context = `${user.who}: ${args.join(' ')}\n${result.stdout}\n${result.stderr}`;
      expect(result.code, context).toBe(0);
      expect(result.stdout, context).toMatch(shows);
      expect(result.stderr, context).toMatch(WARNING);
      expect(result.stderr.trim().split('\n'), context).toHaveLength(1);
    }
    expect(snapshot(box)).toEqual(before);
  });

  it('a run left running by a dead process is shown as recorded, with a note, not recovered', async (context) => {
    if ('reason' in user) return context.skip(user.reason);
    const box = await faultSandbox();
    // The owner: a process of this host that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const repository = await openSqliteRunRepository(box.statePath);
    await repository.createRun({
      workflowName: 'Stale',
      startTime: '2025-05-03T12:08:00.000Z',
      owner: { host: hostname(), pid: Number(gone.stdout), processGroup: null },
      runbookHash: null,
      nodeIds: ['step'],
    });
    await repository.close();
    chmodSync(box.dir, 0o755);
    chmodSync(box.statePath, 0o644);
    chmodSync(box.path('state'), 0o555);
    const before = snapshot(box);

    const result = await runCli(box, ['show', 'Stale', '--json'], { via: user.via });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(JSON.parse(result.stdout).runs[0]).toMatchObject({ runId: 1, status: 'running' });
    expect(result.stderr).toMatch(WARNING);
    expect(result.stderr).toContain(
      'note: run 1 of "Stale" left running by a process that is gone; the state file is read-only, so the history is shown as recorded',
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(2);
    expect(snapshot(box)).toEqual(before);
  });

  it("reads changes still in the WAL when the writer's -shm is there to read, without a warning", async (context) => {
    if ('reason' in user) return context.skip(user.reason);
    const { box } = await readOnlyHistory();
    chmodSync(box.path('state'), 0o755);
    // A writer that is still open (or was killed): its newest commit is in the WAL, not yet in the file.
    const writer = await openSqliteRunRepository(box.statePath);
    try {
      await writer.createRun({
        workflowName: 'Ro',
        startTime: '2025-05-03T12:09:00.000Z',
        owner: { host: hostname(), pid: process.pid, processGroup: null },
        runbookHash: null,
        nodeIds: ['step'],
      });
      chmodSync(box.path('state'), 0o555);
      const result = await runCli(box, ['show', 'Ro', '--json'], { via: user.via });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout).runs.map((run: { runId: number }) => run.runId)).toEqual([2, 1]);
      expect(result.stderr).toBe('');
    } finally {
      chmodSync(box.path('state'), 0o755);
      await writer.close();
    }
  });

  it('run and resume stop with one line naming the state file, exit 1, and write nothing', async (context) => {
    if ('reason' in user) return context.skip(user.reason);
    const { box, file } = await readOnlyHistory();
    const before = snapshot(box);
    for (const [mode, reason] of [
      [0o644, 'permission denied (EACCES)'],
      // Writable file, read-only folder: SQLite could not make its journal beside it.
      [0o666, 'its folder is read-only'],
    ] as const) {
      chmodSync(box.statePath, mode);
      for (const args of [
        ['run', file],
        ['resume', file],
      ]) {
        const result = await runCli(box, args, { via: user.via });
        const context = `${mode.toString(8)} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`;
        expect(result.code, context).toBe(1);
        expect(result.stderr, context).toMatch(/^error: cannot write the state file [^\n]+\n$/);
        expect(result.stderr, context).toContain(box.statePath);
        expect(result.stderr, context).toContain(reason);
        expect(result.stdout, context).toBe('');
      }
    }
    chmodSync(box.statePath, 0o644);
    expect(snapshot(box)).toEqual(before);
  });
});
