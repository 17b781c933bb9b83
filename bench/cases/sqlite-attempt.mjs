// Cost of one attempt (start + finish) through SqliteRunRepository on a file database, against the same two
// writes made with raw better-sqlite3 prepared statements on the same kind of file with the same pragmas.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { openSqliteRunRepository } from '../../packages/sqlite/dist/index.js';
import { median, scratchDir } from '../lib.mjs';

const require = createRequire(new URL('../../packages/sqlite/package.json', import.meta.url));
const Database = require('better-sqlite3');

export const title = 'SQLite attempts';
const SYNCHRONOUS = 'NORMAL';

async function repositoryAttempts(path, count) {
  const repo = await openSqliteRunRepository(path);
  const run = await repo.createRun({
    workflowName: 'bench',
    startTime: new Date().toISOString(),
    owner: { host: 'bench', pid: process.pid, processGroup: null },
    runbookHash: null,
    nodeIds: ['n'],
  });
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    const attempt = await repo.startAttempt({
      workflowName: 'bench',
      runId: run.runId,
      nodeId: `n${i % 50}`,
      startTime: new Date().toISOString(),
      status: 'running',
    });
    await repo.finishAttempt(attempt, {
      status: 'ok',
      endTime: new Date().toISOString(),
      durationMs: 1,
      stdout: 'hello\n',
      stderr: '',
      exitCode: 0,
    });
    samples.push(performance.now() - start);
  }
  await repo.close();
  return median(samples);
}

function rawAttempts(path, count, synchronous) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(`CREATE TABLE executions (workflow_name TEXT, run_id INTEGER, node_id TEXT, attempt INTEGER,
    start_time TEXT, end_time TEXT, status TEXT, stdout TEXT, stderr TEXT, exit_code INTEGER, duration_ms INTEGER,
    PRIMARY KEY (workflow_name, run_id, node_id, attempt))`);
  const insert = db.prepare(
    `INSERT INTO executions (workflow_name, run_id, node_id, attempt, start_time, status)
     VALUES ('bench', 1, ?, ?, ?, 'running')`,
  );
  const update = db.prepare(
    `UPDATE executions SET status = 'ok', end_time = ?, stdout = ?, stderr = '', exit_code = 0, duration_ms = 1
     WHERE workflow_name = 'bench' AND run_id = 1 AND node_id = ? AND attempt = ?`,
  );
  const samples = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    db.transaction(() => insert.run(`n${i % 50}`, i, new Date().toISOString())).immediate();
    db.transaction(() => update.run(new Date().toISOString(), 'hello\n', `n${i % 50}`, i)).immediate();
    samples.push(performance.now() - start);
  }
  db.close();
  return { ms: median(samples) };
}

export async function bench({ quick }) {
  const dir = scratchDir('sqlite');
  const count = quick ? 300 : 2_000;
  const repoMs = await repositoryAttempts(join(dir, 'repo.db'), count);
  // The same synchronous mode as the repository's connections (see packages/sqlite, open-sqlite-run-repository).
  const raw = rawAttempts(join(dir, 'raw.db'), count, SYNCHRONOUS);
  return [
    {
      measure: 'one attempt (start + finish), SqliteRunRepository',
      baseline: `raw better-sqlite3, two transactions (synchronous=${SYNCHRONOUS})`,
      baselineMs: raw.ms,
      candidateMs: repoMs,
      ratio: repoMs / raw.ms,
      target: null,
      note: `median ${repoMs.toFixed(3)} ms per attempt; aim < 0.2 ms`,
    },
  ];
}
