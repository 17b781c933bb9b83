// Approval gates on a shared PostgreSQL history (SPEC §10.2): the built binary against the test server of
// packages/postgres/test/global-setup.ts, each decision from its own process with its own PLAYBOOK_OPERATOR, as
// people on different hosts would; decisions at the same moment are each recorded exactly once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBuilt, makeSandbox, runCli, type Sandbox, startCli } from './fixtures-run/e2e.js';
import { admin } from './fixtures-run/postgres-admin.js';

const GATE = (min: number) => `
[build]
type = "Command"
command_name = "echo built"

[gate]
type = "Manual"
prompt = "Approve the release"
depends_on = ["build"]
approval = { approvers = ["alice", "bob"], min = ${min}, not_starter = true }

[ship]
type = "Command"
command_name = "echo shipped"
depends_on = ["gate"]
`;

let schema = '';
let stateUrl = '';
let box: Sandbox;

/** `playbook <args> --state-url …` as `operator`. */
const as = (operator: string) => ({ env: { PLAYBOOK_OPERATOR: operator }, statePath: null });
const shared = (...args: string[]) => [...args, '--state-url', stateUrl];

beforeAll(async () => {
  ensureBuilt();
  schema = `approvals_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const url = new URL(inject('postgresUrl'));
  url.searchParams.set('options', `-c search_path=${schema}`);
  stateUrl = url.toString();
  box = await makeSandbox();
}, 180_000);

afterAll(async () => {
  if (schema !== '') await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

describe('approval gates on PostgreSQL (built binary, a real server)', () => {
  it('a run started by one operator is approved by two others from their own processes, then resumed', async () => {
    const file = await box.runbook('release', 'Release', GATE(2));
    const run = await runCli(box, shared('run', file, '--non-interactive'), as('dave'));
    expect(run.code, run.stderr).toBe(3);
    expect(run.stdout).toContain('playbook approve Release 1 gate');

    const starter = await runCli(box, shared('approve', 'Release', '1'), as('dave'));
    expect(starter.code).toBe(1);
    const alice = await runCli(box, shared('approve', 'Release', '1', '--note', 'checked'), as('alice'));
    expect(alice.code, alice.stderr).toBe(0);
    expect(alice.stdout).toContain('1 of 2 approvals; the run keeps waiting.');
    const early = await runCli(box, shared('resume', file, '--non-interactive'), as('erin'));
    expect(early.code).toBe(3);
    expect(early.stderr).toContain('approved so far: alice');

    const bob = await runCli(box, shared('approve', 'Release', '1', '--resume', file), as('bob'));
    expect(bob.code, bob.stderr).toBe(0);
    expect(await admin(`select status from ${schema}.runs`)).toEqual([{ status: 'ok' }]);
    const rows = await admin(
      `select who, decision, note, db_user from ${schema}.approvals where workflow_name = 'Release' order by seq`,
    );
    expect(rows).toEqual([
      { who: 'alice', decision: 'approve', note: 'checked', db_user: 'postgres' },
      { who: 'bob', decision: 'approve', note: null, db_user: 'postgres' },
    ]);
    const verify = await runCli(box, shared('verify', 'Release'), { statePath: null });
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('two approvers at the same moment: exactly one decision each, the gate decided once', async () => {
    // Two approvals needed: whichever commits first, the other's is the one that opens the gate. (With one
    // needed, a decision that comes after the gate opened is refused as not waiting; the contract suite checks
    // two decisions inside the same instant, where both are kept.)
    const file = await box.runbook('race', 'Race', GATE(2));
    expect((await runCli(box, shared('run', file, '--non-interactive'), as('dave'))).code).toBe(3);
    const both = await Promise.all([
      startCli(box, shared('approve', 'Race', '1', 'gate', '--note', 'a'), { ...as('alice'), stdin: null })
        .done,
      startCli(box, shared('approve', 'Race', '1', 'gate', '--note', 'b'), { ...as('bob'), stdin: null })
        .done,
    ]);
    for (const result of both) expect(result.code, result.stderr).toBe(0);
    const rows = await admin(`select who from ${schema}.approvals where workflow_name = 'Race' order by who`);
    expect(rows).toEqual([{ who: 'alice' }, { who: 'bob' }]);
    const gate = await admin(
      `select attempt, status, operator_decision from ${schema}.executions where workflow_name = 'Race' and node_id = 'gate'`,
    );
    expect(gate).toEqual([{ attempt: 1, status: 'ok', operator_decision: 'approved' }]);
  });

  it('the same person twice at the same moment: one decision recorded, the other refused', async () => {
    const file = await box.runbook('twice', 'Twice', GATE(2));
    expect((await runCli(box, shared('run', file, '--non-interactive'), as('dave'))).code).toBe(3);
    const both = await Promise.all(
      [1, 2].map(
        (n) =>
          startCli(box, shared('approve', 'Twice', '1', 'gate', '--note', `try ${n}`), {
            ...as('alice'),
            stdin: null,
          }).done,
      ),
    );
    expect(both.map((result) => result.code).sort()).toEqual([0, 1]);
    expect(both.find((result) => result.code === 1)?.stderr).toContain(
      'alice already approved "gate": one decision per person',
    );
    const rows = await admin(`select who from ${schema}.approvals where workflow_name = 'Twice'`);
    expect(rows).toEqual([{ who: 'alice' }]);
  });
});
