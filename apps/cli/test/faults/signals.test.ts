import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliRun,
  ensureBuilt,
  loadRun,
  runCli,
  type Sandbox,
  startCli,
  waitFor,
} from '../fixtures-run/e2e.js';
import { startPty } from '../fixtures-run/pty.js';
import { faultSandbox, inspectStateFile, processesIn, removeSandboxes } from './support.js';

/** `slow` (the command given) then `after`, which only leaves a marker. */
const twoSteps = (slow: string, extra = '') => `
[slow]
type = "Command"
command_name = "${slow}"
${extra}

[after]
type = "Command"
command_name = "echo x >> marks/after"
depends_on = ["slow"]
`;

/** Waits until the CLI has recorded the running command's process group (it is then surely running it). */
async function untilCommandRecorded(box: Sandbox, title: string): Promise<void> {
  await waitFor(
    async () =>
      box.exists('state/run.db') &&
      (await loadRun(box, title, 1).then(
        (state) => state.run.owner?.processGroup != null,
        () => false, // the run is not created yet
      )),
    'the process group record',
  );
}

async function finished(run: CliRun) {
  const result = await run.done;
  return {
    ...result,
    context: `code ${result.code} signal ${result.signal}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
  };
}

const steps = (box: Sandbox) =>
  inspectStateFile(box.statePath).attempts.map(
    (a) => `${a.node_id}#${a.attempt}:${a.status}/${a.operator_decision}`,
  );

// SPEC §2.6 and §11 (docs/signals.md): SIGQUIT interrupts like SIGTERM; SIGHUP — the operator's terminal is
// gone — lets the running step finish (its timeout still applies) and records it, starts nothing new, ends a
// pending question as end of input, drops output to the lost terminal without error, and ends the run
// `aborted` (exit 129), resumable. Without handlers Node died at once on either, leaving the command's process
// group running and the run `running`. Built binary, real SQLite, real processes; a real pty for the terminal.
describe('SIGQUIT and SIGHUP during a run', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('SIGQUIT stops the running command group: exit 130, attempt interrupted, run aborted; resume completes', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      'quit',
      'Quit',
      twoSteps('if [ -f go ]; then echo x >> marks/slow; else sleep 30 & wait; fi'),
    );
    const run = startCli(box, ['run', file, '--non-interactive']);
    await untilCommandRecorded(box, 'Quit');
    run.child.kill('SIGQUIT');
    const quit = await finished(run);
    expect({ code: quit.code, signal: quit.signal }, quit.context).toEqual({ code: 130, signal: null });
    expect(quit.stderr).toContain('Interrupted: stopping the running step');
    expect(inspectStateFile(box.statePath).runs).toMatchObject([
      { status: 'aborted', owner_process_group: null },
    ]);
    expect(steps(box)).toEqual(['slow#1:nok/interrupted']);
    expect(processesIn(box.dir)).toEqual([]);

    await writeFile(box.path('go'), '');
    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(steps(box)).toEqual(['after#1:ok/null', 'slow#1:nok/interrupted', 'slow#2:ok/null']);
  }, 60_000);

  it('SIGHUP lets the running step finish and records it, starts nothing new: exit 129, run aborted; resume goes on', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      'hup',
      'Hup',
      twoSteps('touch marks/started; sleep 1.5; echo finished; echo x >> marks/slow', 'timeout = 20'),
    );
    const run = startCli(box, ['run', file, '--non-interactive']);
    await untilCommandRecorded(box, 'Hup');
    run.child.kill('SIGHUP');
    const hup = await finished(run);
    expect({ code: hup.code, signal: hup.signal }, hup.context).toEqual({ code: 129, signal: null });
    expect(hup.stderr).toContain('The terminal was closed (SIGHUP)');
    expect(hup.stdout).toContain('finished');
    expect(box.exists('marks/slow')).toBe(true);
    expect(box.exists('marks/after')).toBe(false);
    expect(inspectStateFile(box.statePath).runs).toMatchObject([
      { status: 'aborted', owner_process_group: null },
    ]);
    expect(steps(box)).toEqual(['slow#1:ok/null']);
    expect(processesIn(box.dir)).toEqual([]);

    const resumed = await runCli(box, ['resume', file, '--non-interactive']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(steps(box)).toEqual(['after#1:ok/null', 'slow#1:ok/null']);
  }, 60_000);

  it("SIGHUP leaves the running step's timeout in force, and nothing is retried", async () => {
    const box = await faultSandbox();
    const file = await box.runbook('hang', 'Hang', twoSteps('sleep 30', 'timeout = 2'));
    const run = startCli(box, ['run', file, '--non-interactive', '--retries', '3']);
    await untilCommandRecorded(box, 'Hang');
    run.child.kill('SIGHUP');
    const hup = await finished(run);
    expect({ code: hup.code, signal: hup.signal }, hup.context).toEqual({ code: 129, signal: null });
    expect(hup.stdout).toContain('timed out after 2 seconds');
    expect(inspectStateFile(box.statePath).runs).toMatchObject([{ status: 'aborted' }]);
    expect(inspectStateFile(box.statePath).attempts).toMatchObject([
      { node_id: 'slow', attempt: 1, status: 'nok', exit_code: 124 },
    ]);
    expect(processesIn(box.dir)).toEqual([]);
  }, 60_000);

  it('SIGHUP ends a question waiting for a piped answer as end of input', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('ask', 'Ask', '[check]\ntype = "Manual"\nprompt = "Is it up?"\n');
    // stdin stays open and empty: the question waits.
    const run = startCli(box, ['run', file]);
    await waitFor(() => run.stdout().includes('Is it up?'), 'the question');
    run.child.kill('SIGHUP');
    const hup = await finished(run);
    expect({ code: hup.code, signal: hup.signal }, hup.context).toEqual({ code: 129, signal: null });
    expect(inspectStateFile(box.statePath).runs).toMatchObject([{ status: 'aborted' }]);
    expect(steps(box)).toEqual(['check#1:nok/abort']);
  }, 60_000);

  it('a terminal that closes while a command prints: output dropped without error, the step recorded, exit 129', async () => {
    const box = await faultSandbox();
    const printing =
      'touch marks/started; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do echo line $i; sleep 0.1; done; echo x >> marks/slow';
    const file = await box.runbook('pty', 'Pty', twoSteps(printing));
    const term = startPty(box, ['run', file, '--non-interactive']);
    await term.waitFor('line 2');
    term.hangUp();
    const result = await term.done;
    expect(result.exit, result.raw).toBe(129);
    expect(box.exists('marks/slow')).toBe(true);
    expect(box.exists('marks/after')).toBe(false);
    expect(inspectStateFile(box.statePath).runs).toMatchObject([
      { status: 'aborted', owner_process_group: null },
    ]);
    expect(steps(box)).toEqual(['slow#1:ok/null']);
    // All fifteen lines were captured, also those printed after the terminal was gone.
    expect((await loadRun(box, 'Pty', 1)).attempts[0]?.stdout).toContain('line 15');
    expect(processesIn(box.dir)).toEqual([]);
  }, 60_000);

  it('a terminal that closes while an arrow-key question waits: the question ends, the run aborted, exit 129', async () => {
    const box = await faultSandbox();
    const file = await box.runbook(
      'ptyask',
      'PtyAsk',
      '[check]\ntype = "Manual"\nprompt = "Is it up?"\n\n[next]\ntype = "Manual"\nprompt = "Next?"\ndepends_on = ["check"]\n',
    );
    const term = startPty(box, ['run', file]);
    await term.waitFor('↑/↓ and Enter');
    term.hangUp();
    const result = await term.done;
    expect(result.exit, result.raw).toBe(129);
    expect(inspectStateFile(box.statePath).runs).toMatchObject([
      { status: 'aborted', owner_process_group: null },
    ]);
    expect(steps(box)).toEqual(['check#1:nok/abort']);
  }, 60_000);
});
