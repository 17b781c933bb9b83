import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/migrations.js';
import { openPostgresRunRepository } from '../src/open-postgres-run-repository.js';
import { schemaDdl } from '../src/postgres-dialect.js';
import type { PostgresRunRepository } from '../src/postgres-run-repository.js';
import { redactUrl } from '../src/redact-url.js';
import { StateDatabaseError } from '../src/state-database-error.js';
import { adminQuery, dropSchema, freshSchema } from './schemas.js';

const schemas: string[] = [];
const opened: PostgresRunRepository[] = [];

async function schema(): Promise<{ schema: string; url: string }> {
  const fresh = await freshSchema();
  schemas.push(fresh.schema);
  return fresh;
}

async function open(url: string, options: Parameters<typeof openPostgresRunRepository>[1] = {}) {
  const repository = await openPostgresRunRepository(url, options);
  opened.push(repository);
  return repository;
}

afterEach(async () => {
  for (const repository of opened.splice(0)) await repository.close();
  for (const name of schemas.splice(0)) await dropSchema(name);
});

const OWNER = { host: 'host-a', pid: 4242, processGroup: null };
const T0 = '2024-05-01T10:00:00.000Z';

function runInput(workflowName: string, owner = OWNER) {
  return { workflowName, startTime: T0, owner, runbookHash: null, nodeIds: ['a', 'b'] };
}

async function thrown(promise: Promise<unknown>): Promise<StateDatabaseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StateDatabaseError);
  return error as StateDatabaseError;
}

describe('openPostgresRunRepository', () => {
  it('creates the contract tables with their columns, and migrating again changes nothing', async () => {
    const { schema: name, url } = await schema();
    await (await open(url)).close();
    const columns = await adminQuery<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns
       where table_schema = $1 and table_name in ('runs', 'executions') order by table_name, ordinal_position`,
      [name],
    );
    const of = (table: string) => columns.filter((c) => c.table_name === table).map((c) => c.column_name);
    expect(of('runs').slice(0, 9)).toEqual([
      'workflow_name',
      'run_id',
      'start_time',
      'end_time',
      'status',
      'nodes_ok',
      'nodes_nok',
      'nodes_skipped',
      'trigger',
    ]);
    expect(of('executions').slice(0, 14)).toEqual([
      'workflow_name',
      'run_id',
      'node_id',
      'attempt',
      'start_time',
      'end_time',
      'status',
      'operator_decision',
      'result_text',
      'exit_code',
      'exception',
      'stdout',
      'stderr',
      'duration_ms',
    ]);
    expect(columns.find((c) => c.column_name === 'run_id')?.data_type).toBe('integer');
    expect(columns.find((c) => c.column_name === 'start_time')?.data_type).toBe('text');

    const repo = await open(url);
    await repo.createRun(runInput('deploy'));
    await repo.close();
    // Opened again (and again at once): no migration re-runs, the data stays.
    await Promise.all([open(url), open(url)]);
    const migrations = await adminQuery(`select name from ${name}.kysely_migration order by name`);
    expect(migrations.map((m) => m.name)).toEqual(Object.keys(MIGRATIONS).sort());
    expect(migrations.map((m) => m.name)).toEqual([
      '0001_contract_tables',
      '0002_engine_state',
      '0003_run_node_ids',
      '0004_run_reruns',
      '0005_attempt_outputs',
      '0006_run_inputs',
      '0007_output_lines',
      '0008_identity',
      '0009_audit_log',
      '0010_node_status_counts',
      '0011_run_process_groups',
      '0012_approvals',
    ]);
    const again = await open(url);
    expect((await again.databaseInfo()).schemaVersion).toBe(SCHEMA_VERSION);
    expect((await again.listRuns('deploy')).map((r) => r.runId)).toEqual([1]);
  });

  it('records the database role (session_user) with every identity it is given (SPEC §10.1)', async () => {
    const { url } = await schema();
    const role = new URL(url).username;
    const repo = await open(url);
    const by = { operator: 'alice', osUser: 'ops@host-a' };
    const run = await repo.createRun({
      ...runInput('deploy'),
      by,
      session: { kind: 'run', at: T0, by, flags: [], runbookHash: null },
    });
    await repo.startAttempt({ ...run, nodeId: 'a', startTime: T0, status: 'running', by });
    const state = await repo.loadRun(run);
    expect(state?.run.startedBy).toEqual({ ...by, dbUser: role });
    expect(state?.attempts[0]?.by).toEqual({ ...by, dbUser: role });
    expect(state?.sessions?.[0]?.by).toEqual({ ...by, dbUser: role });
  });

  it('refuses a schema written by a newer Playbook, changing nothing', async () => {
    const { schema: name, url } = await schema();
    await (await open(url)).close();
    await adminQuery(`insert into ${name}.kysely_migration (name, timestamp) values ('0099_future', 'now')`);
    const error = await thrown(openPostgresRunRepository(url));
    expect(error.code).toBe('NEWER_SCHEMA');
    expect(error.message).toContain(
      `newer Playbook (schema version 99, this one knows up to ${SCHEMA_VERSION})`,
    );
  });

  it("refuses a schema whose runs table is not Playbook's, without altering it", async () => {
    const { schema: name, url } = await schema();
    await adminQuery(`create table ${name}.runs (id serial primary key)`);
    const error = await thrown(openPostgresRunRepository(url));
    expect(error.code).toBe('NOT_A_DATABASE');
    const columns = await adminQuery(
      `select column_name from information_schema.columns where table_schema = $1 and table_name = 'runs'`,
      [name],
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id']);
  });

  it('read-only, creates nothing: an empty schema is "no history yet"', async () => {
    const { schema: name, url } = await schema();
    const error = await thrown(openPostgresRunRepository(url, { readonly: true }));
    expect(error.message).toMatch(/no run history/);
    expect(
      await adminQuery(`select 1 from information_schema.tables where table_schema = $1`, [name]),
    ).toEqual([]);
  });

  it('names an unreachable server in one line, never its password', async () => {
    const url = 'postgres://alice:s3cret@127.0.0.1:1/nowhere';
    const error = await thrown(openPostgresRunRepository(url));
    expect(error.code).toBe('OPEN_FAILED');
    expect(error.url).toBe('postgres://alice:***@127.0.0.1:1/nowhere');
    expect(error.message).toContain('postgres://alice:***@127.0.0.1:1/nowhere');
    expect(error.message).not.toContain('s3cret');
    expect(error.message).not.toContain('\n');
  });
});

describe('redactUrl', () => {
  it('hides the password and only it', () => {
    expect(redactUrl('postgres://bob:pw@db.example:5432/runs?sslmode=require')).toBe(
      'postgres://bob:***@db.example:5432/runs?sslmode=require',
    );
    expect(redactUrl('postgres://db.example/runs?password=pw')).toBe(
      'postgres://db.example/runs?password=***',
    );
    expect(redactUrl('postgres://bob@db.example/runs')).toBe('postgres://bob@db.example/runs');
    expect(redactUrl('not a url://bob:pw@x')).not.toContain('pw');
  });
});

describe('history queries', () => {
  it('lists workflows, node counts by latest status, runs newest first, and the database', async () => {
    const { url } = await schema();
    const repo = await open(url);
    const first = await repo.createRun(runInput('deploy'));
    const a1 = await repo.startAttempt({ ...first, nodeId: 'a', startTime: T0, status: 'running' });
    await repo.finishAttempt(a1, { status: 'nok', endTime: T0, durationMs: 5 });
    const a2 = await repo.startAttempt({ ...first, nodeId: 'a', startTime: T0, status: 'running' });
    await repo.finishAttempt(a2, { status: 'ok', endTime: T0, durationMs: 3_000_000_000 });
    await repo.startAttempt({ ...first, nodeId: 'b', startTime: T0, status: 'skipped' });
    await repo.finishRun(first, { status: 'ok', endTime: T0, nodesOk: 1, nodesNok: 0, nodesSkipped: 1 });
    const second = await repo.createRun(runInput('deploy'));
    const b = await repo.startAttempt({ ...second, nodeId: 'a', startTime: T0, status: 'running' });
    await repo.finishAttempt(b, { status: 'nok', endTime: T0, durationMs: 1 });
    await repo.finishRun(second, { status: 'nok', endTime: T0, nodesOk: 0, nodesNok: 1, nodesSkipped: 0 });
    await repo.createRun(runInput('Backup'));

    const workflows = await repo.listWorkflows();
    expect(workflows.map((w) => [w.workflowName, w.runCount, w.latestRun.runId])).toEqual([
      ['Backup', 1, 1],
      ['deploy', 2, 2],
    ]);
    expect(workflows[1]?.runsByStatus).toEqual({ running: 0, ok: 1, nok: 1, aborted: 0, waiting: 0 });
    expect(await repo.nodeStatusCounts('deploy')).toEqual([
      { nodeId: 'a', runs: 2, attempts: 3, runsByStatus: { running: 0, ok: 1, nok: 1, skipped: 0 } },
      { nodeId: 'b', runs: 1, attempts: 1, runsByStatus: { running: 0, ok: 0, nok: 0, skipped: 1 } },
    ]);
    expect((await repo.listRuns('deploy')).map((r) => `${r.runId}:${r.status}`)).toEqual(['2:nok', '1:ok']);
    const shown = await repo.loadRun({ workflowName: 'deploy', runId: 1 });
    expect(shown?.attempts.map((x) => `${x.nodeId}#${x.attempt}:${x.status}:${x.durationMs}`)).toEqual([
      'a#1:nok:5',
      'a#2:ok:3000000000',
      'b#1:skipped:0',
    ]);
    const info = await repo.databaseInfo();
    expect(info.schemaVersion).toBe(SCHEMA_VERSION);
    expect(info.sizeBytes).toBeGreaterThan(0);
    expect(info.path).toMatch(/^postgres:\/\//);
  });

  it('counts the nodes of a database from before the node counts once when it upgrades it', async () => {
    const { schema: name, url } = await schema();
    const repo = await open(url);
    const run = await repo.createRun(runInput('deploy'));
    const a1 = await repo.startAttempt({ ...run, nodeId: 'a', startTime: T0, status: 'running' });
    await repo.finishAttempt(a1, { status: 'nok', endTime: T0, durationMs: 5 });
    await repo.startAttempt({ ...run, nodeId: 'a', startTime: T0, status: 'running' });
    await repo.startAttempt({ ...run, nodeId: 'b', startTime: T0, status: 'skipped' });
    const counted = await repo.nodeStatusCounts('deploy');
    await repo.close();
    await adminQuery(`drop table ${name}.node_status_counts`);
    await adminQuery(`drop table ${name}.approvals`);
    await adminQuery(
      `create index executions_by_workflow_node on ${name}.executions (workflow_name, node_id)`,
    );
    await adminQuery(`drop table ${name}.run_process_groups`);
    await adminQuery(`delete from ${name}.kysely_migration where name >= '0010'`);
    const again = await open(url);
    expect(await again.nodeStatusCounts('deploy')).toEqual(counted);
    expect(counted).toEqual([
      { nodeId: 'a', runs: 1, attempts: 2, runsByStatus: { running: 1, ok: 0, nok: 0, skipped: 0 } },
      { nodeId: 'b', runs: 1, attempts: 1, runsByStatus: { running: 0, ok: 0, nok: 0, skipped: 1 } },
    ]);
  });

  it('prints a DDL with the contract tables and the lease column', () => {
    const ddl = schemaDdl();
    expect(ddl).toContain('CREATE TABLE runs (');
    expect(ddl).toContain('CREATE TABLE executions (');
    expect(ddl).toContain('lease_expires_at');
  });
});

describe('owner leases', () => {
  const otherHost = { host: 'another-host', pid: 99, processGroup: null };

  it('a live owner renews its lease: the run is never expired while it is open', async () => {
    const { url } = await schema();
    const owner = await open(url, { leaseSeconds: 0.4, heartbeatMs: 80 });
    const other = await open(url);
    const run = await owner.createRun(runInput('deploy', otherHost));
    expect(await other.ownerLeaseExpired(run)).toBe(false);
    // Three lease lengths later, still held: the heartbeat renewed it.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await other.ownerLeaseExpired(run)).toBe(false);
  });

  it('an owner that stopped renewing (closed, crashed) lets the lease expire', async () => {
    const { url } = await schema();
    const owner = await open(url, { leaseSeconds: 0.3 });
    const other = await open(url);
    const run = await owner.createRun(runInput('deploy', otherHost));
    await owner.close();
    expect(await other.ownerLeaseExpired(run)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await other.ownerLeaseExpired(run)).toBe(true);
    // A run no longer held by that owner (ended, taken over) is not expired for it: nothing to recover.
    await other.finishRun(run, { status: 'aborted', endTime: T0, nodesOk: 0, nodesNok: 0, nodesSkipped: 0 });
    expect(await other.ownerLeaseExpired(run)).toBe(false);
  });

  it('a claim takes the lease; finishing the run stops renewing it', async () => {
    const { schema: name, url } = await schema();
    const repo = await open(url, { leaseSeconds: 1, heartbeatMs: 60 });
    const run = await repo.createRun(runInput('deploy'));
    await repo.finishRun(run, { status: 'nok', endTime: T0, nodesOk: 0, nodesNok: 1, nodesSkipped: 0 });
    const lease = async () =>
      (await adminQuery(`select lease_expires_at from ${name}.runs where run_id = 1`))[0]?.lease_expires_at;
    expect(await lease()).toBeNull();
    const me = { host: hostname(), pid: process.pid, processGroup: null };
    expect(
      await repo.claimRun({
        ...run,
        expectedStatus: 'nok',
        expectedOwner: null,
        owner: me,
        nodeIds: [],
        runbookHash: null,
      }),
    ).toBe(true);
    expect(await lease()).toBeInstanceOf(Date);
    await repo.finishRun(run, { status: 'ok', endTime: T0, nodesOk: 2, nodesNok: 0, nodesSkipped: 0 });
    expect(await lease()).toBeNull();
    // Heartbeats come and go: none writes a lease back onto the ended run.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await lease()).toBeNull();
  });
});
