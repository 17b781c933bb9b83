// Approval gates (SPEC §10.2, docs/approvals.md) end to end: the built binary against a real SQLite file, each
// command run as a different operator (PLAYBOOK_OPERATOR), every rule and every refusal of the issue.
import { writeFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { rawDatabase } from './faults/support.js';
import { attemptsOf, ensureBuilt, loadRun, makeSandbox, runCli, type Sandbox } from './fixtures-run/e2e.js';

const GATE = `
[build]
type = "Command"
command_name = "echo built"

[notes]
type = "Command"
command_name = "echo release notes"

[prod_gate]
type = "Manual"
name = "Go to prod"
prompt = "Approve the deploy to prod"
depends_on = ["build"]
approval = { approvers = ["alice", "bob", "carol"], min = 2, not_starter = true }

[deploy]
type = "Command"
command_name = "echo deployed > deployed.txt"
depends_on = ["prod_gate"]
`;

/** The same runbook with one approval needed. */
const ONE = GATE.replace('min = 2', 'min = 1');

const as = (operator: string) => ({ env: { PLAYBOOK_OPERATOR: operator } });

async function waitingRun(box: Sandbox, name: string, title: string, nodes = GATE) {
  const file = await box.runbook(name, title, nodes);
  const run = await runCli(box, ['run', file, '--non-interactive'], as('dave'));
  expect(run.code, run.stderr).toBe(3);
  return file;
}

describe.concurrent('approval gates (SPEC §10.2), end to end (built binary, SQLite)', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);

  it('a run that reaches a gate waits: independent steps finish, exit 3, the exact approve and reject commands', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('gate', 'Gate', GATE);
    const run = await runCli(box, ['run', file, '--non-interactive'], as('dave'));
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/Go to prod.* waits for an approval\n/);
    expect(run.stdout).toContain('Run 1 of "Gate" is waiting for an approval (exit 3).');
    expect(run.stdout).toContain(
      'approvers: alice, bob, carol (2 approvals, not whoever started or resumed the run)',
    );
    expect(run.stdout).toContain(
      `approve: playbook approve Gate 1 prod_gate --note '…' --state-path ${box.statePath}`,
    );
    expect(run.stdout).toContain(
      `reject:  playbook reject Gate 1 prod_gate --note '…' --state-path ${box.statePath}`,
    );
    const state = await loadRun(box, 'Gate', 1);
    expect(state.run.status).toBe('waiting');
    expect(state.run.owner).toBeNull();
    // The gate has no attempt yet; the independent branch ran, the step after the gate did not.
    expect(attemptsOf(state, 'notes')).toEqual(['ok']);
    expect(attemptsOf(state, 'prod_gate')).toEqual([]);
    expect(attemptsOf(state, 'deploy')).toEqual([]);
    const show = await runCli(box, ['show', 'Gate', '--json']);
    expect(JSON.parse(show.stdout).runs[0].status).toBe('waiting');
    // The gate has no attempt: logs says so rather than printing nothing.
    const logs = await runCli(box, ['logs', 'Gate', '--node', 'prod_gate']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toBe('');
    expect(logs.stderr).toBe('step "prod_gate" has no attempt in run 1 yet: nothing was captured\n');
  });

  it('run --json tells `waiting` and a run-finished with status waiting', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('json', 'Json', GATE);
    const run = await runCli(box, ['run', file, '--non-interactive', '--json'], as('dave'));
    expect(run.code).toBe(3);
    const events = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; status?: string; nodeId?: string });
    expect(events.find((event) => event.type === 'waiting')?.nodeId).toBe('prod_gate');
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'waiting' });
  });

  it('resume before enough approvals exits 3 saying who may approve, and changes nothing', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'early', 'Early');
    const before = await loadRun(box, 'Early', 1);
    const resume = await runCli(box, ['resume', file], as('erin'));
    expect(resume.code).toBe(3);
    expect(resume.stderr).toContain(
      'run 1 of "Early" is waiting: "prod_gate" waits for approval by alice, bob, carol (2 of them must approve',
    );
    const after = await loadRun(box, 'Early', 1);
    expect(after.run.status).toBe('waiting');
    expect(after.sessions?.length).toBe(before.sessions?.length);
  });

  it('refuses with exit 1 and the reason: a non-approver, the starter under not_starter, the same person twice, a node that is not waiting', async () => {
    const box = await makeSandbox();
    const file = await box.runbook('refuse', 'Refuse', GATE);
    expect((await runCli(box, ['run', file, '--non-interactive'], as('alice'))).code).toBe(3);

    const stranger = await runCli(box, ['approve', 'Refuse', '1', 'prod_gate'], as('mallory'));
    expect(stranger.code).toBe(1);
    expect(stranger.stderr).toBe(
      'error: mallory may not decide "prod_gate": its approvers are alice, bob, carol\n',
    );

    // alice started the run: four eyes. A host part in the claimed name is the same person.
    const starter = await runCli(box, ['approve', 'Refuse', '1', 'prod_gate'], as('alice@laptop'));
    expect(starter.code).toBe(1);
    expect(starter.stderr).toContain(
      'alice may not decide "prod_gate": four eyes (not_starter) — alice started this run',
    );

    const notGate = await runCli(box, ['approve', 'Refuse', '1', 'deploy'], as('bob'));
    expect(notGate.code).toBe(1);
    expect(notGate.stderr).toBe('error: node "deploy" is not an approval gate\n');

    const first = await runCli(
      box,
      ['approve', 'Refuse', '1', 'prod_gate', '--note', 'looks good'],
      as('bob'),
    );
    expect(first.code, first.stderr).toBe(0);
    // The rendered plan of what remains comes first.
    expect(first.stdout).toContain('What remains of run 1 once the gate opens:');
    expect(first.stdout).toContain('$ echo deployed > deployed.txt');
    // Once it opens, the gate itself is kept ok, as a resume keeps it: it does not wait in its own preview.
    expect(first.stdout).toMatch(/\(prod_gate\) · kept \(ok\)/);
    expect(first.stdout).not.toContain('waits for approval');
    expect(first.stdout).not.toContain('waiting for approval');
    expect(first.stdout).toContain(
      'Approval by bob recorded for "Go to prod": 1 of 2 approvals; the run keeps waiting.',
    );

    const twice = await runCli(box, ['approve', 'Refuse', '1', 'prod_gate'], as('bob@other-host'));
    expect(twice.code).toBe(1);
    expect(twice.stderr).toBe('error: bob already approved "prod_gate": one decision per person\n');
    const rejectAfter = await runCli(box, ['reject', 'Refuse', '1', '--note', 'changed my mind'], as('bob'));
    expect(rejectAfter.code).toBe(1);
    expect(rejectAfter.stderr).toContain('bob already approved "prod_gate"');

    const state = await loadRun(box, 'Refuse', 1);
    expect(state.approvals?.map((a) => [a.who, a.decision, a.note])).toEqual([
      ['bob', 'approve', 'looks good'],
    ]);
    expect(state.sessions?.map((s) => s.kind)).toEqual(['run', 'approve']);
  });

  it('the min-th approval opens the gate; approve --resume continues the run; the approvers are in the attempt and the audit trail', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'open', 'Open');
    expect((await runCli(box, ['approve', 'Open', '1', '--note', 'ok'], as('bob'))).code).toBe(0);
    const second = await runCli(box, ['approve', 'Open', '1', 'prod_gate', '--resume', file], as('carol'));
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('Approved: "Go to prod" is open (bob, carol).');
    expect(second.stdout).toContain('✔ Run 1 of "Open" ended ok');
    expect(box.read('deployed.txt')).toBe('deployed\n');
    const state = await loadRun(box, 'Open', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'prod_gate')).toEqual(['ok/approved']);
    const gate = state.attempts.find((a) => a.nodeId === 'prod_gate');
    expect(gate?.resultText).toBe('approved by bob, carol');
    expect(gate?.by?.operator).toBe('carol');
    expect(state.sessions?.map((s) => [s.kind, s.by.operator])).toEqual([
      ['run', 'dave'],
      ['approve', 'bob'],
      ['approve', 'carol'],
      ['resume', 'carol'],
    ]);
    const verify = await runCli(box, ['verify', 'Open']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(verify.stdout).toMatch(/^run 1: intact · \d+ entries · head [0-9a-f]{64}\n$/);
    // A run that no longer waits: refused.
    const late = await runCli(box, ['approve', 'Open', '1', 'prod_gate'], as('alice'));
    expect(late.code).toBe(1);
    expect(late.stderr).toBe(
      'error: run 1 of "Open" is not waiting for an approval (it is ok): "prod_gate" was already approved by bob, carol\n',
    );
  });

  it('min = 1: an approval arriving after the gate opened is refused (exit 1) saying who approved it', async () => {
    const box = await makeSandbox();
    await waitingRun(box, 'late', 'Late', ONE);
    expect((await runCli(box, ['approve', 'Late', '1', 'prod_gate'], as('bob'))).code).toBe(0);
    const late = await runCli(box, ['approve', 'Late', '1', 'prod_gate'], as('carol'));
    expect(late.code).toBe(1);
    expect(late.stderr).toBe(
      'error: node "prod_gate" is not waiting for a decision: it was already approved by bob\n',
    );
    const reject = await runCli(box, ['reject', 'Late', '1', '--note', 'no'], as('carol'));
    expect(reject.code).toBe(1);
    expect(reject.stderr).toBe(
      'error: run 1 of "Late" has no gate waiting for a decision: "prod_gate" was already approved by bob\n',
    );
  });

  it('resume without a run id takes the waiting run with its stored inputs, as resume with the id does', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'inputs',
      'Inputs',
      `
[runbook.inputs.env]
type = "string"

[prod_gate]
type = "Manual"
prompt = "Ship to \${{ inputs.env }}?"
approval = { approvers = ["alice"] }

[deploy]
type = "Command"
command_name = "echo \${{ inputs.env }} > deployed.txt"
depends_on = ["prod_gate"]
`,
    );
    const run = await runCli(box, ['run', file, '--non-interactive', '--var', 'env=prod'], as('dave'));
    expect(run.code, run.stderr).toBe(3);
    expect((await runCli(box, ['approve', 'Inputs', '1'], as('alice'))).code).toBe(0);
    const resume = await runCli(box, ['resume', file, '--non-interactive'], as('dave'));
    expect(resume.stderr).toBe('');
    expect(resume.code).toBe(0);
    expect(box.read('deployed.txt')).toBe('prod\n');
  });

  it('reject, then resume: the gate and the run end nok; resume asks for approval again, a new round', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'rej', 'Rej', ONE);
    const noNote = await runCli(box, ['reject', 'Rej', '1', 'prod_gate'], as('bob'));
    expect(noNote.code).toBe(2);
    const reject = await runCli(
      box,
      ['reject', 'Rej', '1', 'prod_gate', '--note', 'freeze until Monday'],
      as('bob'),
    );
    expect(reject.code, reject.stderr).toBe(0);
    expect(reject.stdout).toContain(
      'Rejected: "Go to prod" by bob; run 1 is now nok. Resuming it asks for approval again.',
    );
    let state = await loadRun(box, 'Rej', 1);
    expect(state.run.status).toBe('nok');
    expect(attemptsOf(state, 'prod_gate')).toEqual(['nok/rejected']);
    expect(state.attempts.find((a) => a.nodeId === 'prod_gate')?.resultText).toBe(
      'rejected by bob: freeze until Monday',
    );

    const resume = await runCli(box, ['resume', file, '--non-interactive'], as('erin'));
    expect(resume.code).toBe(3);
    expect(resume.stdout).toContain('Run 1 of "Rej" is waiting for an approval (exit 3).');
    state = await loadRun(box, 'Rej', 1);
    expect(state.run.status).toBe('waiting');
    // A new round: bob may decide again; erin resumed the run, so four eyes keeps her out.
    const erin = await runCli(box, ['approve', 'Rej', '1'], as('erin'));
    expect(erin.code).toBe(1);
    const bob = await runCli(box, ['approve', 'Rej', '1', '--resume', file], as('bob'));
    expect(bob.code, bob.stderr).toBe(0);
    state = await loadRun(box, 'Rej', 1);
    expect(state.run.status).toBe('ok');
    expect(attemptsOf(state, 'prod_gate')).toEqual(['nok/rejected', 'ok/approved']);
    expect(state.approvals?.map((a) => [a.who, a.decision, a.round])).toEqual([
      ['bob', 'reject', 1],
      ['bob', 'approve', 2],
    ]);
  });

  it('a changed runbook voids the approvals: approving with it is refused, resuming with it makes the gate wait again', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'changed', 'Changed');
    expect((await runCli(box, ['approve', 'Changed', '1'], as('bob'))).code).toBe(0);
    await writeFile(
      box.path(file),
      `${box.read(file)}\n[audit]\ntype = "Command"\ncommand_name = "echo audit"\n`,
    );

    const stale = await runCli(box, ['approve', 'Changed', '1', '--resume', file], as('carol'));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('the runbook file changed since run 1 of "Changed" reached its gate');

    const resume = await runCli(box, ['resume', file, '--non-interactive'], as('erin'));
    expect(resume.code).toBe(3);
    // bob's approval was for the old runbook: he decides again, and it counts as the first of two.
    const bob = await runCli(box, ['approve', 'Changed', '1'], as('bob'));
    expect(bob.code, bob.stderr).toBe(0);
    expect(bob.stdout).toContain('1 of 2 approvals');
  });

  it('an approved gate whose runbook then changes waits again on resume', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'void', 'Void', ONE);
    expect((await runCli(box, ['approve', 'Void', '1'], as('bob'))).code).toBe(0);
    await writeFile(box.path(file), box.read(file).replace('echo deployed', 'echo deployed twice'));
    const resume = await runCli(box, ['resume', file, '--non-interactive'], as('erin'));
    expect(resume.code).toBe(3);
    expect(box.exists('deployed.txt')).toBe(false);
    const state = await loadRun(box, 'Void', 1);
    expect(state.run.status).toBe('waiting');
    expect(attemptsOf(state, 'prod_gate')).toEqual(['ok/approved']);
  });

  it('a waiting run is never taken as stale: later runs, show and info leave it waiting', async () => {
    const box = await makeSandbox();
    const file = await waitingRun(box, 'stale', 'Stale');
    expect((await runCli(box, ['show', 'Stale'])).code).toBe(0);
    const info = await runCli(box, ['info']);
    expect(info.code).toBe(0);
    // A waiting run is counted as one: the counts by status add up to the runs.
    expect(info.stdout).toMatch(/WORKFLOW\s+RUNS\s+OK\s+NOK\s+ABORTED\s+RUNNING\s+WAITING\s+LATEST RUN/);
    expect(info.stdout).toMatch(/Stale\s+1\s+0\s+0\s+0\s+0\s+1\s+#1 waiting/);
    expect((await runCli(box, ['run', file, '--non-interactive'], as('dave'))).code).toBe(3);
    const first = await loadRun(box, 'Stale', 1);
    expect(first.run.status).toBe('waiting');
    expect(first.attempts.every((a) => a.operatorDecision !== 'interrupted')).toBe(true);
  });

  it('verify names an approval someone edited in the database', async () => {
    const box = await makeSandbox();
    await waitingRun(box, 'tamper', 'Tamper');
    expect((await runCli(box, ['approve', 'Tamper', '1', '--note', 'fine'], as('bob'))).code).toBe(0);
    expect((await runCli(box, ['verify', 'Tamper'])).code).toBe(0);
    const db = rawDatabase(box.statePath);
    db.prepare("UPDATE approvals SET who = 'carol', operator = 'carol'").run();
    db.close();
    const verify = await runCli(box, ['verify', 'Tamper']);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain('approvals row 1 was changed: its who is not what audit entry');
  });

  it('validate: every bad approval table is a located one-line error', async () => {
    const box = await makeSandbox();
    const file = await box.runbook(
      'bad',
      'Bad',
      `
[a]
type = "Manual"
prompt = "a"
approval = { approvers = [], min = 1 }

[b]
type = "Manual"
prompt = "b"
approval = { approvers = ["alice"], min = 2 }

[c]
type = "Command"
command_name = "true"
approval = { approvers = ["alice"] }

[d]
type = "Manual"
prompt = "d"
skippable = true
approval = { approvers = ["alice", 3], min = 0, not_starter = "yes" }
`,
    );
    const result = await runCli(box, ['validate', file]);
    expect(result.code).toBe(1);
    const lines = result.stdout + result.stderr;
    expect(lines).toMatch(
      /bad\.playbook\.toml:\d+:\d+: error: \[a\.approval\.approvers\] `approval\.approvers` must be a non-empty list/,
    );
    expect(lines).toMatch(/\[b\.approval\.min\] `approval\.min` is 2 but only 1 approver is listed/);
    expect(lines).toMatch(/\[c\.approval\] `approval` is for Manual nodes/);
    expect(lines).toMatch(/\[d\.approval\.approvers\] `approval\.approvers` holds 3/);
    expect(lines).toMatch(/\[d\.approval\.min\] `approval\.min` must be a whole number ≥ 1/);
    expect(lines).toMatch(/\[d\.approval\.not_starter\] `approval\.not_starter` must be true or false/);
    expect(lines).toMatch(/\[d\.skippable\] an approval gate can never be skipped/);
  });
});
