import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHistoryContract, runRepositoryContract } from '@playbook/engine/testing/contract';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './migrations.js';
import { openSqliteRunRepository } from './open-sqlite-run-repository.js';
import { schemaDdl } from './sqlite-dialect.js';
import type { SqliteRunRepository } from './sqlite-run-repository.js';
import { StateFileError } from './state-file-error.js';

const folders: string[] = [];

function tempFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'playbook-sqlite-'));
  folders.push(folder);
  return folder;
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const freshFile = () => openSqliteRunRepository(join(tempFolder(), 'run.db'));
const reopen = (repository: SqliteRunRepository) => openSqliteRunRepository(repository.path);
runRepositoryContract('SqliteRunRepository', freshFile, { reopen });
runHistoryContract('SqliteRunRepository', freshFile, { reopen });

const OWNER = { host: 'h', pid: 1, processGroup: null };

async function expectStateFileError(
  promise: Promise<unknown>,
  code: string,
  path: string,
): Promise<StateFileError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StateFileError);
  const stateError = error as StateFileError;
  expect(stateError.code).toBe(code);
  expect(stateError.path).toBe(path);
  expect(stateError.message).toContain(path);
  expect(stateError.message).not.toContain('\n');
  return stateError;
}

async function withRepository<T>(path: string, use: (repo: SqliteRunRepository) => Promise<T>): Promise<T> {
  const repo = await openSqliteRunRepository(path);
  try {
    return await use(repo);
  } finally {
    await repo.close();
  }
}

/** Workflow `w`: run 1 with a nok then ok, run 2 with a nok and b still running. */
async function seed(path: string): Promise<void> {
  await withRepository(path, async (repo) => {
    const input = { workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds: ['a', 'b'] };
    const end = (status: 'ok' | 'nok') => ({ status, endTime: 'u', durationMs: 1 });
    const first = await repo.createRun(input);
    const start = (run: { workflowName: string; runId: number }, nodeId: string) =>
      repo.startAttempt({ ...run, nodeId, startTime: 't', status: 'running' });
    await repo.finishAttempt(await start(first, 'a'), end('nok'));
    await repo.finishAttempt(await start(first, 'a'), end('ok'));
    const second = await repo.createRun(input);
    await repo.finishAttempt(await start(second, 'a'), end('nok'));
    await start(second, 'b');
  });
}

describe('openSqliteRunRepository', () => {
  it('creates missing folders and a 0600 file in WAL mode', async () => {
    const path = join(tempFolder(), 'a', 'b', 'run.db');
    const repo = await openSqliteRunRepository(path);
    await repo.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const raw = new Database(path);
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      raw.close();
    }
  });

  it('leaves the mode of an existing file alone', async () => {
    const path = join(tempFolder(), 'run.db');
    writeFileSync(path, '', { mode: 0o640 });
    chmodSync(path, 0o640);
    await (await openSqliteRunRepository(path)).close();
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('creates exactly the contract tables of SPEC §3, plus the adapter-owned extras', async () => {
    const path = join(tempFolder(), 'run.db');
    await (await openSqliteRunRepository(path)).close();
    const raw = new Database(path, { readonly: true });
    try {
      const columns = (table: string) =>
        (
          raw.prepare(`select name, type, "notnull", pk from pragma_table_info('${table}')`).all() as object[]
        ).map((c) => Object.values(c).join(' '));
      expect(columns('runs')).toEqual([
        'workflow_name TEXT 1 1',
        'run_id INTEGER 1 2',
        'start_time TEXT 1 0',
        'end_time TEXT 0 0',
        'status TEXT 1 0',
        'nodes_ok INTEGER 1 0',
        'nodes_nok INTEGER 1 0',
        'nodes_skipped INTEGER 1 0',
        'trigger TEXT 1 0',
        'owner_host TEXT 0 0',
        'owner_pid INTEGER 0 0',
        'owner_process_group INTEGER 0 0',
        'runbook_hash TEXT 0 0',
        'operator TEXT 0 0',
        'os_user TEXT 0 0',
        'db_user TEXT 0 0',
      ]);
      expect(columns('run_node_ids')).toEqual([
        'workflow_name TEXT 1 1',
        'run_id INTEGER 1 2',
        'node_ids TEXT 1 0',
      ]);
      expect(columns('executions')).toEqual([
        'workflow_name TEXT 1 1',
        'run_id INTEGER 1 2',
        'node_id TEXT 1 3',
        'attempt INTEGER 1 4',
        'start_time TEXT 1 0',
        'end_time TEXT 0 0',
        'status TEXT 1 0',
        'operator_decision TEXT 0 0',
        'result_text TEXT 0 0',
        'exit_code INTEGER 0 0',
        'exception TEXT 0 0',
        'stdout TEXT 0 0',
        'stderr TEXT 0 0',
        'duration_ms INTEGER 0 0',
        'output_lines TEXT 0 0',
        'operator TEXT 0 0',
        'os_user TEXT 0 0',
        'db_user TEXT 0 0',
        'command TEXT 0 0',
        'params TEXT 0 0',
        'cwd TEXT 0 0',
        'env_keys TEXT 0 0',
      ]);
      const foreignKeys = raw
        .prepare(`select "table", "from", "to" from pragma_foreign_key_list('executions')`)
        .all();
      expect(foreignKeys).toEqual([
        { table: 'runs', from: 'workflow_name', to: 'workflow_name' },
        { table: 'runs', from: 'run_id', to: 'run_id' },
      ]);
      const indexes = raw
        .prepare(`select name from sqlite_master where type = 'index' and sql is not null`)
        .pluck();
      expect(indexes.all()).toEqual(['runs_by_workflow_status', 'run_reruns_by_run', 'approvals_one_each']);
    } finally {
      raw.close();
    }
  });

  it('uses the indexes for history queries instead of scanning', async () => {
    const path = join(tempFolder(), 'run.db');
    await (await openSqliteRunRepository(path)).close();
    const raw = new Database(path, { readonly: true });
    try {
      const plan = (query: string) =>
        (raw.prepare(`explain query plan ${query}`).all() as { detail: string }[])
          .map((row) => row.detail)
          .join('; ');
      expect(plan(`select * from node_status_counts where workflow_name = 'w'`)).toMatch(
        /USING INDEX sqlite_autoindex_node_status_counts_1/,
      );
      expect(
        plan(`select count(*) from executions where workflow_name = 'w' and run_id = 1 and node_id = 'n'`),
      ).not.toMatch(/SCAN/);
      expect(plan(`select count(*) from runs where workflow_name = 'w' and status = 'ok'`)).toMatch(
        /USING (COVERING )?INDEX runs_by_workflow_status/,
      );
      expect(plan(`select max(run_id) from runs where workflow_name = 'w'`)).not.toMatch(/SCAN/);
      expect(
        plan(
          `select max(attempt) from executions where workflow_name = 'w' and run_id = 1 and node_id = 'n'`,
        ),
      ).not.toMatch(/SCAN/);
    } finally {
      raw.close();
    }
  });

  it('opens an existing database again without migrating it twice, keeping its runs', async () => {
    const path = join(tempFolder(), 'run.db');
    await withRepository(path, (repo) =>
      repo.createRun({ workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds: ['a'] }),
    );
    await withRepository(path, async (repo) => {
      expect((await repo.findLatestRun('w'))?.nodeIds).toEqual(['a']);
      expect((await repo.databaseInfo()).schemaVersion).toBe(SCHEMA_VERSION);
    });
  });

  it('refuses a file that is not an SQLite database and leaves it as it was', async () => {
    const path = join(tempFolder(), 'notes.txt');
    writeFileSync(path, 'my precious notes\n'.repeat(100));
    const before = readFileSync(path);
    const error = await expectStateFileError(openSqliteRunRepository(path), 'NOT_A_DATABASE', path);
    expect(error.message).toMatch(/not an SQLite database/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a file shorter than the SQLite header', async () => {
    const path = join(tempFolder(), 'tiny.db');
    writeFileSync(path, 'SQLite');
    await expectStateFileError(openSqliteRunRepository(path), 'NOT_A_DATABASE', path);
    expect(readFileSync(path, 'utf8')).toBe('SQLite');
  });

  it('refuses an SQLite database of another application and leaves it as it was', async () => {
    const path = join(tempFolder(), 'other.db');
    const other = new Database(path);
    other.exec('create table customers (id integer primary key, name text)');
    other.close();
    const before = readFileSync(path);
    const error = await expectStateFileError(openSqliteRunRepository(path), 'NOT_A_DATABASE', path);
    expect(error.message).toMatch(/customers/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('adopts a database holding only the contract tables (the prototype) and keeps its runs', async () => {
    const path = join(tempFolder(), 'prototype.db');
    const prototype = new Database(path);
    prototype.exec(schemaDdl().split('-- Adapter-owned')[0] ?? '');
    prototype
      .prepare(
        `insert into runs (workflow_name, run_id, start_time, status, trigger) values ('w', 1, 't', 'ok', 'run')`,
      )
      .run();
    prototype.close();
    await withRepository(path, async (repo) => {
      expect(await repo.findLatestRun('w')).toMatchObject({
        runId: 1,
        status: 'ok',
        owner: null,
        nodeIds: [],
      });
      const next = await repo.createRun({
        workflowName: 'w',
        startTime: 'u',
        owner: OWNER,
        runbookHash: null,
        nodeIds: [],
      });
      expect(next.runId).toBe(2);
    });
  });

  it('moves the node ids of a version 2 database out of the runs table, keeping them', async () => {
    const path = join(tempFolder(), 'v2.db');
    const old = new Database(path);
    const [contract = '', rest = ''] = schemaDdl().split('-- Adapter-owned');
    old.exec(contract);
    old.exec(rest.slice(rest.indexOf('\n')).split('CREATE TABLE run_node_ids')[0] ?? '');
    old.exec(`CREATE TABLE kysely_migration (name varchar(255) not null primary key, timestamp varchar(255) not null);
      INSERT INTO kysely_migration VALUES ('0001_contract_tables', 't'), ('0002_engine_state', 't');
      INSERT INTO runs (workflow_name, run_id, start_time, status, trigger, node_ids)
        VALUES ('w', 1, 't', 'ok', 'run', '["a","b"]'), ('w', 2, 't', 'ok', 'run', '[]');`);
    old.close();
    await withRepository(path, async (repo) => {
      expect((await repo.listRuns('w')).map((run) => run.nodeIds)).toEqual([[], ['a', 'b']]);
      expect((await repo.databaseInfo()).schemaVersion).toBe(SCHEMA_VERSION);
    });
  });

  it('counts the nodes of a database from before the node counts once when it upgrades it, then keeps them', async () => {
    const path = join(tempFolder(), 'old.db');
    await seed(path);
    const counted = await withRepository(path, (repo) => repo.nodeStatusCounts('w'));
    // Back to the version before: the executions without their counts.
    const raw = new Database(path);
    raw.exec(`DROP TABLE node_status_counts; DROP TABLE approvals;
      CREATE INDEX executions_by_workflow_node ON executions (workflow_name, node_id);
      DROP TABLE run_process_groups;
      DELETE FROM kysely_migration WHERE name >= '0010';`);
    raw.close();
    await expectStateFileError(openSqliteRunRepository(path, { readonly: true }), 'OPEN_FAILED', path);
    await withRepository(path, async (repo) => {
      expect((await repo.databaseInfo()).schemaVersion).toBe(SCHEMA_VERSION);
      expect(await repo.nodeStatusCounts('w')).toEqual(counted);
      const run = await repo.createRun({
        workflowName: 'w',
        startTime: 't',
        owner: OWNER,
        runbookHash: null,
        nodeIds: [],
      });
      await repo.startAttempt({ ...run, nodeId: 'a', startTime: 't', status: 'skipped' });
      expect((await repo.nodeStatusCounts('w'))[0]).toEqual({
        nodeId: 'a',
        runs: 3,
        attempts: 4,
        runsByStatus: { running: 0, ok: 1, nok: 1, skipped: 1 },
      });
    });
    expect(counted).toEqual([
      { nodeId: 'a', runs: 2, attempts: 3, runsByStatus: { running: 0, ok: 1, nok: 1, skipped: 0 } },
      { nodeId: 'b', runs: 1, attempts: 1, runsByStatus: { running: 1, ok: 0, nok: 0, skipped: 0 } },
    ]);
  });

  it("reads a workflow's node counts without counting its executions", async () => {
    // `info` on 1,000,000 executions spent ~100 ms per workflow counting them; the counts are kept instead.
    const path = join(tempFolder(), 'run.db');
    await seed(path);
    const raw = new Database(path);
    raw.exec('DELETE FROM attempt_outputs; DELETE FROM executions;');
    raw.close();
    const counts = await withRepository(path, (repo) => repo.nodeStatusCounts('w'));
    expect(counts.map((n) => [n.nodeId, n.runs, n.attempts])).toEqual([
      ['a', 2, 3],
      ['b', 1, 1],
    ]);
  });

  it('keeps a run row small: recording process groups does not rewrite a 200,000-node plan', async () => {
    // Each update of a row rewrites all of it, overflow pages included; with the node ids in the row, every
    // Command attempt wrote the whole plan to the WAL twice (megabytes per step on a large runbook).
    const path = join(tempFolder(), 'run.db');
    const nodeIds = Array.from({ length: 200_000 }, (_, i) => `node-${i}`);
    await withRepository(path, async (repo) => {
      const key = { workflowName: 'w', runId: 1 };
      await repo.createRun({ workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds });
      const walAfterCreate = statSync(`${path}-wal`).size;
      for (let group = 100; group < 120; group++) {
        await repo.setOwnerProcessGroup(key, group);
        await repo.setOwnerProcessGroup(key, null);
      }
      expect(statSync(`${path}-wal`).size - walAfterCreate).toBeLessThan(200 * 1024);
      expect((await repo.loadRun(key))?.run.nodeIds).toHaveLength(200_000);
    });
  });

  it('refuses a database with a newer schema and leaves it byte for byte', async () => {
    const path = join(tempFolder(), 'run.db');
    await (await openSqliteRunRepository(path)).close();
    const raw = new Database(path);
    raw.prepare(`insert into kysely_migration (name, timestamp) values ('0099_future', 'later')`).run();
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    const before = readFileSync(path);
    const error = await expectStateFileError(openSqliteRunRepository(path), 'NEWER_SCHEMA', path);
    expect(error.message).toContain(`schema version 99, this one knows up to ${SCHEMA_VERSION}`);
    await expectStateFileError(openSqliteRunRepository(path, { readonly: true }), 'NEWER_SCHEMA', path);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it.each([
    ['NEWER_SCHEMA', "insert into kysely_migration (name, timestamp) values ('0099_future', 'later')", true],
    ['NOT_A_DATABASE', 'create table foo (a)', false],
  ] as const)(
    'refuses (%s) a file whose refusing change is still in the WAL of a killed writer, and changes neither file',
    async (code, change, playbookFile) => {
      const path = join(tempFolder(), 'run.db');
      if (playbookFile) {
        await (await openSqliteRunRepository(path)).close();
      } else {
        const raw = new Database(path);
        raw.pragma('journal_mode = WAL');
        raw.exec('create table bar (b)');
        raw.close();
      }
      // A writer killed before it checkpointed: its last transaction lives only in the -wal file.
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const killed = spawnSync(process.execPath, [
        '-e',
        `const db = new (require(${JSON.stringify(driver)}))(${JSON.stringify(path)});
         db.pragma('wal_autocheckpoint = 0'); db.exec(${JSON.stringify(change)}); process.kill(process.pid, 'SIGKILL');`,
      ]);
      expect(killed.signal).toBe('SIGKILL');
      const before = [readFileSync(path), readFileSync(`${path}-wal`)] as const;
      expect(before[1].length).toBeGreaterThan(0);
      await expectStateFileError(openSqliteRunRepository(path), code, path);
      expect(readFileSync(path).equals(before[0])).toBe(true);
      expect(readFileSync(`${path}-wal`).equals(before[1])).toBe(true);
    },
  );

  it('gives OPEN_FAILED naming the path when the location cannot exist', async () => {
    const folder = tempFolder();
    writeFileSync(join(folder, 'a-file'), '');
    const path = join(folder, 'a-file', 'run.db');
    await expectStateFileError(openSqliteRunRepository(path), 'OPEN_FAILED', path);
  });

  it('gives OPEN_FAILED for a read-only open of a missing file, and creates nothing', async () => {
    const path = join(tempFolder(), 'missing', 'run.db');
    await expectStateFileError(openSqliteRunRepository(path, { readonly: true }), 'OPEN_FAILED', path);
    expect(() => statSync(join(path, '..'))).toThrow();
  });

  it('gives UNWRITABLE naming the path in a read-only folder', async () => {
    // Permission bits do not stop root; sysfs refuses new files even to root, so it stands in for a locked folder.
    if (process.getuid?.() === 0) {
      const path = '/sys/playbook-unwritable.db';
      await expectStateFileError(openSqliteRunRepository(path), 'UNWRITABLE', path);
      return;
    }
    const folder = join(tempFolder(), 'locked');
    mkdirSync(folder, { mode: 0o500 });
    const path = join(folder, 'run.db');
    try {
      await expectStateFileError(openSqliteRunRepository(path), 'UNWRITABLE', path);
    } finally {
      chmodSync(folder, 0o700);
    }
  });

  it('reads without writing when opened read-only', async () => {
    const path = join(tempFolder(), 'run.db');
    await withRepository(path, (repo) =>
      repo.createRun({ workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds: [] }),
    );
    const repo = await openSqliteRunRepository(path, { readonly: true });
    try {
      expect((await repo.listRuns('w')).map((run) => run.runId)).toEqual([1]);
      // A failure of SQLite itself names the state file: no caller needs to know SQLite's error codes.
      const error = await expectStateFileError(
        repo.createRun({ workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds: [] }),
        'QUERY_FAILED',
        repo.path,
      );
      expect(error.message).toMatch(/readonly/);
      expect((error.cause as { code?: string }).code).toMatch(/^SQLITE_READONLY/);
    } finally {
      await repo.close();
    }
  });
});

// What every history does is in runHistoryContract above; this is what only a file has.
describe('databaseInfo', () => {
  it('reports the absolute path, the pages in use and the schema version', async () => {
    const path = join(tempFolder(), 'run.db');
    await withRepository(path, async (repo) => {
      await repo.createRun({
        workflowName: 'w',
        startTime: 't',
        owner: OWNER,
        runbookHash: null,
        nodeIds: [],
      });
      const info = await repo.databaseInfo();
      expect(info.path).toBe(repo.path);
      expect(info.path.endsWith('run.db')).toBe(true);
      expect(info.sizeBytes).toBeGreaterThan(4096);
      expect(info.sizeBytes % 4096).toBe(0);
      expect(info.schemaVersion).toBe(SCHEMA_VERSION);
    });
  });
});

describe('schemaDdl', () => {
  it('prints the contract tables as SPEC §3 has them, then the adapter extras, and builds a working schema', () => {
    const ddl = schemaDdl();
    expect(ddl).toContain('CREATE TABLE runs (\n  workflow_name TEXT    NOT NULL,');
    expect(ddl).toContain(
      '  FOREIGN KEY (workflow_name, run_id) REFERENCES runs (workflow_name, run_id)\n);',
    );
    expect(ddl.indexOf('CREATE TABLE executions')).toBeLessThan(ddl.indexOf('run_answers'));
    const raw = new Database(':memory:');
    try {
      raw.exec(ddl);
      const tables = raw
        .prepare(`select name from sqlite_master where type = 'table' order by name`)
        .pluck()
        .all();
      expect(tables).toEqual([
        'approvals',
        'attempt_outputs',
        'audit_log',
        'audit_unchained',
        'executions',
        'node_status_counts',
        'run_answers',
        'run_inputs',
        'run_node_ids',
        'run_process_groups',
        'run_reruns',
        'run_sessions',
        'runbook_texts',
        'runs',
      ]);
    } finally {
      raw.close();
    }
  });
});
