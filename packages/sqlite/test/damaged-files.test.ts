import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, openSqliteRunRepository, StateFileError } from '../src/index.js';
import { refusalOf } from './refusal.js';

// SPEC §3: a state file this code cannot use is refused with a clear message and never altered. Each case is
// opened for writing (`run`) and for reading (`info`, `show`); the bytes must be the same afterwards and no
// journal file may be left next to it.

let folder: string;
let populated: Buffer;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'playbook-damaged-'));
  // A real state file with some history, to damage in different ways.
  const path = join(folder, 'populated.db');
  const repo = await openSqliteRunRepository(path);
  for (let i = 0; i < 20; i++) {
    const run = await repo.createRun({
      workflowName: 'w',
      startTime: '2025-05-03T12:08:00.000Z',
      owner: { host: 'h', pid: 1, processGroup: null },
      runbookHash: null,
      nodeIds: ['a'],
    });
    const key = { workflowName: 'w', runId: run.runId, nodeId: 'a' };
    const attempt = await repo.startAttempt({
      ...key,
      startTime: '2025-05-03T12:08:00.000Z',
      status: 'running',
    });
    await repo.finishAttempt(
      { ...key, attempt: attempt.attempt },
      { status: 'ok', endTime: '2025-05-03T12:08:01.000Z', durationMs: 1000, stdout: 'x'.repeat(3000) },
    );
  }
  await repo.close();
  populated = readFileSync(path);
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

let counter = 0;
function place(bytes: Buffer): string {
  const dir = join(folder, `case-${counter++}`);
  mkdirSync(dir);
  const path = join(dir, 'run.db');
  writeFileSync(path, bytes);
  return path;
}

/** Opens `path` both ways; each must fail with a one-line StateFileError naming it, the file's bytes unchanged. */
async function expectRefused(path: string, code: StateFileError['code']): Promise<StateFileError[]> {
  const dir = join(path, '..');
  const before = readFileSync(path);
  const listing = readdirSync(dir).sort();
  const errors: StateFileError[] = [];
  for (const readonly of [false, true]) {
    const stateError = await refusalOf(path, readonly);
    expect({ readonly, code: stateError.code }).toEqual({ readonly, code });
    errors.push(stateError);
    expect(readFileSync(path).equals(before)).toBe(true);
    // Reading a WAL-mode file makes SQLite create its companions (`-wal`, `-shm`); the log must stay empty.
    const added = readdirSync(dir).filter((name) => !listing.includes(name));
    expect(added.filter((name) => !/^run\.db-(wal|shm)$/.test(name))).toEqual([]);
    if (existsSync(`${path}-wal`)) expect(statSync(`${path}-wal`).size).toBe(0);
  }
  return errors;
}

describe('damaged or foreign state files', () => {
  it('random bytes behind a valid SQLite header: NOT_A_DATABASE', async () => {
    const bytes = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(8192, 0xa5)]);
    const [error] = await expectRefused(place(bytes), 'NOT_A_DATABASE');
    expect(error?.message).toMatch(/is not a usable SQLite database/);
  });

  it('a text file: NOT_A_DATABASE', async () => {
    const [error] = await expectRefused(
      place(Buffer.from('default_timeout_seconds = 300\n')),
      'NOT_A_DATABASE',
    );
    expect(error?.message).toMatch(/is not an SQLite database; refusing to use it/);
  });

  it('a state file cut short: NOT_A_DATABASE', async () => {
    for (const cut of [16, 100, 4096, 4097, 12_000, populated.length - 4096]) {
      await expectRefused(place(populated.subarray(0, cut)), 'NOT_A_DATABASE');
    }
  });

  it("another application's SQLite database: NOT_A_DATABASE, naming a table it found", async () => {
    const path = join(folder, `case-${counter++}`, 'run.db');
    mkdirSync(join(path, '..'));
    const other = new Database(path);
    other.exec(
      'create table invoices (id integer primary key, amount real); insert into invoices values (1, 9.5)',
    );
    other.close();
    const [error] = await expectRefused(path, 'NOT_A_DATABASE');
    expect(error?.message).toContain('not a Playbook state file (it has table invoices)');
  });

  it('a state file written by a newer Playbook: NEWER_SCHEMA, never migrated', async () => {
    const path = place(populated);
    const db = new Database(path);
    db.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run(
      `${String(Object.keys(MIGRATIONS).length + 1).padStart(4, '0')}_from_the_future`,
      '2030-01-01T00:00:00.000Z',
    );
    db.pragma('journal_mode = DELETE');
    db.close();
    const [error] = await expectRefused(path, 'NEWER_SCHEMA');
    expect(error?.message).toMatch(/written by a newer Playbook .*upgrade Playbook/);
  });

  it('a directory where the file should be: a clear error, the directory untouched', async () => {
    const path = join(folder, `case-${counter++}`, 'run.db');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, 'inside'), 'keep');
    for (const readonly of [false, true]) {
      const error = await openSqliteRunRepository(path, { readonly }).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(StateFileError);
      expect((error as Error).message).toContain(path);
      expect((error as Error).message).not.toContain('\n');
    }
    expect(readdirSync(path)).toEqual(['inside']);
  });

  it('a zero-length file is a new, empty state file (what the first open creates) and is set up', async () => {
    // Not damage: `touch run.db`, or a crash between creating the file and writing its schema, leaves exactly
    // this, so it must be usable. Read-only commands refuse it without writing.
    const path = place(Buffer.alloc(0));
    await expect(openSqliteRunRepository(path, { readonly: true })).rejects.toBeInstanceOf(StateFileError);
    expect(readFileSync(path).length).toBe(0);
    const repo = await openSqliteRunRepository(path);
    expect(await repo.listWorkflows()).toEqual([]);
    await repo.close();
  });

  it('cut at any byte: refused with StateFileError and left unchanged, or opened and read intact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: populated.length - 1 }), async (cut) => {
        const path = place(populated.subarray(0, cut));
        const opened = await openSqliteRunRepository(path).then(
          (repo) => repo,
          (thrown: unknown) => thrown,
        );
        if (opened instanceof Error) {
          expect(opened).toBeInstanceOf(StateFileError);
          expect(readFileSync(path).equals(populated.subarray(0, cut))).toBe(true);
          if (existsSync(`${path}-wal`)) expect(statSync(`${path}-wal`).size).toBe(0);
          return;
        }
        // SQLite accepted it (a cut inside the unused end of the last page): everything must still read back.
        const repo = opened as Awaited<ReturnType<typeof openSqliteRunRepository>>;
        try {
          expect((await repo.listRuns('w')).length).toBe(20);
        } finally {
          await repo.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
