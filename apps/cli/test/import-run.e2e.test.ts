// A runbook written in the Python prototype's format, with `node:success` / `node:failure` dependencies and Jinja
// `when` conditions, converted by `playbook import` and run for real (real commands, a real state file): it takes
// the branches the prototype documents — a rollback only when the deploy failed, the success or the failure
// cleanup, and the final step after either — and skips what the conditions rule out.
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

const PROTOTYPE = `[variables]
ENV = { default = "dev", choices = ["dev", "prod"] }
DEPLOY_EXIT = { default = 0, type = "int" }
SKIP_TESTS = { default = false, type = "bool" }

[runbook]
title = "Branches"
description = "the prototype's conditional dependencies example, with real commands"
version = "1.0.0"
author = "tests"
created_at = "2025-01-20T12:00:00Z"

[build]
type = "Command"
command_name = "echo built"
depends_on = []

[test]
type = "Command"
command_name = "echo tested"
when = "{{ not SKIP_TESTS and has_succeeded('build') }}"

[security_scan]
type = "Command"
command_name = "echo scanned"
depends_on = ["build"]
when = "{{ ENV == 'prod' }}"

[deploy]
type = "Command"
command_name = "echo deploying to {{ ENV }}; exit {{ DEPLOY_EXIT }}"
depends_on = ["test", "security_scan", "build:success"]

[rollback]
type = "Command"
command_name = "echo rolled back"
depends_on = ["deploy:failure"]

[cleanup_success]
type = "Command"
command_name = "echo cleanup after success"
depends_on = ["deploy:success"]

[cleanup_failure]
type = "Command"
command_name = "echo cleanup after failure"
depends_on = ["deploy:failure", "rollback:success"]

[notify]
type = "Command"
command_name = "echo notified"
depends_on = ["cleanup_success", "cleanup_failure"]
`;

let box: Sandbox;

beforeAll(async () => {
  ensureBuilt();
  box = await makeSandbox();
  await writeFile(box.path('branches.playbook.toml'), PROTOTYPE);
  const imported = await runCli(box, ['import', 'branches.playbook.toml']);
  expect(imported.code, imported.stderr).toBe(0);
}, 180_000);

async function statuses(runId: number): Promise<Record<string, string>> {
  const state = await loadRun(box, 'Branches', runId);
  const ids = [
    'build',
    'test',
    'security_scan',
    'deploy',
    'rollback',
    'cleanup_success',
    'cleanup_failure',
    'notify',
  ];
  return Object.fromEntries(ids.map((id) => [id, attemptsOf(state, id).join(',') || 'pending']));
}

describe('a converted runbook of the prototype, run end to end', () => {
  it('deploy succeeds: no rollback, the success cleanup, then notify; conditions skip the rest', async () => {
    const run = await runCli(box, ['run', 'branches.imported.playbook.toml', '--non-interactive']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(await statuses(1)).toEqual({
      build: 'ok',
      test: 'ok',
      security_scan: 'skipped/condition',
      deploy: 'ok',
      rollback: 'skipped/run_if',
      cleanup_success: 'ok',
      cleanup_failure: 'skipped/condition',
      notify: 'ok',
    });
    expect(run.stdout).toContain('deploying to dev');
  }, 60_000);

  it('deploy fails: the rollback, the failure cleanup and notify run; the run ends nok', async () => {
    const run = await runCli(box, [
      'run',
      'branches.imported.playbook.toml',
      '--non-interactive',
      '--var',
      'DEPLOY_EXIT=3',
      '--var',
      'ENV=prod',
      '--var',
      'SKIP_TESTS=true',
    ]);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(await statuses(2)).toEqual({
      build: 'ok',
      test: 'skipped/condition',
      security_scan: 'ok',
      deploy: 'nok',
      rollback: 'ok',
      cleanup_success: 'skipped/condition',
      cleanup_failure: 'ok',
      notify: 'ok',
    });
    expect(run.stdout).toContain('rolled back');
    expect(run.stdout).toContain('cleanup after failure');
  }, 60_000);
});
