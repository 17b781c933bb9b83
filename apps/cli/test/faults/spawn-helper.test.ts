import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, isAlive, runCli, startCli, waitFor } from '../fixtures-run/e2e.js';
import { faultSandbox, inspectStateFile, processesIn, removeSandboxes } from './support.js';

// From its second command on, `run` forks commands through a small helper process (docs/performance.md). The
// helper must never outlive the CLI, however the CLI ends, and must change nothing of what a command sees.
const RUNBOOK = `
[first]
type = "Command"
command_name = "true"

[second]
type = "Command"
command_name = "sleep 1"
depends_on = ["first"]

[third]
type = "Command"
command_name = "if [ -f forked-by ]; then exit 0; fi; echo $$ > group; echo $PPID > forked-by; sleep 30"
depends_on = ["second"]
`;

/** The command line of a live process. */
const commandLine = (pid: number): string =>
  readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').join(' ');

describe('the spawn helper', () => {
  beforeAll(() => {
    ensureBuilt();
  }, 180_000);
  afterAll(removeSandboxes);

  it('forks the commands, and dies with a CLI killed by SIGKILL, stopping the command it forked first', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('helper', 'Helper', RUNBOOK);
    const run = startCli(box, ['run', file, '--non-interactive'], { timeoutMs: 30_000 });
    await waitFor(
      () => box.exists('forked-by') && box.read('forked-by').endsWith('\n'),
      'the third command to start',
    );
    const helper = Number(box.read('forked-by').trim());
    // Killed only once the owner record names the command's group: a crash before that write leaves a group
    // nobody can know of, which no resume could stop (the window between fork and the record is not this test's).
    const group = Number(box.read('group').trim());
    await waitFor(
      () => inspectStateFile(box.statePath).runs[0]?.owner_process_group === group,
      "the command's group in the owner record",
    );
    const cli = run.child.pid as number;
    expect(helper).not.toBe(cli);
    // Python's (`python3 -I -S -c`) where the machine has one, else Node's (`node -e`).
    expect(commandLine(helper)).toMatch(/ -(c|e) /);

    run.child.kill('SIGKILL');
    await run.done;
    await waitFor(() => !isAlive(helper), 'the helper to exit', 5_000);
    // The cut-off command's group went with it (its step's processes die with the step); resume records it
    // interrupted and runs the step again.
    expect(processesIn(box.dir)).toEqual([]);
    const resumed = await runCli(box, ['resume', file, '--non-interactive'], { timeoutMs: 30_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(processesIn(box.dir)).toEqual([]);
  }, 60_000);

  it('exits when a run ends', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('quick', 'Quick', RUNBOOK.replace('sleep 30', 'true'));
    const run = startCli(box, ['run', file, '--non-interactive'], { stdin: null, timeoutMs: 30_000 });
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    const helper = Number(box.read('forked-by').trim());
    await waitFor(() => !isAlive(helper), 'the helper to exit', 5_000);
    // Nor is the folder of the commands' PLAYBOOK_OUTPUT files left behind.
    const prefix = `playbook-output-${run.child.pid}-`;
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(prefix))).toEqual([]);
  }, 60_000);

  it('is not used with PLAYBOOK_SPAWN_HELPER=off: the CLI forks the commands itself', async () => {
    const box = await faultSandbox();
    const file = await box.runbook('off', 'Off', RUNBOOK.replace('sleep 30', 'true'));
    const run = startCli(box, ['run', file, '--non-interactive'], {
      stdin: null,
      env: { PLAYBOOK_SPAWN_HELPER: 'off' },
      timeoutMs: 30_000,
    });
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(Number(box.read('forked-by').trim())).toBe(run.child.pid);
  }, 60_000);
});
