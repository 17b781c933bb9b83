import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRepositoryContract } from '@playbook/engine/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from './migrations.js';
import { openSqliteRunRepository } from './open-sqlite-run-repository.js';
import { schemaDdl } from './schema-ddl.js';
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

runRepositoryContract('SqliteRunRepository', () => openSqliteRunRepository(join(tempFolder(), 'run.db')));

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
      expect(indexes.all()).toEqual(['runs_by_workflow_status', 'executions_by_workflow_node']);
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
      expect(plan(`select count(*) from executions where workflow_name = 'w' and node_id = 'n'`)).toMatch(
        /USING (COVERING )?INDEX executions_by_workflow_node/,
      );
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
      await expect(
        repo.createRun({ workflowName: 'w', startTime: 't', owner: OWNER, runbookHash: null, nodeIds: [] }),
      ).rejects.toThrow(/readonly/);
    } finally {
      await repo.close();
    }
  });
});

describe('history queries', () => {
  async function seeded(): Promise<SqliteRunRepository> {
    const repo = await openSqliteRunRepository(join(tempFolder(), 'run.db'));
    const base = { owner: OWNER, runbookHash: null, nodeIds: ['a', 'b'] };
    // deploy run 1: a ok; b nok then ok → ok.
    const r1 = await repo.createRun({
      ...base,
      workflowName: 'deploy',
      startTime: '2024-01-01T00:00:00.000Z',
    });
    for (const [nodeId, status] of [
      ['a', 'ok'],
      ['b', 'nok'],
      ['b', 'ok'],
    ] as const) {
      const attempt = await repo.startAttempt({
        ...r1,
        nodeId,
        startTime: '2024-01-01T00:00:01.000Z',
        status: 'running',
      });
      await repo.finishAttempt(attempt, { status, endTime: '2024-01-01T00:00:02.000Z', durationMs: 1000 });
    }
    await repo.finishRun(r1, {
      status: 'ok',
      endTime: '2024-01-01T00:00:03.000Z',
      nodesOk: 2,
      nodesNok: 0,
      nodesSkipped: 0,
    });
    // deploy run 2: a nok, aborted.
    const r2 = await repo.createRun({
      ...base,
      workflowName: 'deploy',
      startTime: '2024-01-02T00:00:00.000Z',
    });
    const a = await repo.startAttempt({
      ...r2,
      nodeId: 'a',
      startTime: '2024-01-02T00:00:01.000Z',
      status: 'running',
    });
    await repo.finishAttempt(a, {
      status: 'nok',
      endTime: '2024-01-02T00:00:02.000Z',
      durationMs: 1000,
      exitCode: 3,
    });
    await repo.finishRun(r2, {
      status: 'aborted',
      endTime: '2024-01-02T00:00:03.000Z',
      nodesOk: 0,
      nodesNok: 1,
      nodesSkipped: 0,
    });
    // deploy run 3: b skipped, still running.
    const r3 = await repo.createRun({
      ...base,
      workflowName: 'deploy',
      startTime: '2024-01-03T00:00:00.000Z',
    });
    await repo.startAttempt({ ...r3, nodeId: 'b', startTime: '2024-01-03T00:00:01.000Z', status: 'skipped' });
    // failover run 1: running, no attempts.
    await repo.createRun({ ...base, workflowName: 'failover', startTime: '2024-01-04T00:00:00.000Z' });
    return repo;
  }

  it('lists workflows by name with run counts by status and the latest run', async () => {
    const repo = await seeded();
    try {
      const workflows = await repo.listWorkflows();
      expect(workflows.map((w) => [w.workflowName, w.runCount, w.runsByStatus, w.latestRun.runId])).toEqual([
        ['deploy', 3, { running: 1, ok: 1, nok: 0, aborted: 1 }, 3],
        ['failover', 1, { running: 1, ok: 0, nok: 0, aborted: 0 }, 1],
      ]);
      expect(workflows[0]?.latestRun).toMatchObject({
        status: 'running',
        startTime: '2024-01-03T00:00:00.000Z',
      });
    } finally {
      await repo.close();
    }
  });

  it('counts each node by its latest attempt in each run', async () => {
    const repo = await seeded();
    try {
      expect(await repo.nodeStatusCounts('deploy')).toEqual([
        { nodeId: 'a', runs: 2, attempts: 2, runsByStatus: { running: 0, ok: 1, nok: 1, skipped: 0 } },
        { nodeId: 'b', runs: 2, attempts: 3, runsByStatus: { running: 0, ok: 1, nok: 0, skipped: 1 } },
      ]);
      expect(await repo.nodeStatusCounts('failover')).toEqual([]);
    } finally {
      await repo.close();
    }
  });

  it('lists runs newest first and shows one run with its executions in order', async () => {
    const repo = await seeded();
    try {
      expect((await repo.listRuns('deploy')).map((run) => [run.runId, run.status])).toEqual([
        [3, 'running'],
        [2, 'aborted'],
        [1, 'ok'],
      ]);
      expect(await repo.listRuns('nothing')).toEqual([]);
      const run = await repo.getRunWithExecutions('deploy', 1);
      expect(run?.attempts.map((e) => `${e.nodeId}#${e.attempt}:${e.status}`)).toEqual([
        'a#1:ok',
        'b#1:nok',
        'b#2:ok',
      ]);
      expect(await repo.getRunWithExecutions('deploy', 9)).toBeUndefined();
    } finally {
      await repo.close();
    }
  });

  it('reports the path, size and schema version', async () => {
    const repo = await seeded();
    try {
      const info = await repo.databaseInfo();
      expect(info.path).toBe(repo.path);
      expect(info.path.endsWith('run.db')).toBe(true);
      expect(info.sizeBytes).toBeGreaterThan(4096);
      expect(info.sizeBytes % 4096).toBe(0);
      expect(info.schemaVersion).toBe(SCHEMA_VERSION);
    } finally {
      await repo.close();
    }
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
      expect(tables).toEqual(['executions', 'run_answers', 'runs']);
    } finally {
      raw.close();
    }
  });
});
