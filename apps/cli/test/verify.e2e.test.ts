import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawDatabase, removeSandboxes } from './faults/support.js';
import { ensureBuilt, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

// `playbook verify` (SPEC §10.3) through the built binary on real SQLite files: an intact history, a row someone
// deleted or whose stdout someone edited, an edited log, and runs written before the log existed.

const HEAD = /head ([0-9a-f]{64})/;

async function history(): Promise<{ box: Sandbox; file: string }> {
  const box = await makeSandbox();
  const file = await box.runbook(
    'audited',
    'Audited',
    `
[build]
type = "Command"
command_name = "echo building; test -f go"

[ship]
type = "Command"
command_name = "echo shipped"
depends_on = ["build"]
`,
  );
  return { box, file };
}

/** A history of `runs` runs that ended ok, then changed by `sql` as someone with the file could. */
async function tampered(runs: number, sql: string): Promise<Sandbox> {
  const { box, file } = await history();
  writeFileSync(join(box.dir, 'go'), '');
  for (let run = 0; run < runs; run++) {
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(0);
  }
  const db = rawDatabase(box.statePath);
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
  return box;
}

describe('playbook verify (built binary, real SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('finds an untouched history intact and prints each run’s head hash; a resume extends the chain', async () => {
    const { box, file } = await history();
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    const first = await runCli(box, ['verify', 'Audited']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^run 1: intact · \d+ entries · head [0-9a-f]{64}\n$/);
    writeFileSync(join(box.dir, 'go'), '');
    expect((await runCli(box, ['resume', file, '1', '--non-interactive'])).code).toBe(0);
    const again = await runCli(box, ['verify', 'Audited', '--run-id', '1']);
    expect(again.code, again.stderr).toBe(0);
    // The head moved on: the resume appended to the same chain.
    expect(HEAD.exec(again.stdout)?.[1]).not.toBe(HEAD.exec(first.stdout)?.[1]);
  });

  it('covers inputs, step outputs, ordered output lines and re-runs: intact, then an edit to each is named', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'v2',
      'Audited v2',
      `
[runbook.inputs.target]
type = "string"
default = "prod"

[build]
type = "Command"
command_name = 'echo out; echo err >&2; echo version=1.2.3 >> "$PLAYBOOK_OUTPUT"'
outputs = ["version"]
`,
    );
    const first = await runCli(box, ['run', file, '--non-interactive']);
    expect(first.code, first.stderr).toBe(0);
    const rerun = await runCli(box, [
      'resume',
      file,
      '1',
      '--node',
      'build',
      '--only',
      '--reason',
      'check',
      '--non-interactive',
    ]);
    expect(rerun.code, rerun.stderr).toBe(0);
    const intact = await runCli(box, ['verify', 'Audited v2']);
    expect(intact.code, intact.stdout + intact.stderr).toBe(0);
    const edits: [string, RegExp][] = [
      ['update run_inputs set value = \'"staging"\'', /the runs row was changed: its inputs/],
      [
        "update attempt_outputs set value = '6.6.6' where attempt = 1",
        /executions row build#1 was changed: its outputs/,
      ],
      [
        "update executions set output_lines = replace(output_lines, 'err', 'ok!') where attempt = 1",
        /executions row build#1 was changed: its output_lines/,
      ],
      ["update run_reruns set reason = 'routine'", /run_reruns row 1 was changed: its reason/],
    ];
    for (const [sql, problem] of edits) {
      const copyPath = `${box.statePath}.edit`;
      const db = rawDatabase(box.statePath);
      try {
        db.exec(`vacuum into '${copyPath}'`);
      } finally {
        db.close();
      }
      const edited = rawDatabase(copyPath);
      try {
        edited.exec(sql);
      } finally {
        edited.close();
      }
      const broken = await runCli(box, ['verify', 'Audited v2'], { statePath: copyPath });
      expect(broken.code, sql).toBe(1);
      expect(broken.stdout, sql).toMatch(problem);
      rmSync(copyPath);
    }
  });

  it('names an executions row whose stdout was edited, and one that was deleted: exit 1', async () => {
    const box = await tampered(
      2,
      `update executions set stdout = 'all fine\n' where run_id = 1 and node_id = 'build';
      delete from executions where run_id = 2 and node_id = 'ship';`,
    );
    const result = await runCli(box, ['verify', 'Audited']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^run 1: BROKEN: executions row build#1 was changed: its stdout is not what audit entry \d+ recorded · head [0-9a-f]{64} \(as stored\)$/,
    );
    expect(lines[1]).toMatch(
      /^run 2: BROKEN: executions row ship#1 was removed \(audit entry \d+ wrote it\)/,
    );
  });

  it('names a run whose runs row was deleted, and one deleted with its whole log: exit 1', async () => {
    // The rows go, whatever refers to them.
    const box = await tampered(
      3,
      `pragma foreign_keys = off; delete from runs where run_id in (1, 2);
      delete from executions where run_id = 2; delete from audit_log where run_id = 2;`,
    );
    // Before, both went unnoticed: `verify` checked only the runs it found and said the workflow was intact.
    const result = await runCli(box, ['verify', 'Audited']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^run 1: BROKEN: the runs row was removed \(audit entry 1 wrote it\) · head [0-9a-f]{64} \(as stored\)$/,
    );
    expect(lines[1]).toBe(
      'run 2: BROKEN: the run was removed: its runs row and its audit log are gone · no head',
    );
    expect(lines[2]).toMatch(/^run 3: intact · /);
    const one = await runCli(box, ['verify', 'Audited', '--run-id', '1']);
    expect(one.code).toBe(1);
    expect(one.stdout).toMatch(/^run 1: BROKEN: the runs row was removed/);
  });

  it('names an audit entry that was edited or deleted', async () => {
    const box = await tampered(
      2,
      `update audit_log set entry = replace(entry, '"ok"', '"nok"') where run_id = 1 and seq = 4;
      delete from audit_log where run_id = 2 and seq = 3;`,
    );
    const result = await runCli(box, ['verify', 'Audited']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      'run 1: BROKEN: audit entry 4 was changed: its text no longer has its hash',
    );
    expect(result.stdout).toContain('run 2: BROKEN: audit entry 3 was removed');
  });

  it('reports runs written before the log as unchained, and chains one from a snapshot once it is resumed', async () => {
    const { box, file } = await history();
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    // Back to the schema before the audit log (version 8), as a database written by the previous release: the
    // audit log's tables and those of every later version go, the index version 10 dropped comes back.
    const db = rawDatabase(box.statePath);
    try {
      db.exec(`drop table audit_log; drop table audit_unchained; drop table node_status_counts;
        drop table run_process_groups; drop table approvals;
        create index executions_by_workflow_node on executions (workflow_name, node_id);
        delete from kysely_migration where name >= '0009';`);
    } finally {
      db.close();
    }
    // The next run upgrades the file: run 1 predates the log, run 2 does not.
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    const before = await runCli(box, ['verify', 'Audited']);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(
      /^run 1: unchained \(written before the audit log existed\)\nrun 2: intact · \d+ entries · head [0-9a-f]{64}\n$/,
    );
    writeFileSync(join(box.dir, 'go'), '');
    expect((await runCli(box, ['resume', file, '1', '--non-interactive'])).code).toBe(0);
    const after = await runCli(box, ['verify', 'Audited', '--run-id', '1']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toMatch(/^run 1: intact · \d+ entries · head [0-9a-f]{64}\n$/);
  });

  it('passes over a run id missing from before the audit log existed: a gap nobody can vouch for is no removal', async () => {
    const { box, file } = await history();
    for (let i = 0; i < 3; i++) expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    // A history from before the audit log (as in the test above) whose run 2 was deleted back then.
    const db = rawDatabase(box.statePath);
    try {
      db.pragma('foreign_keys = OFF');
      db.exec(`drop table audit_log; drop table audit_unchained; drop table node_status_counts;
        drop table run_process_groups; drop table approvals;
        create index executions_by_workflow_node on executions (workflow_name, node_id);
        delete from kysely_migration where name >= '0009';
        delete from executions where run_id = 2; delete from runs where run_id = 2;`);
    } finally {
      db.close();
    }
    expect((await runCli(box, ['run', file, '--non-interactive'])).code).toBe(1);
    const result = await runCli(box, ['verify', 'Audited']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(
      /^run 1: unchained \(written before the audit log existed\)\nrun 2: not in the history, from before the audit log existed \(not checked\)\nrun 3: unchained \(written before the audit log existed\)\nrun 4: intact · \d+ entries · head [0-9a-f]{64}\n$/,
    );
  });

  it('refuses an unknown workflow or run with one line, exit 1', async () => {
    const { box, file } = await history();
    await runCli(box, ['run', file, '--non-interactive']);
    const unknown = await runCli(box, ['verify', 'Nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^error: no runs of workflow "Nope" in .* \(known workflows: "Audited"\)\n$/,
    );
    const missing = await runCli(box, ['verify', 'Audited', '--run-id', '7']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('error: workflow "Audited" has no run 7\n');
  });
});
