import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers.js';
import { seedHistory } from './history.js';

let dir: string;
let cleanup: () => Promise<void>;
let db: string;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  db = join(dir, 'state', 'run.db');
});
afterEach(() => cleanup());

describe('playbook info', () => {
  it('says there is no history yet and does not create the state file', async () => {
    const result = await runCli(['--state-path', db, 'info'], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`No run history yet: ${db} does not exist`);
    await expect(stat(db)).rejects.toThrow();
    const json = await runCli(['info', '--json'], { cwd: dir, env: { PLAYBOOK_STATE_PATH: db } });
    expect(JSON.parse(json.stdout)).toEqual({ database: { path: db, exists: false }, workflows: [] });
  });

  it('shows the database, runs by status per workflow and node counts', async () => {
    await seedHistory(db);
    const result = await runCli(['info', '--state-path', db], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Database\\s+${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(result.stdout).toMatch(/Size\s+\d+(\.\d)? (B|KiB|MiB)/);
    expect(result.stdout).toMatch(/WORKFLOW\s+RUNS\s+OK\s+NOK\s+ABORTED\s+RUNNING\s+WAITING\s+LATEST RUN/);
    expect(result.stdout).toMatch(/Deploy\s+2\s+1\s+1\s+0\s+0\s+0\s+#2 ok 2025-05-04T09:00:00\.000Z/);
    expect(result.stdout).toMatch(/Other\s+1\s+0\s+0\s+1\s+0\s+0\s+#1 aborted/);
    expect(result.stdout).toContain('Nodes of Deploy');
    // build: 2 runs (ok in both: its latest attempt in run 1 is ok), 3 attempts.
    expect(result.stdout).toMatch(/build\s+2\s+3\s+2\s+0\s+0\s+0/);
    expect(result.stdout).toMatch(/approve\s+2\s+2\s+1\s+1\s+0\s+0/);
    expect(result.stdout).toMatch(/notify\s+1\s+1\s+0\s+0\s+1\s+0/);
  });

  it('--json has the same content', async () => {
    await seedHistory(db);
    const result = await runCli(['info', '--json', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(0);
    const info = JSON.parse(result.stdout);
    expect(info.database).toMatchObject({ path: db, exists: true, schemaVersion: expect.any(Number) });
    expect(info.database.sizeBytes).toBeGreaterThan(0);
    const deploy = info.workflows.find((w: { workflowName: string }) => w.workflowName === 'Deploy');
    expect(deploy).toMatchObject({
      runCount: 2,
      runsByStatus: { ok: 1, nok: 1, aborted: 0, running: 0, waiting: 0 },
      latestRun: { runId: 2, status: 'ok' },
    });
    expect(deploy.nodes).toContainEqual({
      nodeId: 'build',
      runs: 2,
      attempts: 3,
      runsByStatus: { ok: 2, nok: 0, skipped: 0, running: 0 },
    });
  });

  it('--workflow shows that workflow alone, in text and JSON', async () => {
    await seedHistory(db);
    const result = await runCli(['info', '--workflow', 'Other', '--state-path', db], { cwd: dir });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Other\s+1\s+0\s+0\s+1\s+0\s+0\s+#1 aborted/);
    expect(result.stdout).toContain('Nodes of Other');
    expect(result.stdout).not.toContain('Deploy');
    const json = await runCli(['info', '--json', '--workflow', 'Deploy', '--state-path', db], { cwd: dir });
    const names = JSON.parse(json.stdout).workflows.map((w: { workflowName: string }) => w.workflowName);
    expect(names).toEqual(['Deploy']);
  });

  it('--workflow of a workflow without runs is a clear error naming the known ones, exit 1', async () => {
    await seedHistory(db);
    const result = await runCli(['info', '--workflow', 'Deplyo', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: no runs of workflow "Deplyo" in ${db} (known workflows: "Deploy", "Other")\n`,
    );
  });

  it('--ddl prints the schema without touching any database', async () => {
    const result = await runCli(['info', '--ddl', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('CREATE TABLE runs');
    expect(result.stdout).toContain('CREATE TABLE executions');
    await expect(stat(db)).rejects.toThrow();
    const json = await runCli(['info', '--ddl', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).ddl).toContain('CREATE TABLE runs');
  });
});

describe('playbook show', () => {
  it('lists the runs of a workflow, newest first', async () => {
    await seedHistory(db);
    const result = await runCli(['--state-path', db, 'show', 'Deploy'], { cwd: dir });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const header = lines.findIndex((l) =>
      /^RUN\s+STARTED\s+ENDED\s+STATUS\s+OK\s+NOK\s+SKIPPED\s+TRIGGER$/.test(l),
    );
    expect(header).toBeGreaterThanOrEqual(0);
    expect(lines[header + 1]).toMatch(
      /^\s*2\s+2025-05-04T09:00:00\.000Z\s+2025-05-04T09:05:00\.000Z\s+ok\s+2\s+0\s+1\s+run$/,
    );
    expect(lines[header + 2]).toMatch(/^\s*1\s+2025-05-03T12:00:00\.000Z\s+\S+\s+nok\s+1\s+1\s+0\s+run$/);
  });

  it('--run-id shows the run and its attempts in order', async () => {
    await seedHistory(db);
    const result = await runCli(['show', 'Deploy', '--run-id', '1', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Status\s+nok/);
    const rows = result.stdout.split('\n').filter((l) => /^(build|approve|notify)\s/.test(l));
    expect(rows).toHaveLength(3);
    // BY is `-`: the seeded history records no identity (as a history written before they were recorded).
    expect(rows[0]).toMatch(/^build\s+1\s+nok\s+-\s+-\s+1\.5s\s+2025-05-03T12:00:01\.000Z\s+2$/);
    expect(rows[1]).toMatch(/^build\s+2\s+ok\s+retry\s+-\s+1\.5s\s+\S+\s+0$/);
    expect(rows[2]).toMatch(/^approve\s+1\s+nok\s+nok\s+-\s+1\.5s\s+\S+\s+-$/);
    expect(result.stdout).toContain('approve#1: not today');
  });

  it('--json includes the captured output', async () => {
    await seedHistory(db);
    const list = JSON.parse(
      (await runCli(['show', 'Deploy', '--json', '--state-path', db], { cwd: dir })).stdout,
    );
    expect(list.runs.map((r: { runId: number }) => r.runId)).toEqual([2, 1]);
    const result = await runCli(['show', 'Deploy', '--run-id', '1', '--json', '--state-path', db], {
      cwd: dir,
    });
    expect(result.code).toBe(0);
    const shown = JSON.parse(result.stdout);
    expect(shown.run).toMatchObject({ workflowName: 'Deploy', runId: 1, status: 'nok' });
    expect(shown.executions[0]).toMatchObject({
      nodeId: 'build',
      attempt: 1,
      status: 'nok',
      exitCode: 2,
      stdout: 'compiling\n',
      stderr: 'boom\n',
      durationMs: 1500,
    });
  });

  it('an unknown workflow is a clear error naming the known ones, exit 1', async () => {
    await seedHistory(db);
    const result = await runCli(['show', 'Nope', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: no runs of workflow "Nope" in ${db} (known workflows: "Deploy", "Other")\n`,
    );
  });

  it('an unknown run id is a clear error listing the runs, exit 1', async () => {
    await seedHistory(db);
    const result = await runCli(['show', 'Deploy', '--run-id', '7', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: workflow "Deploy" has no run 7 (its runs: 1, 2)\n');
  });

  it('without a state file: a clear error, exit 1, nothing created', async () => {
    const result = await runCli(['show', 'Deploy', '--state-path', db], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`error: no run history yet: ${db} does not exist\n`);
    await expect(stat(db)).rejects.toThrow();
  });
});
